/**
 * One log segment: `<20-digit baseOffset>.log` with its `.index` and
 * `.timeindex`, in Kafka's format.
 *
 * The `.log` file is the batches as they came over the wire, back to back.
 * The indexes are sparse and opened on first use (as Kafka's LazyIndex): a
 * broker with many segments only reads the index files it needs. An index
 * that fails its sanity check is rebuilt from the log.
 */
import type { Disk, FileHandle } from "../io/mod.ts";
import {
  BATCH_HEADER_SIZE,
  batchCrcIsValid,
  type BatchHeader,
  batchSize,
  lastOffset as batchLastOffset,
} from "../protocol/mod.ts";
import { CorruptIndexError } from "./_index_file.ts";
import { CompressedRecordsError, type Decompress, findRecord } from "./batch_records.ts";
import {
  scanFileBatches,
  type ScannedBatch,
  scanWindowHeaders,
  wholeBatchesLength,
} from "./batch_scanner.ts";
import {
  INDEX_FILE_SUFFIX,
  joinPath,
  LOG_FILE_SUFFIX,
  offsetFileName,
  TIME_INDEX_FILE_SUFFIX,
  TRANSACTION_INDEX_FILE_SUFFIX,
} from "./file_names.ts";
import { OffsetIndex } from "./offset_index.ts";
import { NO_TIMESTAMP, TimeIndex, type TimestampOffset } from "./time_index.ts";

/** A log holds a batch in a message format Dafka cannot read (v0/v1). */
export class UnsupportedMessageFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedMessageFormatError";
  }
}

/** What a segment needs to know. */
export interface SegmentOptions {
  disk: Disk;
  /** The partition's folder. */
  directory: string;
  baseOffset: number;
  /** `index.interval.bytes`: log bytes between two offset index entries. */
  indexIntervalBytes: number;
  /** `segment.index.bytes`: the largest size of an index file. */
  maxIndexSizeBytes: number;
  /** Subtracted from `segment.ms` for this segment (`segment.jitter.ms`, drawn by the caller). */
  rollJitterMs?: number;
  /** Now, as the segment's creation time for time-based rolling. */
  nowMs: number;
  /** For finding records by timestamp in compressed batches. */
  decompress?: Decompress;
}

/** Where a batch that holds an offset sits in the file. */
export interface BatchPosition {
  position: number;
  size: number;
  header: BatchHeader;
}

/** What `append` needs to know about the bytes it appends. */
export interface SegmentAppendInfo {
  lastOffset: number;
  largestTimestamp: number;
  /** The last offset of the batch that holds the largest timestamp. */
  offsetOfLargestTimestamp: number;
}

/** The inputs of the roll decision (Kafka's RollParams). */
export interface RollCheck {
  maxSegmentBytes: number;
  maxSegmentMs: number;
  /** Size of the batches about to be appended. */
  messagesSize: number;
  maxTimestampInMessages: number;
  lastOffsetInMessages: number;
  nowMs: number;
}

/** A record found by timestamp. */
export interface TimestampAndOffset {
  timestamp: number;
  offset: number;
  /** The batch's partitionLeaderEpoch, or -1. */
  leaderEpoch: number;
}

/** Visits each valid batch during recovery (producer state, leader epochs). */
export type RecoveryVisitor = (header: BatchHeader, bytes: Uint8Array) => void;

export class LogSegment {
  readonly baseOffset: number;
  readonly logPath: string;
  readonly offsetIndexPath: string;
  readonly timeIndexPath: string;
  readonly #options: SegmentOptions;
  readonly #log: FileHandle;
  #offsetIndex: OffsetIndex | null = null;
  #timeIndex: TimeIndex | null = null;
  #maxTimestampAndOffset: TimestampOffset | null = null;
  #bytesSinceLastIndexEntry = 0;
  #rollingBasedTimestamp: number | null = null;
  #createdMs: number;
  #rebuilding = false;

