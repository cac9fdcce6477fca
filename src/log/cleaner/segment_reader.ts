/**
 * Reading a segment's batches a slice at a time, so that a cleaning step
 * stops once its budget is spent and the next step resumes where it stopped.
 */
import { batchCrcIsValid, type BatchHeader, batchSize, type DecodedRecord } from "../../protocol/mod.ts";
import type { LogSegment } from "../segment.ts";
import type { StepBudget } from "./step_budget.ts";

/** A segment that cannot be read to its end: the cleaner stops and leaves the log alone. */
export class UnreadableSegmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnreadableSegmentError";
  }
}

/** Headers are cheap to scan: a header-only visit costs at most this much of a step's budget. */
export const HEADER_VISIT_COST_MAX_BYTES = 4096;

/** One batch met in a segment. */
export interface SegmentBatch {
  header: BatchHeader;
  /** The whole batch (header mode: at least the header); `header.position` is 0 in it. */
  bytes: Uint8Array;
  /** Where the batch starts in the segment's file. */
  filePosition: number;
}

/** Where a slice of reading ended. */
export interface SliceResult {
  /** The file position to resume at. */
  position: number;
  /** Whether the segment's end (or `end`) was reached. */
  finished: boolean;
}

/**
 * Visits batches of `segment` from `position` on until the budget is spent,
 * `end` (by default the segment's size) is reached, or `visit` returns false
 * (the batch it was given then counts as not visited). `visit` returns the
 * work the batch took, which is charged to the budget. In whole mode every
 * batch's CRC is checked. A segment that ends in the middle of a batch, or
 * holds a batch with a bad CRC, throws UnreadableSegmentError: inactive
 * segments were checked when the log was loaded, so this is damage.
 */
export function readSegmentSlice(
  segment: LogSegment,
  options: { position: number; wholeBatches: boolean; end?: number },
  budget: StepBudget,
  visit: (batch: SegmentBatch) => number | false,
): SliceResult {
  let position = options.position;
  let stopped = false;
  const end = options.end ?? segment.size();
  const scan = (batch: { header: BatchHeader; bytes: Uint8Array; filePosition: number }) => {
    if (budget.exhausted) {
      stopped = true;
      return false;
    }
    const size = batchSize(batch.header);
    const bytes = batch.bytes.subarray(batch.header.position, batch.header.position + size);
    const header = { ...batch.header, position: 0 };
    if (options.wholeBatches && !batchCrcIsValid(bytes, header)) {
      throw new UnreadableSegmentError(`${segment.logPath}@${batch.filePosition}: batch fails its CRC check`);
    }
    const cost = visit({ header, bytes, filePosition: batch.filePosition });
    if (cost === false) {
      stopped = true;
      return false;
    }
    position = batch.filePosition + size;
    budget.use(cost);
    return true;
  };
  if (options.wholeBatches) segment.forEachBatch(position, end, scan);
  else segment.forEachBatchHeader(position, end, scan);
  if (!stopped && position !== end) {
    throw new UnreadableSegmentError(`${segment.logPath}: no whole batch at ${position} of ${end} bytes`);
  }
  return { position, finished: !stopped };
}

/** The work of decoding a batch: its size, plus its records' decompressed size when compressed. */
export function decodeCost(header: BatchHeader, decodedBytes: number): number {
  return batchSize(header) + ((header.attributes & 0x07) === 0 ? 0 : decodedBytes);
}

/** About how many bytes decoded records take uncompressed. */
export function decodedSize(records: readonly DecodedRecord[]): number {
  let size = 0;
  for (const record of records) {
    size += 8 + (record.key?.length ?? 0) + (record.value?.length ?? 0);
    for (const header of record.headers) size += header.key.length + (header.value?.length ?? 0);
  }
  return size;
}
