/**
 * A partition's log: the folder `<topic>-<partition>/` with its segments,
 * leader epoch checkpoint, producer snapshots and `partition.metadata`.
 *
 * Appends come in two kinds. A leader's append (`append`) takes batches as a
 * client sent them, checks producer state (a duplicate is answered with the
 * original offsets and not written again), writes the offsets and leader
 * epoch into the batch headers in place and appends the bytes unchanged. A
 * follower's append (`appendAsFollower`) takes batches whose offsets the
 * leader assigned. Reads return whole batches as they lie in the file.
 *
 * All I/O goes through the `Disk` given, synchronously; time is passed in.
 */
import { type Clock, type Disk, DiskError } from "../io/mod.ts";
import {
  assignOffsets,
  type BatchHeader,
  lastOffset as batchLastOffset,
  NO_PRODUCER_ID,
  scanBatches,
  timestampTypeIsLogAppend,
} from "../protocol/mod.ts";
import type { Decompress } from "./batch_records.ts";
import { DelayedFileDeleter } from "./file_deleter.ts";
import { partitionDirectoryName } from "./file_names.ts";
import { type EpochEndOffset, LeaderEpochCache, UNDEFINED_EPOCH } from "./leader_epoch_cache.ts";
import { type LogConfig, type LogConfigSource, resolveLogConfig } from "./log_config.ts";
import { KafkaStorageError, LogErrorCode, OffsetOutOfRangeError } from "./log_errors.ts";
import { loadLog, rebuildProducerState } from "./partition_log_loader.ts";
import { readPartitionMetadata, writePartitionMetadata } from "./partition_metadata.ts";
import type { AppendOrigin, CompletedTransaction } from "./producer_append.ts";
import { type ProducerAppendSession, ProducerStateManager } from "./producer_state.ts";
import { decideRetention } from "./retention.ts";
import { LogSegment, type SegmentOptions, type TimestampAndOffset } from "./segment.ts";
import { markSegmentForDeletion } from "./segment_deletion.ts";
import { SegmentList } from "./segment_list.ts";

/** ListOffsets' special timestamps (Kafka's ListOffsetsRequest). */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export const MAX_TIMESTAMP = -3;
export const EARLIEST_LOCAL_TIMESTAMP = -4;
export const LATEST_TIERED_TIMESTAMP = -5;

/** Options to open a partition log. */
export interface PartitionLogOptions {
  disk: Disk;
  clock: Clock;
  /** The partition's folder; created when missing. */
  directory: string;
  topic: string;
  partition: number;
  config?: LogConfigSource;
  /** From `recovery-point-offset-checkpoint`; 0 when the partition is not listed. */
  recoveryPoint?: number;
  /** From `log-start-offset-checkpoint`; 0 when the partition is not listed. */
  logStartOffset?: number;
  /** Whether the log directory had its `.kafka_cleanshutdown` marker. */
  hadCleanShutdown?: boolean;
  /** The topic id to record in `partition.metadata` (checked against a stored one). */
  topicId?: Uint8Array | null;
  /** For timestamp lookups inside compressed batches. */
  decompress?: Decompress;
  /** Removes deleted segments' `.deleted` files later; the log makes its own when not given. */
  fileDeleter?: DelayedFileDeleter;
  log?: (line: string) => void;
}

/** How to append. */
export interface AppendOptions {
  /** The leader epoch written into every batch. */
  leaderEpoch: number;
  nowMs: number;
  /** Defaults to "client": full producer checks. */
  origin?: AppendOrigin;
}

/** What an append did; `errorCode` is a Kafka error code, 0 on success. */
export interface AppendResult {
  errorCode: number;
  errorMessage: string | null;
  /** The first offset given (or, for a duplicate, given the first time); -1 on error. */
  baseOffset: number;
  lastOffset: number;
  /** The batch's LogAppendTime, or -1 when it uses CreateTime. */
  logAppendTimeMs: number;
  /** True when the batch was a retry of one already in the log, which was not written again. */
  duplicate: boolean;
  /** Transactions ended by markers in this append. */
  completedTransactions: CompletedTransaction[];
}