  private constructor(options: SegmentOptions, log: FileHandle) {
    this.#options = options;
    this.baseOffset = options.baseOffset;
    this.logPath = joinPath(options.directory, offsetFileName(options.baseOffset, LOG_FILE_SUFFIX));
    this.offsetIndexPath = joinPath(options.directory, offsetFileName(options.baseOffset, INDEX_FILE_SUFFIX));
    this.timeIndexPath = joinPath(
      options.directory,
      offsetFileName(options.baseOffset, TIME_INDEX_FILE_SUFFIX),
    );
    this.#log = log;
    this.#createdMs = options.nowMs;
  }

  /** Creates an empty segment, removing any leftover files of the same name first. */
  static create(options: SegmentOptions): LogSegment {
    const { disk, directory, baseOffset } = options;
    for (
      const suffix of [
        LOG_FILE_SUFFIX,
        INDEX_FILE_SUFFIX,
        TIME_INDEX_FILE_SUFFIX,
        TRANSACTION_INDEX_FILE_SUFFIX,
      ]
    ) {
      disk.remove(joinPath(directory, offsetFileName(baseOffset, suffix)));
    }
    const log = disk.open(joinPath(directory, offsetFileName(baseOffset, LOG_FILE_SUFFIX)), { create: true });
    const segment = new LogSegment(options, log);
    segment.#offsetIndex = OffsetIndex.open(segment.#indexOptions(segment.offsetIndexPath));
    segment.#timeIndex = TimeIndex.open(segment.#indexOptions(segment.timeIndexPath));
    return segment;
  }

  /** Opens an existing segment; its indexes are read when first needed. */
  static open(options: SegmentOptions): LogSegment {
    const path = joinPath(options.directory, offsetFileName(options.baseOffset, LOG_FILE_SUFFIX));
    return new LogSegment(options, options.disk.open(path));
  }

