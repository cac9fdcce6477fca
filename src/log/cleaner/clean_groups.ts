/**
 * A cleaning round's last phase (Kafka's cleanSegments): each group of
 * segments is copied, batch by batch through `filterBatch`, into one
 * `.cleaned` segment, which is then swapped in for the group.
 *
 * Finishing a group takes three steps of its own, each a few syncs: the
 * cleaned log's tail, its indexes, then the swap's renames and folder syncs.
 */
import type { Disk } from "../../io/mod.ts";
import { readBatchHeader } from "../../protocol/mod.ts";
import type { PartitionLog } from "../partition_log.ts";
import type { LogSegment } from "../segment.ts";
import { filterBatch, type FilterContext, type LastRecordOfProducer } from "./batch_filter.ts";
import { CleanedSegmentWriter } from "./cleaned_segment.ts";
import type { OffsetMap } from "./offset_map.ts";
import { decodeCost, readSegmentSlice, type SegmentBatch } from "./segment_reader.ts";
import { swapInCleanedSegment, type SwapStage } from "./segment_swap.ts";
import type { StepBudget } from "./step_budget.ts";
import { type AbortedTransaction, TransactionTracker } from "./transactions.ts";

/** What the phase needs. */
export interface CleanGroupsOptions {
  disk: Disk;
  log: PartitionLog;
  groups: readonly (readonly LogSegment[])[];
  map: OffsetMap;
  nowMs: number;
  deleteRetentionMs: number;
  /** The round's first uncleanable offset. */
  upperBoundOffset: number;
  aborted: readonly AbortedTransaction[];
  /** Called after each swap with the replaced segments, the new one, and the `.deleted` files to remove. */
  onSwap: (replaced: readonly LogSegment[], cleaned: LogSegment, deleted: string[]) => void;
  /** For crash tests: called at each stage of a swap. */
  afterSwapStage?: (stage: SwapStage) => void;
}

/** The producers that are still active, and where their last data batch ends. */
export function lastRecordsOfActiveProducers(log: PartitionLog): Map<number, LastRecordOfProducer> {
  const result = new Map<number, LastRecordOfProducer>();
  for (const [producerId, entry] of log.producerState.activeProducers()) {
    result.set(producerId, {
      lastDataOffset: entry.batches[entry.batches.length - 1]?.lastOffset ?? null,
      producerEpoch: entry.producerEpoch,
    });
  }
  return result;
}

export class GroupCleaningPhase {
  readonly #options: CleanGroupsOptions;
  readonly #transactions: TransactionTracker;
  #groupIndex = 0;
  #segmentIndex = 0;
  #position = 0;
  #writer: CleanedSegmentWriter | null = null;
  #synced = false;
  #context: FilterContext | null = null;
  #done = false;
  bytesRead = 0;
  bytesWritten = 0;
  recordsRead = 0;
  recordsRetained = 0;

  constructor(options: CleanGroupsOptions) {
    this.#options = options;
    this.#transactions = new TransactionTracker(options.aborted);
    this.#done = options.groups.length === 0;
  }

  get done(): boolean {
    return this.#done;
  }

  /**
   * Cleans until the step's budget is spent. A step that reaches the end of
   * a group stops there, and each finishing stage takes a step of its own.
   */
  step(budget: StepBudget): void {
    let copied = false;
    while (!this.#done && !budget.exhausted) {
      const group = this.#options.groups[this.#groupIndex]!;
      const writer = this.#writer ?? this.#startGroup(group);
      const segment = group[this.#segmentIndex];
      if (segment === undefined) {
        if (copied) break;
        this.#finishGroup(group, writer);
        budget.spendAll();
        return;
      }
      const slice = readSegmentSlice(
        segment,
        { position: this.#position, wholeBatches: true },
        budget,
        (batch) => this.#copy(batch, writer),
      );
      copied = true;
      this.#position = slice.position;
      if (slice.finished) {
        this.#segmentIndex++;
        this.#position = 0;
      }
    }
    this.#writer?.flushBuffer();
  }

  /** Removes the files of a group being cleaned (the round was abandoned). */
  abort(): void {
    this.#writer?.abort();
    this.#writer = null;
    this.#done = true;
  }

  #startGroup(group: readonly LogSegment[]): CleanedSegmentWriter {
    const { log, disk } = this.#options;
    const config = log.config();
    this.#writer = CleanedSegmentWriter.create({
      disk,
      directory: log.directory,
      baseOffset: group[0]!.baseOffset,
      indexIntervalBytes: config.indexIntervalBytes,
      maxIndexSizeBytes: config.segmentIndexBytes,
    });
    this.#context = {
      map: this.#options.map,
      nowMs: this.#options.nowMs,
      deleteRetentionMs: this.#options.deleteRetentionMs,
      transactions: this.#transactions,
      lastRecordsOfActiveProducers: lastRecordsOfActiveProducers(log),
      upperBoundOffset: this.#options.upperBoundOffset,
    };
    return this.#writer;
  }

  /** Filters one batch into the cleaned segment; returns the work it took. */
  #copy(batch: SegmentBatch, writer: CleanedSegmentWriter): number {
    const filtered = filterBatch(batch.bytes, batch.header, this.#context!);
    this.bytesRead += batch.bytes.length;
    this.recordsRead += filtered.recordsRead;
    this.recordsRetained += filtered.recordsRetained;
    const rebuilt = filtered.output !== null && filtered.output !== batch.bytes;
    if (filtered.output !== null) {
      const header = rebuilt ? readBatchHeader(filtered.output, 0) : batch.header;
      writer.append(filtered.output, header);
      this.bytesWritten += filtered.output.length;
    }
    // Re-compressing costs about as much again as decompressing.
    return decodeCost(batch.header, filtered.decodedBytes * (rebuilt ? 2 : 1));
  }

  /** One finishing stage: seal the log, sync the indexes, or swap. */
  #finishGroup(group: readonly LogSegment[], writer: CleanedSegmentWriter): void {
    if (!this.#synced) {
      this.#synced = writer.finish();
      return;
    }
    this.#writer = null;
    this.#synced = false;
    const swapped = swapInCleanedSegment({
      disk: this.#options.disk,
      log: this.#options.log,
      replaced: group,
      afterStage: this.#options.afterSwapStage,
    });
    this.#options.onSwap(group, swapped.segment, swapped.deleted);
    this.#groupIndex++;
    this.#segmentIndex = 0;
    this.#position = 0;
    this.#done = this.#groupIndex >= this.#options.groups.length;
  }
}