/** How much to read. */
export interface ReadOptions {
  maxBytes: number;
  /** Read no batch at or beyond this offset (the high watermark); defaults to the log end. */
  maxOffset?: number;
  /** Return the first batch even when it is larger than maxBytes. */
  minOneBatch?: boolean;
}

/** Thrown when a stored `partition.metadata` names another topic id (Kafka's InconsistentTopicIdException). */
export class InconsistentTopicIdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InconsistentTopicIdError";
  }
}

function failure(errorCode: number, errorMessage: string): AppendResult {
  return {
    errorCode,
    errorMessage,
    baseOffset: -1,
    lastOffset: -1,
    logAppendTimeMs: -1,
    duplicate: false,
    completedTransactions: [],
  };
}

export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly directory: string;
  readonly #options: PartitionLogOptions;
  readonly #disk: Disk;
  readonly #segments = new SegmentList();
  readonly #leaderEpochCache: LeaderEpochCache;
  readonly #producerState: ProducerStateManager;
  #logStartOffset = 0;
  #nextOffset = 0;
  #recoveryPoint = 0;
  #lastFlushTimeMs: number;
  #directoryDirty = false;
  #topicId: Uint8Array | null = null;
  #closed = false;
  #offlineReason: string | null = null;
  readonly #fileDeleter: DelayedFileDeleter;

  private constructor(options: PartitionLogOptions) {
    this.#options = options;
    this.#disk = options.disk;
    this.topic = options.topic;
    this.partition = options.partition;
    this.directory = options.directory;
    this.#lastFlushTimeMs = options.clock.nowMs();
    this.#fileDeleter = options.fileDeleter ?? new DelayedFileDeleter(options);
    options.disk.mkdirs(options.directory);
    this.#leaderEpochCache = LeaderEpochCache.open(options.disk, options.directory);
    this.#producerState = new ProducerStateManager({
      disk: options.disk,
      directory: options.directory,
      producerIdExpirationMs: this.config().producerIdExpirationMs,
    });
  }

  /** Opens (or creates) the log in `options.directory`, recovering it as Kafka does. */
  static open(options: PartitionLogOptions): PartitionLog {
    const log = new PartitionLog(options);
    log.#loadTopicId(options.topicId ?? null);
    const loaded = loadLog({
      disk: options.disk,
      directory: options.directory,
      segments: log.#segments,
      leaderEpochCache: log.#leaderEpochCache,
      producerState: log.#producerState,
      segmentOptions: (baseOffset) => log.#segmentOptions(baseOffset),
      hadCleanShutdown: options.hadCleanShutdown ?? false,
      recoveryPointCheckpoint: options.recoveryPoint ?? 0,
      logStartOffsetCheckpoint: options.logStartOffset ?? 0,
      nowMs: options.clock.nowMs(),
      log: (line) => options.log?.(`[${partitionDirectoryName(log.topic, log.partition)}] ${line}`),
    });
    log.#logStartOffset = loaded.logStartOffset;
    log.#nextOffset = loaded.nextOffset;
    log.#recoveryPoint = loaded.recoveryPoint;
    // Files created while loading (the first segment, partition.metadata, the epoch checkpoint)
    // survive a power loss only once the folder entry that names them is synced.
    options.disk.syncDirectory(options.directory);
    return log;
  }

  #loadTopicId(topicId: Uint8Array | null): void {
    const stored = readPartitionMetadata(this.#disk, this.directory);
    if (stored !== null && topicId !== null && !sameBytes(stored, topicId)) {
      throw new InconsistentTopicIdError(`${this.directory} belongs to another topic id than the one given`);
    }
    this.#topicId = stored ?? topicId;
    if (stored === null && topicId !== null) writePartitionMetadata(this.#disk, this.directory, topicId);
  }

  /** The settings in force now. */
  config(): LogConfig {
    return resolveLogConfig(this.#options.config);
  }

  #segmentOptions(baseOffset: number): SegmentOptions {
    const config = this.config();
    return {
      disk: this.#disk,
      directory: this.directory,
      baseOffset,
      indexIntervalBytes: config.indexIntervalBytes,
      maxIndexSizeBytes: config.segmentIndexBytes,
      rollJitterMs: config.segmentJitterMs,
      nowMs: this.#options.clock.nowMs(),
      decompress: this.#options.decompress,
    };
  }

  get logStartOffset(): number {
    return this.#logStartOffset;
  }

  /** The offset the next batch will get. */
  get logEndOffset(): number {
    return this.#nextOffset;
  }

  /** Every offset below this is synced to disk. */
  get recoveryPoint(): number {
    return this.#recoveryPoint;
  }

  /** Messages appended since the last flush. */
  get unflushedMessages(): number {
    return this.#nextOffset - this.#recoveryPoint;
  }

  get topicId(): Uint8Array | null {
    return this.#topicId;
  }

  get producerState(): ProducerStateManager {
    return this.#producerState;
  }

  get leaderEpochCache(): LeaderEpochCache {
    return this.#leaderEpochCache;
  }

  /** The latest leader epoch in the log, or -1. */
  get latestEpoch(): number {
    return this.#leaderEpochCache.latestEpoch();
  }

  /** The base offsets of the segments, oldest first. */
  segmentBaseOffsets(): number[] {
    return this.#segments.baseOffsets();
  }

  /**
   * The segments, oldest first, the last one active. For the cleaner, which
   * reads them between appends; rolls, truncation, retention and swaps change
   * the list, so it must not be kept across those.
   */
  segments(): readonly LogSegment[] {
    return this.#segments.all();
  }

  /**
   * Compaction's last step (Kafka's replaceSegments): `replaced`, consecutive
   * inactive segments, give way to the cleaned segment whose files the
   * cleaner has just renamed into place under the first one's base offset.
   * The replaced segments' handles are closed and the producer snapshots of
   * those whose base offset is gone are removed. Returns the new segment.
   */
  replaceSegments(replaced: readonly LogSegment[]): LogSegment {
    this.#checkOpen();
    const start = this.#segments.all().indexOf(replaced[0]!);
    const fits = start >= 0 && start + replaced.length < this.#segments.length &&
      replaced.every((segment, index) => this.#segments.at(start + index) === segment);
    if (!fits) {
      throw new Error(`${this.directory}: the segments to replace are not consecutive inactive ones`);
    }
    const tail = this.#segments.removeFrom(start);
    for (const segment of replaced) segment.closeHandles();
    const cleaned = LogSegment.open(this.#segmentOptions(replaced[0]!.baseOffset));
    this.#segments.add(cleaned);
    for (const segment of tail.slice(replaced.length)) this.#segments.add(segment);
    for (const segment of replaced.slice(1)) this.#producerState.deleteSnapshot(segment.baseOffset);
    return cleaned;
  }

  /** Bytes in all `.log` files. */
  sizeInBytes(): number {
    return this.#segments.all().reduce((sum, segment) => sum + segment.size(), 0);
  }

  /** Records the topic id in `partition.metadata` (once; a different id is refused). */
  assignTopicId(topicId: Uint8Array): void {
    if (this.#topicId !== null) {
      if (!sameBytes(this.#topicId, topicId)) {
        throw new InconsistentTopicIdError(`${this.directory} has another topic id`);
      }
      return;
    }
    writePartitionMetadata(this.#disk, this.directory, topicId);
    this.#topicId = topicId;
  }

  /**
   * Appends a client's (or coordinator's) batches: producer checks first,
   * then offsets from the log end and `leaderEpoch` are written into the
   * headers in place (the CRC does not cover them) and the bytes appended.
   */
  append(bytes: Uint8Array, options: AppendOptions): AppendResult {
    this.#checkOpen();
    const checked = checkBatches(bytes);
    if (typeof checked === "string") return failure(LogErrorCode.CORRUPT_MESSAGE, checked);
    const origin = options.origin ?? "client";
    const session = this.#producerState.prepareAppend(origin);
    const assigned: BatchHeader[] = [];
    let nextOffset = this.#nextOffset;
    for (const header of checked) {
      const planned = { ...header, baseOffset: nextOffset, partitionLeaderEpoch: options.leaderEpoch };
      nextOffset = batchLastOffset(planned) + 1;
      assigned.push(planned);
      if (header.producerId === NO_PRODUCER_ID) continue;
      if (origin === "client") {
        const duplicate = this.#producerState.findDuplicate(header);
        if (duplicate !== null) return duplicateResult(duplicate);
      }
      const error = session.appendBatch(planned, bytes);
      if (error !== null) return failure(error.errorCode, error.message);
    }
    for (const header of assigned) {
      assignOffsets(bytes, header.position, header.baseOffset, options.leaderEpoch);
    }
    return this.#appendAssigned(bytes, assigned, session, options.nowMs);
  }

  /**
   * Appends batches a leader already gave offsets to (replication). The
   * first offset must not be below the log end; gaps (from compaction) are kept.
   */
  appendAsFollower(bytes: Uint8Array, nowMs: number): AppendResult {
    this.#checkOpen();
    const checked = checkBatches(bytes);
    if (typeof checked === "string") return failure(LogErrorCode.CORRUPT_MESSAGE, checked);
    let expected = this.#nextOffset;
    for (const header of checked) {
      if (header.baseOffset < expected) {
        throw new RangeError(`replicated offset ${header.baseOffset} is below the next offset ${expected}`);
      }
      expected = batchLastOffset(header) + 1;
    }
    const session = this.#producerState.prepareAppend("replication");
    for (const header of checked) {
      if (header.producerId !== NO_PRODUCER_ID) session.appendBatch(header, bytes);
    }
    return this.#appendAssigned(bytes, checked, session, nowMs);
  }

  #appendAssigned(
    bytes: Uint8Array,
    headers: BatchHeader[],
    session: ProducerAppendSession,
    nowMs: number,
  ): AppendResult {
    const config = this.config();
    if (bytes.length > config.segmentBytes) {
      return failure(
        LogErrorCode.RECORD_LIST_TOO_LARGE,
        `${bytes.length} bytes exceed the segment size ${config.segmentBytes}`,
      );
    }
    const first = headers[0]!;
    const lastOffset = batchLastOffset(headers[headers.length - 1]!);
    let largest = first;
    for (const header of headers) if (header.maxTimestamp > largest.maxTimestamp) largest = header;
    for (const header of headers) {
      if (header.partitionLeaderEpoch >= 0) {
        this.#leaderEpochCache.assign(header.partitionLeaderEpoch, header.baseOffset);
      }
    }
    const segment = this.#maybeRoll(
      config,
      bytes.length,
      largest.maxTimestamp,
      lastOffset,
      first.baseOffset,
      nowMs,
    );
    segment.append(bytes, {
      lastOffset,
      largestTimestamp: largest.maxTimestamp,
      offsetOfLargestTimestamp: batchLastOffset(largest),
    });
    this.#nextOffset = lastOffset + 1;
    this.#producerState.commit(session);
    this.#producerState.mapEndOffset = this.#nextOffset;
    if (this.unflushedMessages >= config.flushMessages) this.flush(nowMs);
    return {
      errorCode: LogErrorCode.NONE,
      errorMessage: null,
      baseOffset: first.baseOffset,
      lastOffset,
      logAppendTimeMs: timestampTypeIsLogAppend(first.attributes) ? first.maxTimestamp : -1,
      duplicate: false,
      completedTransactions: session.completedTransactions,
    };
  }

  #maybeRoll(
    config: LogConfig,
    messagesSize: number,
    maxTimestampInMessages: number,
    lastOffsetInMessages: number,
    firstOffset: number,
    nowMs: number,
  ): LogSegment {
    const active = this.#segments.last()!;
    const shouldRoll = active.shouldRoll({
      maxSegmentBytes: config.segmentBytes,
      maxSegmentMs: config.segmentMs,
      messagesSize,
      maxTimestampInMessages,
      lastOffsetInMessages,
      nowMs,
    });
    return shouldRoll ? this.roll(nowMs, firstOffset) : active;
  }

  /**
   * Starts a new active segment at the log end (or `expectedNextOffset` if
   * later) and snapshots producer state at its base offset. The segments
   * before it are synced first (Kafka schedules that flush after the roll;
   * Dafka's Disk is synchronous): a new segment file then never exists while
   * the tail before it could still be lost, which would leave a hole in the
   * offsets after a power loss.
   */
  roll(nowMs: number, expectedNextOffset = 0): LogSegment {
    this.#checkOpen();
    const newOffset = Math.max(expectedNextOffset, this.#nextOffset);
    const active = this.#segments.last()!;
    if (active.baseOffset === newOffset && active.size() === 0) return active;
    active.onBecomeInactive();
    this.#flushUpTo(newOffset, nowMs);
    const segment = LogSegment.create(this.#segmentOptions(newOffset));
    this.#segments.add(segment);
    this.#directoryDirty = true;
    this.#producerState.mapEndOffset = newOffset;
    this.#producerState.takeSnapshot();
    return segment;
  }

  /** Syncs every unflushed segment and moves the recovery point to the log end. */
  flush(nowMs = this.#options.clock.nowMs()): void {
    this.#checkOpen();
    this.#flushUpTo(this.#nextOffset, nowMs, true);
  }

  /** Flushes when `flush.ms` has passed since the last flush and something is unflushed. */
  maybeFlush(nowMs: number): void {
    if (this.unflushedMessages > 0 && nowMs - this.#lastFlushTimeMs >= this.config().flushMs) {
      this.flush(nowMs);
    }
  }

  #flushUpTo(offset: number, nowMs: number, includeActive = false): void {
    const end = includeActive ? Number.POSITIVE_INFINITY : offset;
    if (offset <= this.#recoveryPoint && !this.#directoryDirty) return;
    for (const segment of this.#segments.overlapping(this.#recoveryPoint, end)) segment.sync();
    if (this.#directoryDirty) {
      this.#disk.syncDirectory(this.directory);
      this.#directoryDirty = false;
    }
    this.#recoveryPoint = Math.max(this.#recoveryPoint, offset);
    this.#lastFlushTimeMs = nowMs;
  }

  /**
   * Whole batches from the one holding `fetchOffset`. Throws
   * OffsetOutOfRangeError below the log start or beyond the log end; at the
   * log end (or `maxOffset`) the result is empty.
   */
  read(fetchOffset: number, options: ReadOptions): Uint8Array {
    this.#checkOpen();
    if (fetchOffset < this.#logStartOffset || fetchOffset > this.#nextOffset) {
      throw new OffsetOutOfRangeError(fetchOffset, this.#logStartOffset, this.#nextOffset);
    }
    const maxOffset = Math.min(options.maxOffset ?? this.#nextOffset, this.#nextOffset);
    if (fetchOffset >= maxOffset) return new Uint8Array(0);
    const maxOffsetSegment = this.#segments.floor(maxOffset);
    for (
      let index = Math.max(0, this.#segments.floorIndex(fetchOffset));
      index < this.#segments.length;
      index++
    ) {
      const segment = this.#segments.at(index)!;
      if (maxOffsetSegment !== undefined && segment.baseOffset > maxOffsetSegment.baseOffset) break;
      const maxPosition = segment === maxOffsetSegment && maxOffset < this.#nextOffset
        ? segment.translateOffset(maxOffset)?.position ?? segment.size()
        : segment.size();
      const read = segment.read(fetchOffset, options.maxBytes, maxPosition, options.minOneBatch ?? false);
      if (read !== null) return read.bytes;
    }
    return new Uint8Array(0);
  }

  /**
   * ListOffsets: the first record with timestamp >= `timestampMs`, or the
   * answer for a special timestamp (LATEST -1, EARLIEST -2, MAX_TIMESTAMP -3,
   * EARLIEST_LOCAL -4, LATEST_TIERED -5). Null when no record qualifies.
   */
  offsetForTimestamp(timestampMs: number): TimestampAndOffset | null {
    this.#checkOpen();
    switch (timestampMs) {
      case EARLIEST_TIMESTAMP:
      case EARLIEST_LOCAL_TIMESTAMP:
        return { timestamp: -1, offset: this.#logStartOffset, leaderEpoch: this.#earliestEpoch() };
      case LATEST_TIMESTAMP:
        return { timestamp: -1, offset: this.#nextOffset, leaderEpoch: this.latestEpoch };
      case MAX_TIMESTAMP:
        return this.maxTimestampOffset();
      case LATEST_TIERED_TIMESTAMP:
        return { timestamp: -1, offset: -1, leaderEpoch: -1 };
    }
    // Segments wholly below the log start wait for the retention check; they answer nothing.
    const firstLive = Math.max(0, this.#segments.floorIndex(this.#logStartOffset));
    const segment = this.#segments.all().slice(firstLive).find((candidate) =>
      candidate.maxTimestampAndOffset.timestamp >= timestampMs
    );
    return segment?.findOffsetByTimestamp(timestampMs, this.#logStartOffset) ?? null;
  }

  /** The epoch at the log start, when the earliest cached epoch starts there or before (as Kafka reports it). */
  #earliestEpoch(): number {
    const earliest = this.#leaderEpochCache.earliestEntry();
    return earliest !== null && earliest.startOffset <= this.#logStartOffset
      ? earliest.epoch
      : UNDEFINED_EPOCH;
  }

  /** KIP-734: the record with the largest timestamp in the log, or null for a log without timestamps. */
  maxTimestampOffset(): TimestampAndOffset | null {
    this.#checkOpen();
    let best: LogSegment | null = null;
    for (const segment of this.#segments.all()) {
      if (best === null || segment.maxTimestampAndOffset.timestamp > best.maxTimestampAndOffset.timestamp) {
        best = segment;
      }
    }
    return best?.findOffsetOfMaxTimestamp() ?? null;
  }

  /** The leader epoch that wrote `offset`, or -1. */
  epochForOffset(offset: number): number {
    return this.#leaderEpochCache.epochForOffset(offset);
  }

  /** OffsetForLeaderEpoch: the end offset of `epoch` in this log. */
  endOffsetForEpoch(epoch: number): EpochEndOffset {
    return this.#leaderEpochCache.endOffsetFor(epoch, this.#nextOffset);
  }

  /** Same as endOffsetForEpoch, under the brief's name. */
  offsetForLeaderEpoch(epoch: number): EpochEndOffset {
    return this.endOffsetForEpoch(epoch);
  }

  /**
   * Records that `epoch` starts at `offset` (a new leader's first offset,
   * Kafka's maybeAssignEpochStartOffset), so that followers can find where
   * their logs diverge even before this leader writes a record.
   */
  assignEpochStartOffset(epoch: number, offset: number): void {
    this.#checkOpen();
    if (epoch > this.#leaderEpochCache.latestEpoch()) this.#leaderEpochCache.assign(epoch, offset);
  }

  /**
   * Removes every offset >= `targetOffset` (a follower truncating to its
   * leader). Returns false when the log already ends at or before it.
   */
  truncateTo(targetOffset: number, nowMs = this.#options.clock.nowMs()): boolean {
    this.#checkOpen();
    if (!Number.isSafeInteger(targetOffset) || targetOffset < 0) {
      throw new RangeError(`cannot truncate to the offset ${targetOffset}`);
    }
    if (targetOffset >= this.#nextOffset) {
      // No record to cut, but an epoch may start at the log end with nothing written in it (this
      // replica led that epoch, appended nothing, and lost the office). Kafka drops it here too:
      // kept, it would be sent as the last fetched epoch forever, and the leader, which never had
      // it, would answer with the same divergence at every fetch.
      this.#leaderEpochCache.truncateFromEnd(this.#nextOffset);
      return false;
    }
    if (this.#segments.first()!.baseOffset > targetOffset) {
      this.truncateFullyAndStartAt(targetOffset);
      return true;
    }
    const keep = this.#segments.floorIndex(targetOffset);
    for (const removed of this.#segments.removeFrom(keep + 1)) this.#deleteSegment(removed);
    this.#segments.last()!.truncateTo(targetOffset, nowMs);
    // Truncation is rare (a follower diverged) and must be durable at once: otherwise a power
    // loss could bring the cut tail back under a segment that a later append starts at targetOffset.
    this.#segments.last()!.sync();
    this.#directoryDirty = true;
    this.#nextOffset = targetOffset;
    this.#leaderEpochCache.truncateFromEnd(targetOffset);
    this.#logStartOffset = Math.min(this.#logStartOffset, targetOffset);
    rebuildProducerState({
      segments: this.#segments,
      producerState: this.#producerState,
      logStartOffset: this.#logStartOffset,
      lastOffset: targetOffset,
      reloadFromCleanShutdown: false,
      nowMs,
    });
    this.#recoveryPoint = Math.min(this.#recoveryPoint, targetOffset);
    return true;
  }

  /** Deletes every segment and starts an empty log at `offset`. */
  truncateFullyAndStartAt(offset: number): void {
    this.#checkOpen();
    for (const segment of this.#segments.clear()) segment.delete();
    this.#segments.add(LogSegment.create(this.#segmentOptions(offset)));
    this.#directoryDirty = true;
    this.#leaderEpochCache.clearAndFlush();
    this.#producerState.truncateFullyAndStartAt(offset);
    this.#logStartOffset = offset;
    this.#nextOffset = offset;
    this.#recoveryPoint = offset;
  }

  /**
   * Moves the log start forward (DeleteRecords, retention). As in Kafka, the
   * segments wholly below it stay until the next retention check deletes them
   * (`deleteOldSegments`); reads below the new start are refused at once.
   */
  advanceLogStartOffset(offset: number): void {
    this.#checkOpen();
    if (offset > this.#nextOffset) {
      throw new RangeError(`log start ${offset} beyond the log end ${this.#nextOffset}`);
    }
    if (offset <= this.#logStartOffset) return;
    this.#logStartOffset = offset;
    this.#leaderEpochCache.truncateFromStart(offset);
    this.#producerState.onLogStartOffsetIncremented(offset);
  }

  /**
   * Kafka's deleteOldSegments (see `retention.ts` for the rules): deletes the
   * oldest segments that are below the log start offset or past
   * `retention.bytes`/`retention.ms`, never one that reaches
   * `highWatermark`. When every segment goes, a new active segment is rolled
   * first. Returns the number of segments deleted.
   */
  deleteOldSegments(nowMs: number, highWatermark = this.#nextOffset): number {
    this.#checkOpen();
    const config = this.config();
    const decision = decideRetention(
      this.#segments.all().map((segment) => ({
        baseOffset: segment.baseOffset,
        sizeBytes: segment.size(),
        largestTimestampMs: segment.largestTimestamp,
      })),
      {
        nowMs,
        logStartOffset: this.#logStartOffset,
        logEndOffset: this.#nextOffset,
        highWatermark: Math.min(highWatermark, this.#nextOffset),
        retentionMs: config.retentionMs,
        retentionBytes: config.retentionBytes,
        deleteEnabled: config.cleanupPolicyDelete,
      },
    );
    if (decision.count === 0) return 0;
    const deleted = this.#deleteOldestSegments(decision.count, nowMs, config.fileDeleteDelayMs);
    if (deleted > 0) {
      this.#options.log?.(
        `[${partitionDirectoryName(this.topic, this.partition)}] deleted ${deleted} segments ` +
          `(${[...new Set(decision.reasons)].join(", ")}); the log now starts at ${this.#logStartOffset}`,
      );
    }
    return deleted;
  }

  /**
   * Moves the log start to the first kept segment, then renames the deleted
   * segments' files (and their producer snapshots) to `.deleted` for removal
   * after `file.delete.delay.ms`, oldest first.
   */
  #deleteOldestSegments(count: number, nowMs: number, fileDeleteDelayMs: number): number {
    let doomed = this.#segments.all().slice(0, count);
    if (count === this.#segments.length) {
      const rolled = this.roll(nowMs);
      if (rolled.baseOffset === doomed[doomed.length - 1]!.baseOffset) doomed = doomed.slice(0, -1);
    }
    if (doomed.length === 0) return 0;
    this.advanceLogStartOffset(this.#segments.at(doomed.length)!.baseOffset);
    const renamed: string[] = [];
    try {
      for (const segment of doomed) {
        this.#segments.removeFirst();
        markSegmentForDeletion(this.#disk, segment, renamed);
        const snapshot = this.#producerState.removeAndMarkSnapshotForDeletion(segment.baseOffset);
        if (snapshot !== null) renamed.push(snapshot);
      }
    } finally {
      // Even when a rename fails midway, what was renamed is removed in time.
      this.#fileDeleter.schedule(renamed, fileDeleteDelayMs);
    }
    return doomed.length;
  }

  #deleteSegment(segment: LogSegment): void {
    segment.delete();
    this.#producerState.deleteSnapshot(segment.baseOffset);
  }

  /** Forgets idle producers (Kafka runs this every producer.id.expiration.check.interval.ms). */
  removeExpiredProducers(nowMs: number): void {
    this.#producerState.removeExpiredProducers(nowMs);
  }

  /** A clean close: syncs everything, snapshots producer state, writes final time index entries. */
  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#producerState.mapEndOffset = this.#nextOffset;
    this.#producerState.takeSnapshot();
    for (const segment of this.#segments.all()) segment.close();
    this.#closed = true;
  }

  /** Closes the files without flushing (the log is being deleted or its disk failed). */
  closeHandles(): void {
    if (this.#closed) return;
    for (const segment of this.#segments.all()) segment.closeHandles();
    this.#closed = true;
  }

  /** Why the log stopped after a disk error, or null while it works. */
  get offlineReason(): string | null {
    return this.#offlineReason;
  }

  /**
   * Stops the log after a disk error (see `storage_failure.ts`): its files
   * are closed as they are and every later operation throws
   * KafkaStorageError. The next start recovers it.
   */
  markOffline(reason: string): void {
    if (this.#offlineReason !== null) return;
    this.#offlineReason = reason;
    this.#options.log?.(`[${partitionDirectoryName(this.topic, this.partition)}] offline: ${reason}`);
    try {
      this.closeHandles();
    } catch (error) {
      // Closing files on a failing disk may fail too; the log is not used again either way.
      if (!(error instanceof DiskError)) throw error;
      this.#closed = true;
    }
  }

  /** Closes the files and removes the partition's folder. */
  delete(): void {
    this.closeHandles();
    this.#disk.remove(this.directory);
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  #checkOpen(): void {
    if (this.#offlineReason !== null) {
      throw new KafkaStorageError(`${this.directory} is offline: ${this.#offlineReason}`);
    }
    if (this.#closed) throw new Error(`${this.directory} is closed`);
  }
}

/** The headers of a buffer made only of whole v2 batches, or why it is not one. */
function checkBatches(bytes: Uint8Array): BatchHeader[] | string {
  const { headers, end } = scanBatches(bytes);
  if (headers.length === 0) return "no complete record batch";
  if (end !== bytes.length) return `${bytes.length - end} bytes after the last complete batch`;
  for (const header of headers) {
    if (header.magic !== 2) return `batch at ${header.position} has magic ${header.magic}, not 2`;
    if (header.lastOffsetDelta < 0) return `batch at ${header.position} has a negative lastOffsetDelta`;
  }
  return headers;
}

function duplicateResult(
  duplicate: { lastOffset: number; offsetDelta: number; timestamp: number },
): AppendResult {
  return {
    errorCode: LogErrorCode.NONE,
    errorMessage: null,
    baseOffset: duplicate.lastOffset - duplicate.offsetDelta,
    lastOffset: duplicate.lastOffset,
    logAppendTimeMs: duplicate.timestamp,
    duplicate: true,
    completedTransactions: [],
  };
}

function sameBytes(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && left.every((byte, index) => byte === right[index]);
}
