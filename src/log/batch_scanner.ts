/**
 * Walks the record batches stored in a `.log` file with few, bounded reads.
 *
 * In header mode it reads windows of the file and visits each batch's
 * 61-byte header (the records are not read); in whole-batch mode each visit
 * gets the complete batch bytes, for CRC checks and record lookups.
 */
import type { FileHandle } from "../io/mod.ts";
import { BATCH_HEADER_SIZE, type BatchHeader, LOG_OVERHEAD, readBatchHeader } from "../protocol/mod.ts";

/** One batch met by the scan. */
export interface ScannedBatch {
  /** The header; `header.position` indexes into `bytes`. */
  header: BatchHeader;
  /** Bytes holding the header (and the whole batch in whole-batch mode). */
  bytes: Uint8Array;
  /** Where the batch starts in the file. */
  filePosition: number;
}

/** Why a scan ended. */
export type ScanStop = "end" | "torn" | "invalid-length" | "stopped";

/** Where a scan ended: the position of the first batch not visited. */
export interface ScanResult {
  position: number;
  stop: ScanStop;
}

/** Options of a scan over `[start, end)` of a file. */
export interface ScanOptions {
  start: number;
  end: number;
  /** Whole-batch mode reads every batch entirely; header mode only its header. */
  wholeBatches: boolean;
  /** Bytes per read; larger batches are read on their own in whole-batch mode. */
  windowBytes?: number;
}

const HEADER_WINDOW_BYTES = 16 * 1024;
const WHOLE_BATCH_WINDOW_BYTES = 1024 * 1024;
/** The smallest batchLength a v2 batch can declare (a header with no records). */
export const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - LOG_OVERHEAD;

/**
 * Visits batches in file order until `visit` returns false, a batch's length
 * is impossible, a batch runs past `end` ("torn"), or `end` is reached.
 */
export function scanFileBatches(
  file: FileHandle,
  options: ScanOptions,
  visit: (batch: ScannedBatch) => boolean,
): ScanResult {
  const windowBytes = options.windowBytes ??
    (options.wholeBatches ? WHOLE_BATCH_WINDOW_BYTES : HEADER_WINDOW_BYTES);
  const end = options.end;
  let position = options.start;
  let window: Uint8Array = new Uint8Array(0);
  let windowStart = position;
  while (position + LOG_OVERHEAD <= end) {
    let local = position - windowStart;
    if (local + LOG_OVERHEAD > window.length) {
      window = file.readAt(position, Math.min(windowBytes, end - position));
      windowStart = position;
      local = 0;
      if (window.length < LOG_OVERHEAD) return { position, stop: "torn" };
    }
    const batchLength = new DataView(window.buffer, window.byteOffset + local + 8, 4).getInt32(0);
    if (batchLength < MIN_BATCH_LENGTH) return { position, stop: "invalid-length" };
    const total = LOG_OVERHEAD + batchLength;
    if (position + total > end) return { position, stop: "torn" };
    const needed = options.wholeBatches ? total : BATCH_HEADER_SIZE;
    if (local + needed > window.length) {
      window = file.readAt(position, Math.max(needed, Math.min(windowBytes, end - position)));
      windowStart = position;
      local = 0;
      if (window.length < needed) return { position, stop: "torn" };
    }
    if (!visit({ header: readBatchHeader(window, local), bytes: window, filePosition: position })) {
      return { position, stop: "stopped" };
    }
    position += total;
  }
  return { position, stop: position >= end ? "end" : "torn" };
}

/** The length of the whole batches at the start of `bytes` (a partial last batch is left out). */
export function wholeBatchesLength(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let position = 0;
  while (position + LOG_OVERHEAD <= bytes.length) {
    const batchLength = view.getInt32(position + 8);
    if (batchLength < MIN_BATCH_LENGTH || position + LOG_OVERHEAD + batchLength > bytes.length) break;
    position += LOG_OVERHEAD + batchLength;
  }
  return position;
}

/**
 * Visits the batches whose headers lie wholly in `bytes`, until `visit`
 * returns false; returns the position of the first batch not visited (which
 * may be past the end of `bytes` when the last visited batch runs beyond it).
 */
export function scanWindowHeaders(
  bytes: Uint8Array,
  visit: (header: BatchHeader, position: number) => boolean,
): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let position = 0;
  while (position + BATCH_HEADER_SIZE <= bytes.length) {
    const batchLength = view.getInt32(position + 8);
    if (batchLength < MIN_BATCH_LENGTH) return position;
    if (!visit(readBatchHeader(bytes, position), position)) return position;
    position += LOG_OVERHEAD + batchLength;
  }
  return position;
}
