/**
 * A cleaning round's first phase: find the aborted transactions, reading
 * batch headers from the log's first segment on (and the record of each
 * control batch). The scan goes past the first uncleanable offset only while
 * a transaction that began below it is still open, since its marker decides
 * the fate of data the round will clean.
 */
import { batchSize, isControl } from "../../protocol/mod.ts";
import type { LogSegment } from "../segment.ts";
import { HEADER_VISIT_COST_MAX_BYTES, readSegmentSlice } from "./segment_reader.ts";
import type { StepBudget } from "./step_budget.ts";
import { type AbortedTransaction, AbortedTransactionScan, controlRecordTypeOf } from "./transactions.ts";

export class TransactionScanPhase {
  readonly #segments: readonly LogSegment[];
  /** Each segment's size when the round began: later appends are not the round's business. */
  readonly #ends: number[];
  readonly #firstUncleanableOffset: number;
  readonly #scan = new AbortedTransactionScan();
  #segmentIndex = 0;
  #position = 0;
  #done = false;

  constructor(segments: readonly LogSegment[], firstUncleanableOffset: number) {
    this.#segments = segments;
    this.#ends = segments.map((segment) => segment.size());
    this.#firstUncleanableOffset = firstUncleanableOffset;
  }

  get done(): boolean {
    return this.#done;
  }

  /** The aborted transactions found (once done), by first offset. */
  aborted(): AbortedTransaction[] {
    return this.#scan.aborted();
  }

  /** Scans the log until the step's budget is spent. */
  step(budget: StepBudget): void {
    while (!this.#done && !budget.exhausted) {
      const segment = this.#segments[this.#segmentIndex];
      if (segment === undefined) {
        this.#done = true;
        break;
      }
      let passedEnd = false;
      const slice = readSegmentSlice(
        segment,
        {
          position: this.#position,
          wholeBatches: false,
          end: this.#ends[this.#segmentIndex],
        },
        budget,
        (batch) => {
          const { header } = batch;
          const uncleanable = this.#firstUncleanableOffset;
          if (header.baseOffset >= uncleanable && !this.#scan.hasOpenTransactionBelow(uncleanable)) {
            passedEnd = true;
            return false;
          }
          if (isControl(header.attributes)) {
            const whole = segment.readBatch(batch.filePosition, header);
            this.#scan.onControlBatch(header, controlRecordTypeOf(whole, header));
          } else {
            this.#scan.onDataBatch(header);
          }
          return Math.min(batchSize(header), HEADER_VISIT_COST_MAX_BYTES);
        },
      );
      this.#position = slice.position;
      if (passedEnd) this.#done = true;
      else if (slice.finished) {
        this.#segmentIndex++;
        this.#position = 0;
      }
    }
  }
}
