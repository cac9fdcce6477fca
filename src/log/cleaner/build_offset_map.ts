/**
 * A cleaning round's second phase (Kafka's buildOffsetMap): read the dirty
 * part of the log, from the first dirty offset to the first uncleanable one,
 * and record each key's latest offset. Aborted transactions' data and control
 * batches put nothing in the map. When the map fills up the phase stops
 * early; the round then cleans only up to the map's latest offset and the
 * next round carries on from there.
 */
import { decodeRecords, isControl, lastOffset } from "../../protocol/mod.ts";
import type { LogSegment } from "../segment.ts";
import type { OffsetMap } from "./offset_map.ts";
import { decodeCost, decodedSize, readSegmentSlice, type SegmentBatch } from "./segment_reader.ts";
import type { StepBudget } from "./step_budget.ts";
import { type AbortedTransaction, controlRecordTypeOf, TransactionTracker } from "./transactions.ts";

/** What the phase reads. */
export interface OffsetMapPhaseOptions {
  /** The segments holding offsets in [startOffset, endOffset), oldest first. */
  segments: readonly LogSegment[];
  startOffset: number;
  /** The first uncleanable offset (a segment base). */
  endOffset: number;
  map: OffsetMap;
  aborted: readonly AbortedTransaction[];
}

export class OffsetMapPhase {
  readonly #options: OffsetMapPhaseOptions;
  readonly #transactions: TransactionTracker;
  #segmentIndex = 0;
  #position: number | null = null;
  #done = false;
  #full = false;
  /** Bytes of batches read, records put into the map. */
  bytesRead = 0;
  recordsRead = 0;

  constructor(options: OffsetMapPhaseOptions) {
    this.#options = options;
    this.#transactions = new TransactionTracker(options.aborted);
    options.map.clear();
  }

  get done(): boolean {
    return this.#done;
  }

  /** Whether the map filled up before the end of the dirty section. */
  get full(): boolean {
    return this.#full;
  }

  /** Reads the dirty section until the step's budget is spent. */
  step(budget: StepBudget): void {
    const { segments, startOffset, endOffset, map } = this.#options;
    while (!this.#done && !budget.exhausted) {
      const segment = segments[this.#segmentIndex];
      if (segment === undefined) {
        this.#done = true;
        break;
      }
      this.#position ??= segment.offsetIndex.lookup(startOffset).position;
      const slice = readSegmentSlice(
        segment,
        { position: this.#position, wholeBatches: true },
        budget,
        (batch) => this.#visit(batch),
      );
      this.#position = slice.position;
      if (this.#full) {
        this.#done = true;
      } else if (slice.finished) {
        // Offsets up to the next segment are covered, gaps left by earlier cleanings included.
        map.updateLatestOffset((segments[this.#segmentIndex + 1]?.baseOffset ?? endOffset) - 1);
        this.#segmentIndex++;
        this.#position = null;
      }
    }
  }

  /** Puts a batch's keys into the map; returns the work it took, or false when the map filled up. */
  #visit(batch: SegmentBatch): number | false {
    const { startOffset, map } = this.#options;
    const { header, bytes } = batch;
    let decoded = 0;
    if (isControl(header.attributes)) {
      this.#transactions.onControlBatch(header, controlRecordTypeOf(bytes, header));
    } else if (!this.#transactions.onDataBatch(header)) {
      const records = decodeRecords(bytes, header);
      decoded = decodedSize(records);
      for (const record of records) {
        this.recordsRead++;
        if (record.key === null || record.offset < startOffset) continue;
        if (map.isFull) {
          this.#full = true;
          return false;
        }
        map.put(record.key, record.offset);
      }
    }
    if (lastOffset(header) >= startOffset) map.updateLatestOffset(lastOffset(header));
    this.bytesRead += batch.bytes.length;
    return decodeCost(header, decoded);
  }
}