  #indexOptions(path: string) {
    return {
      disk: this.#options.disk,
      path,
      baseOffset: this.baseOffset,
      maxIndexSizeBytes: this.#options.maxIndexSizeBytes,
    };
  }

  /** Whether both index files are on disk (a missing one means a rebuild). */
  indexFilesExist(): boolean {
    return this.#options.disk.exists(this.offsetIndexPath) && this.#options.disk.exists(this.timeIndexPath);
  }

  /** The offset index, opened (and checked, or rebuilt) on first use. */
  get offsetIndex(): OffsetIndex {
    if (this.#offsetIndex === null) this.#loadIndexes();
    return this.#offsetIndex!;
  }

  /** The time index, opened (and checked, or rebuilt) on first use. */
  get timeIndex(): TimeIndex {
    if (this.#timeIndex === null) this.#loadIndexes();
    return this.#timeIndex!;
  }

  #loadIndexes(): void {
    let replaced = false;
    if (this.#offsetIndex === null) {
      const opened = this.#openOrReplace(
        this.offsetIndexPath,
        () => OffsetIndex.open(this.#indexOptions(this.offsetIndexPath)),
      );
      this.#offsetIndex = opened.index;
      replaced ||= opened.replaced;
    }
    if (this.#timeIndex === null) {
      const opened = this.#openOrReplace(
        this.timeIndexPath,
        () => TimeIndex.open(this.#indexOptions(this.timeIndexPath)),
      );
      this.#timeIndex = opened.index;
      replaced ||= opened.replaced;
    }
    if (this.#rebuilding) return;
    if (replaced || !this.#indexesAreSane()) this.recover();
  }

  /** Opens an index; a file that cannot be an index is removed and a new one started. */
  #openOrReplace<T>(path: string, open: () => T): { index: T; replaced: boolean } {
    try {
      return { index: open(), replaced: false };
    } catch (error) {
      if (!(error instanceof CorruptIndexError)) throw error;
      this.#options.disk.remove(path);
      return { index: open(), replaced: true };
    }
  }

  #indexesAreSane(): boolean {
    try {
      this.#offsetIndex!.sanityCheck(this.size());
      this.#timeIndex!.sanityCheck();
      return true;
    } catch (error) {
      if (error instanceof CorruptIndexError) return false;
      throw error;
    }
  }

  /** Bytes in the `.log` file. */
  size(): number {
    return this.#log.size();
  }

  /** The largest timestamp in the segment and the offset it was seen at. */
  get maxTimestampAndOffset(): TimestampOffset {
    if (this.#maxTimestampAndOffset === null) this.#maxTimestampAndOffset = this.timeIndex.lastEntry();
    return this.#maxTimestampAndOffset;
  }

  /**
   * The newest record's timestamp, which retention.ms compares with now.
   * When no record in the segment carries a timestamp (magic 0 message sets,
   * clients that send -1), Kafka falls back to the `.log` file's modification
   * time, so such records live for retention.ms after their last write.
   */
  get largestTimestamp(): number {
    const timestamp = this.maxTimestampAndOffset.timestamp;
    return timestamp >= 0 ? timestamp : this.#log.modifiedMs();
  }

  /** Whether `offset` can be stored relative to this segment's base offset. */
  canConvertToRelativeOffset(offset: number): boolean {
    return this.offsetIndex.canAppendOffset(offset);
  }

  /**
   * Appends the bytes of one or more batches whose offsets are assigned, and
   * adds index entries every `indexIntervalBytes` as Kafka does.
   */
  append(bytes: Uint8Array, info: SegmentAppendInfo): void {
    if (bytes.length === 0) return;
    const position = this.size();
    if (position === 0) this.#rollingBasedTimestamp = info.largestTimestamp;
    if (!this.canConvertToRelativeOffset(info.lastOffset)) {
      throw new RangeError(`offset ${info.lastOffset} does not fit segment ${this.baseOffset}`);
    }
    this.#log.append(bytes);
    if (info.largestTimestamp > this.maxTimestampAndOffset.timestamp) {
      this.#maxTimestampAndOffset = {
        timestamp: info.largestTimestamp,
        offset: info.offsetOfLargestTimestamp,
      };
    }
    if (this.#bytesSinceLastIndexEntry > this.#options.indexIntervalBytes) {
      this.offsetIndex.append(info.lastOffset, position);
      const max = this.maxTimestampAndOffset;
      this.timeIndex.maybeAppend(max.timestamp, max.offset);
      this.#bytesSinceLastIndexEntry = 0;
    }
    this.#bytesSinceLastIndexEntry += bytes.length;
  }

  /** Visits batch headers from `start` to `end` (file positions) in order. */
  forEachBatchHeader(start: number, end: number, visit: (batch: ScannedBatch) => boolean): void {
    scanFileBatches(this.#log, { start, end, wholeBatches: false }, visit);
  }

  /** Visits whole batches from `start` to `end` (file positions) in order. */
  forEachBatch(start: number, end: number, visit: (batch: ScannedBatch) => boolean): void {
    scanFileBatches(this.#log, { start, end, wholeBatches: true }, visit);
  }

  /**
   * The first batch whose last offset is >= `offset`, searching from the
   * offset index's entry (or `startingPosition` if later); null when the
   * offset is past the end of the segment.
   */
  translateOffset(offset: number, startingPosition = 0): BatchPosition | null {
    const start = Math.max(this.offsetIndex.lookup(offset).position, startingPosition);
    let found: BatchPosition | null = null;
    this.forEachBatchHeader(start, this.size(), (batch) => {
      if (batchLastOffset(batch.header) < offset) return true;
      found = { position: batch.filePosition, size: batchSize(batch.header), header: batch.header };
      return false;
    });
    return found;
  }

  /**
   * Whole batches from the one holding `startOffset`, at most `maxBytes` and
   * not past `maxPosition`; with `minOneBatch` the first batch is returned
   * even if larger than `maxBytes` (as Kafka does for the first partition of
   * a fetch). Null when `startOffset` is past the end of the segment.
   */
  read(
    startOffset: number,
    maxBytes: number,
    maxPosition = this.size(),
    minOneBatch = false,
  ): { bytes: Uint8Array; position: number } | null {
    // One read from the index entry usually covers both the search for the
    // first batch (at most about index.interval.bytes away) and the data.
    const indexed = this.offsetIndex.lookup(startOffset).position;
    const windowEnd = Math.min(
      Math.max(maxPosition, indexed),
      indexed + this.#options.indexIntervalBytes + BATCH_HEADER_SIZE + maxBytes,
    );
    const window = this.#log.readAt(indexed, windowEnd - indexed);
    const found = this.#locateBatch(window, indexed, startOffset);
    if (found === null) return null;
    const adjustedMaxBytes = minOneBatch ? Math.max(maxBytes, found.size) : maxBytes;
    const fetchSize = Math.min(maxPosition - found.position, adjustedMaxBytes);
    if (fetchSize < found.size) return { bytes: new Uint8Array(0), position: found.position };
    const local = found.position - indexed;
    const bytes = local >= 0 && local + fetchSize <= window.length
      ? window.subarray(local, local + fetchSize)
      : this.#log.readAt(found.position, fetchSize);
    return { bytes: bytes.subarray(0, wholeBatchesLength(bytes)), position: found.position };
  }

  /**
   * The first batch whose last offset is >= `offset`, looked for in `window`
   * (read at `windowStart`) and, if the window runs out first, in the file.
   */
  #locateBatch(window: Uint8Array, windowStart: number, offset: number): BatchPosition | null {
    let found: BatchPosition | null = null;
    const stoppedAt = scanWindowHeaders(window, (header, local) => {
      if (batchLastOffset(header) < offset) return true;
      found = { position: windowStart + local, size: batchSize(header), header };
      return false;
    });
    return found ?? this.translateOffset(offset, windowStart + stoppedAt);
  }

  /** The offset after the last batch of the segment. */
  readNextOffset(): number {
    const index = this.offsetIndex;
    const start = index.entryCount === 0 ? 0 : index.entry(index.entryCount - 1).position;
    let next = this.baseOffset;
    this.forEachBatchHeader(start, this.size(), (batch) => {
      next = batchLastOffset(batch.header) + 1;
      return true;
    });
    return next;
  }

  /**
   * The first record with timestamp >= `timestampMs` and offset >=
   * `startingOffset`, or null. Without a decompressor a compressed batch is
   * answered at batch level (its first offset and max timestamp).
   */
  findOffsetByTimestamp(timestampMs: number, startingOffset: number): TimestampAndOffset | null {
    const indexed = this.timeIndex.lookup(timestampMs);
    const position = this.offsetIndex.lookup(Math.max(indexed.offset, startingOffset)).position;
    let result: TimestampAndOffset | null = null;
    this.forEachBatchHeader(position, this.size(), (scanned) => {
      if (scanned.header.maxTimestamp < timestampMs || batchLastOffset(scanned.header) < startingOffset) {
        return true;
      }
      const header = { ...scanned.header, position: 0 };
      const record = this.#findRecord(
        this.readBatch(scanned.filePosition, header),
        header,
        timestampMs,
        startingOffset,
      );
      if (record === null) return true;
      result = { ...record, leaderEpoch: header.partitionLeaderEpoch };
      return false;
    });
    return result;
  }

  #findRecord(bytes: Uint8Array, header: BatchHeader, timestampMs: number, startingOffset: number) {
    const accept = (offset: number, timestamp: number) =>
      timestamp >= timestampMs && offset >= startingOffset;
    try {
      return findRecord(bytes, header, accept, this.#options.decompress);
    } catch (error) {
      if (!(error instanceof CompressedRecordsError)) throw error;
      return { offset: Math.max(header.baseOffset, startingOffset), timestamp: header.maxTimestamp };
    }
  }

  /** The bytes of the batch at `filePosition` whose header is `header`. */
  readBatch(filePosition: number, header: BatchHeader): Uint8Array {
    return this.#log.readAt(filePosition, batchSize(header));
  }

  /**
   * The record holding the segment's largest timestamp (KIP-734's
   * MAX_TIMESTAMP): the first record with that timestamp in the first batch
   * that has it. Null for a segment with no timestamps.
   */
  findOffsetOfMaxTimestamp(): TimestampAndOffset | null {
    const max = this.maxTimestampAndOffset;
    if (max.timestamp < 0) return null;
    let result: TimestampAndOffset | null = null;
    const position = this.offsetIndex.lookup(max.offset).position;
    this.forEachBatchHeader(position, this.size(), (scanned) => {
      if (scanned.header.maxTimestamp !== max.timestamp) return true;
      const header = { ...scanned.header, position: 0 };
      const record = this.#findRecord(this.readBatch(scanned.filePosition, header), header, max.timestamp, 0);
      if (record === null) return true;
      result = { ...record, leaderEpoch: header.partitionLeaderEpoch };
      return false;
    });
    return result;
  }

  /**
   * Rebuilds the indexes from the log and cuts a torn or corrupt tail: every
   * batch must have a sane length, magic 2, a valid CRC and offsets that grow
   * and fit the segment. Returns the bytes truncated.
   */
  recover(visit?: RecoveryVisitor): number {
    this.#rebuilding = true;
    let offsetIndex: OffsetIndex;
    let timeIndex: TimeIndex;
    try {
      offsetIndex = this.offsetIndex;
      timeIndex = this.timeIndex;
    } finally {
      this.#rebuilding = false;
    }
    offsetIndex.reset();
    timeIndex.reset();
    let max: TimestampOffset = { timestamp: NO_TIMESTAMP, offset: this.baseOffset };
    let validBytes = 0;
    let lastIndexEntry = 0;
    let previousLastOffset = this.baseOffset - 1;
    const size = this.size();
    scanFileBatches(this.#log, { start: 0, end: size, wholeBatches: true }, (batch) => {
      const header = batch.header;
      this.#checkMagic(header, batch.filePosition);
      const last = batchLastOffset(header);
      const valid = header.magic === 2 && header.lastOffsetDelta >= 0 &&
        header.baseOffset > previousLastOffset &&
        offsetIndex.canAppendOffset(last) && batchCrcIsValid(batch.bytes, header);
      if (!valid) return false;
      if (header.maxTimestamp > max.timestamp) max = { timestamp: header.maxTimestamp, offset: last };
      if (validBytes - lastIndexEntry > this.#options.indexIntervalBytes) {
        offsetIndex.append(last, validBytes);
        timeIndex.maybeAppend(max.timestamp, max.offset);
        lastIndexEntry = validBytes;
      }
      validBytes += batchSize(header);
      previousLastOffset = last;
      visit?.(header, batch.bytes);
      return true;
    });
    const truncated = size - validBytes;
    if (truncated > 0) this.#log.truncate(validBytes);
    timeIndex.maybeAppend(max.timestamp, max.offset, true);
    // A rebuilt segment may lie below the recovery point, which is never
    // synced again: make the rebuild durable now, or a power loss could tear it.
    if (truncated > 0) this.#log.sync();
    offsetIndex.sync();
    timeIndex.sync();
    this.#maxTimestampAndOffset = max;
    this.#bytesSinceLastIndexEntry = 0;
    this.#rollingBasedTimestamp = null;
    return truncated;
  }

  #checkMagic(header: BatchHeader, filePosition: number): void {
    if (header.magic === 0 || header.magic === 1) {
      throw new UnsupportedMessageFormatError(
        `${this.logPath}@${filePosition}: message format v${header.magic} is not supported`,
      );
    }
  }

  /**
   * Removes every batch from the one holding `offset` on, and the index
   * entries that point at them. Returns the bytes truncated.
   */
  truncateTo(offset: number, nowMs: number): number {
    const mapping = this.translateOffset(offset);
    this.offsetIndex.truncateTo(offset);
    this.timeIndex.truncateTo(offset);
    const before = this.size();
    if (mapping !== null) this.#log.truncate(mapping.position);
    if (this.size() === 0) {
      this.#createdMs = nowMs;
      this.#rollingBasedTimestamp = null;
    }
    this.#bytesSinceLastIndexEntry = 0;
    this.#maxTimestampAndOffset = this.#readLargestTimestamp();
    return before - this.size();
  }

  /** The time index's last entry, or a larger timestamp found in the batches after it. */
  #readLargestTimestamp(): TimestampOffset {
    let largest = this.timeIndex.lastEntry();
    const position = this.offsetIndex.lookup(largest.offset).position;
    this.forEachBatchHeader(position, this.size(), (batch) => {
      if (batch.header.maxTimestamp > largest.timestamp) {
        largest = { timestamp: batch.header.maxTimestamp, offset: batchLastOffset(batch.header) };
      }
      return true;
    });
    return largest;
  }

  /** The time this segment has waited towards a time-based roll (Kafka's timeWaitedForRoll). */
  timeWaitedForRoll(nowMs: number, messageTimestamp: number): number {
    if (this.#rollingBasedTimestamp === null && this.size() > 0) {
      this.forEachBatchHeader(0, this.size(), (batch) => {
        this.#rollingBasedTimestamp = batch.header.maxTimestamp;
        return false;
      });
    }
    const timestamp = this.#rollingBasedTimestamp ?? -1;
    return timestamp >= 0 ? messageTimestamp - timestamp : nowMs - this.#createdMs;
  }

  /** Kafka's shouldRoll: full by size, old enough, an index full, or offsets that do not fit. */
  shouldRoll(check: RollCheck): boolean {
    const size = this.size();
    const reachedRollMs = this.timeWaitedForRoll(check.nowMs, check.maxTimestampInMessages) >
      check.maxSegmentMs - (this.#options.rollJitterMs ?? 0);
    return size > check.maxSegmentBytes - check.messagesSize || (size > 0 && reachedRollMs) ||
      this.offsetIndex.isFull() || this.timeIndex.isFull() ||
      !this.canConvertToRelativeOffset(check.lastOffsetInMessages);
  }

  /**
   * Called when a newer segment takes over: records the largest timestamp in
   * the time index, synced at once (the log's flush skips a segment whose
   * records are all below the recovery point already).
   */
  onBecomeInactive(): void {
    const max = this.maxTimestampAndOffset;
    const entries = this.timeIndex.entryCount;
    this.timeIndex.maybeAppend(max.timestamp, max.offset, true);
    if (this.timeIndex.entryCount !== entries) this.timeIndex.sync();
  }

  /** Makes the log and the loaded indexes durable. */
  sync(): void {
    this.#log.sync();
    this.#offsetIndex?.sync();
    this.#timeIndex?.sync();
  }

  /**
   * Writes the final time index entry (as Kafka does on close), syncs it
   * when one was written (a clean shutdown is trusted at the next start, so
   * nothing may be left unsynced), and closes the files.
   */
  close(): void {
    if (this.#maxTimestampAndOffset !== null && this.#timeIndex !== null) {
      const entries = this.#timeIndex.entryCount;
      this.#timeIndex.maybeAppend(
        this.#maxTimestampAndOffset.timestamp,
        this.#maxTimestampAndOffset.offset,
        true,
      );
      if (this.#timeIndex.entryCount !== entries) this.#timeIndex.sync();
    }
    this.#offsetIndex?.close();
    this.#timeIndex?.close();
    this.#log.close();
  }

  /** Closes the files as they are. */
  closeHandles(): void {
    this.#offsetIndex?.close();
    this.#timeIndex?.close();
    this.#log.close();
  }

  /** Closes and removes the segment's files. */
  delete(): void {
    this.closeHandles();
    const { disk, directory } = this.#options;
    for (
      const suffix of [
        LOG_FILE_SUFFIX,
        INDEX_FILE_SUFFIX,
        TIME_INDEX_FILE_SUFFIX,
        TRANSACTION_INDEX_FILE_SUFFIX,
      ]
    ) {
      disk.remove(joinPath(directory, offsetFileName(this.baseOffset, suffix)));
    }
  }
}
