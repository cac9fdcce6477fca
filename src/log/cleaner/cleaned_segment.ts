/**
 * The segment a cleaning writes: `<base>.log.cleaned` with its
 * `.index.cleaned` and `.timeindex.cleaned`, as Kafka names them, so that a
 * crash before the swap leaves files that the next start-up removes.
 *
 * Batches are buffered and written in large appends; index entries follow
 * the same rule as a segment's recovery (one every `index.interval.bytes` of
 * log), so the cleaned segment's indexes are what recovery would rebuild.
 * The log file is synced as it grows, so that the sync before the swap, which
 * blocks the event loop, has little left to do.
 */
import type { Disk, FileHandle } from "../../io/mod.ts";
import { type BatchHeader, batchSize, lastOffset } from "../../protocol/mod.ts";
import {
  CLEANED_FILE_SUFFIX,
  INDEX_FILE_SUFFIX,
  joinPath,
  LOG_FILE_SUFFIX,
  offsetFileName,
  TIME_INDEX_FILE_SUFFIX,
} from "../file_names.ts";
import { OffsetIndex } from "../offset_index.ts";
import { NO_TIMESTAMP, TimeIndex, type TimestampOffset } from "../time_index.ts";

/** Buffered output is appended to the file once it reaches this size. */
const WRITE_CHUNK_BYTES = 1024 * 1024;
/** The log file is synced each time this much more has been written, so that no one sync takes long. */
const SYNC_INTERVAL_BYTES = 1024 * 1024;

/** Where and how to write a cleaned segment. */
export interface CleanedSegmentOptions {
  disk: Disk;
  directory: string;
  baseOffset: number;
  indexIntervalBytes: number;
  maxIndexSizeBytes: number;
}

/** The paths of a segment's files with a suffix added (".cleaned" or ".swap"). */
export function segmentFilePaths(directory: string, baseOffset: number, suffix: string): {
  log: string;
  offsetIndex: string;
  timeIndex: string;
} {
  const path = (fileSuffix: string) => joinPath(directory, offsetFileName(baseOffset, fileSuffix) + suffix);
  return {
    log: path(LOG_FILE_SUFFIX),
    offsetIndex: path(INDEX_FILE_SUFFIX),
    timeIndex: path(TIME_INDEX_FILE_SUFFIX),
  };
}

export class CleanedSegmentWriter {
  readonly baseOffset: number;
  readonly paths: { log: string; offsetIndex: string; timeIndex: string };
  readonly #options: CleanedSegmentOptions;
  readonly #log: FileHandle;
  readonly #offsetIndex: OffsetIndex;
  readonly #timeIndex: TimeIndex;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  /** Bytes of batches appended, written or pending. */
  #size = 0;
  #lastIndexedPosition = 0;
  #unsyncedBytes = 0;
  #max: TimestampOffset;
  #sealed = false;
  #closed = false;

  private constructor(options: CleanedSegmentOptions) {
    this.#options = options;
    this.baseOffset = options.baseOffset;
    this.paths = segmentFilePaths(options.directory, options.baseOffset, CLEANED_FILE_SUFFIX);
    for (const path of Object.values(this.paths)) options.disk.remove(path);
    this.#log = options.disk.open(this.paths.log, { create: true });
    const index = {
      disk: options.disk,
      baseOffset: options.baseOffset,
      maxIndexSizeBytes: options.maxIndexSizeBytes,
    };
    this.#offsetIndex = OffsetIndex.open({ ...index, path: this.paths.offsetIndex });
    this.#timeIndex = TimeIndex.open({ ...index, path: this.paths.timeIndex });
    this.#max = { timestamp: NO_TIMESTAMP, offset: options.baseOffset };
  }

  /** Starts an empty cleaned segment, replacing leftovers of an earlier attempt. */
  static create(options: CleanedSegmentOptions): CleanedSegmentWriter {
    return new CleanedSegmentWriter(options);
  }

  /** Bytes of batches appended so far. */
  get size(): number {
    return this.#size;
  }

  /** Appends one batch (its header read at position 0 of `bytes`), indexing it as recovery would. */
  append(bytes: Uint8Array, header: BatchHeader): void {
    const last = lastOffset(header);
    if (!this.#offsetIndex.canAppendOffset(last)) {
      throw new RangeError(`offset ${last} does not fit the cleaned segment ${this.baseOffset}`);
    }
    if (header.maxTimestamp > this.#max.timestamp) {
      this.#max = { timestamp: header.maxTimestamp, offset: last };
    }
    if (this.#size - this.#lastIndexedPosition > this.#options.indexIntervalBytes) {
      // A full index only makes lookups scan further; the data stays readable.
      if (!this.#offsetIndex.isFull()) this.#offsetIndex.append(last, this.#size);
      if (!this.#timeIndex.isFull()) this.#timeIndex.maybeAppend(this.#max.timestamp, this.#max.offset);
      this.#lastIndexedPosition = this.#size;
    }
    const size = batchSize(header);
    this.#pending.push(bytes.length === size ? bytes : bytes.subarray(0, size));
    this.#pendingBytes += size;
    this.#size += size;
    if (this.#pendingBytes >= WRITE_CHUNK_BYTES) this.flushBuffer();
  }

  /** Writes buffered batches to the file, and syncs it every SYNC_INTERVAL_BYTES. */
  flushBuffer(): void {
    if (this.#pendingBytes === 0) return;
    const chunk = new Uint8Array(this.#pendingBytes);
    let position = 0;
    for (const part of this.#pending) {
      chunk.set(part, position);
      position += part.length;
    }
    this.#log.append(chunk);
    this.#unsyncedBytes += chunk.length;
    this.#pending = [];
    this.#pendingBytes = 0;
    if (this.#unsyncedBytes >= SYNC_INTERVAL_BYTES) {
      this.#log.sync();
      this.#unsyncedBytes = 0;
    }
  }

  /**
   * Makes the segment durable and closes it: the log's last bytes and the
   * last time index entry, then the indexes. Two calls, so that a caller
   * can spread the syncs over two steps; returns true once done.
   */
  finish(): boolean {
    if (!this.#sealed) {
      this.flushBuffer();
      this.#timeIndex.maybeAppend(this.#max.timestamp, this.#max.offset, true);
      this.#log.sync();
      this.#sealed = true;
      return false;
    }
    this.#offsetIndex.sync();
    this.#timeIndex.sync();
    this.#close();
    return true;
  }

  /** Closes and removes the files (the cleaning was abandoned). */
  abort(): void {
    this.#close();
    for (const path of Object.values(this.paths)) this.#options.disk.remove(path);
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#log.close();
    this.#offsetIndex.close();
    this.#timeIndex.close();
  }
}
