/**
 * Which part of a compacted log may be cleaned, and how dirty it is (Kafka's
 * LogCleanerManager.cleanableOffsets, calculateCleanableBytes and
 * maxCompactionDelay, and LogToClean).
 *
 * The log is split at two offsets. Below the first dirty offset (from
 * `cleaner-offset-checkpoint`) the log has been cleaned; from the first
 * uncleanable offset on it may not be cleaned yet: the active segment, what
 * is above the last stable offset (open transactions, or beyond the high
 * watermark), and segments whose newest record is younger than
 * `min.compaction.lag.ms`. The first uncleanable offset is always a segment's
 * base offset, so a cleaning round works on whole segments.
 */
import type { PartitionLog } from "../partition_log.ts";
import type { LogSegment } from "../segment.ts";
import type { CompactionConfig } from "./compaction_config.ts";

/** A log measured for cleaning. */
export interface LogToClean {
  log: PartitionLog;
  /** Where cleaning starts finding the latest offsets of keys. */
  firstDirtyOffset: number;
  /** The base offset of the first segment that may not be cleaned. */
  firstUncleanableOffset: number;
  /** The checkpoint held an impossible offset and must be rewritten with firstDirtyOffset. */
  forceUpdateCheckpoint: boolean;
  /** Bytes of the segments below the first dirty offset. */
  cleanBytes: number;
  /** Bytes of the segments from the first dirty offset to the first uncleanable one. */
  cleanableBytes: number;
  totalBytes: number;
  cleanableRatio: number;
  /** A dirty segment is older than max.compaction.lag.ms: clean whatever the ratio. */
  needCompactionNow: boolean;
}

/**
 * The segments that may hold offsets in [from, to): the one holding `from`
 * and every later one starting below `to` (Kafka's logSegments(from, to)).
 */
export function segmentsBetween(segments: readonly LogSegment[], from: number, to: number): LogSegment[] {
  const result: LogSegment[] = [];
  if (from >= to) return result;
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index]!;
    if (segment.baseOffset >= to) break;
    const next = segments[index + 1];
    if (next !== undefined && next.baseOffset <= from) continue;
    result.push(segment);
  }
  return result;
}

/** The inactive segments from the one holding `offset` on (Kafka's nonActiveLogSegmentsFrom). */
export function inactiveSegmentsFrom(segments: readonly LogSegment[], offset: number): LogSegment[] {
  const active = segments[segments.length - 1];
  return active === undefined ? [] : segmentsBetween(segments, offset, active.baseOffset);
}

function sizeOf(segments: readonly LogSegment[]): number {
  return segments.reduce((sum, segment) => sum + segment.size(), 0);
}

const firstBatchTimestamps = new WeakMap<LogSegment, number>();

/** The maxTimestamp of a segment's first batch, or -1 for an empty segment (cached: inactive segments do not change). */
export function firstBatchTimestamp(segment: LogSegment): number {
  const cached = firstBatchTimestamps.get(segment);
  if (cached !== undefined) return cached;
  let timestamp = -1;
  segment.forEachBatchHeader(0, segment.size(), (batch) => {
    timestamp = batch.header.maxTimestamp;
    return false;
  });
  if (segment.size() > 0) firstBatchTimestamps.set(segment, timestamp);
  return timestamp;
}

/** What `measureLog` needs besides the log. */
export interface MeasureInputs {
  /** The checkpointed first dirty offset, if any. */
  checkpoint: number | undefined;
  nowMs: number;
  config: CompactionConfig;
  /** The last stable offset: no cleaning at or beyond it. */
  lastStableOffset: number;
}

/** Kafka's cleanableOffsets: the first dirty offset and the (unrounded) first uncleanable offset. */
export function cleanableOffsets(log: PartitionLog, inputs: MeasureInputs): {
  firstDirtyOffset: number;
  uncleanableOffset: number;
  forceUpdateCheckpoint: boolean;
} {
  const segments = log.segments();
  const logStartOffset = log.logStartOffset;
  const checkpoint = inputs.checkpoint ?? logStartOffset;
  // A checkpoint below the log start (retention moved it) or past the log end
  // (a lost tail) is reset to the log start, as Kafka does.
  const valid = checkpoint >= logStartOffset && checkpoint <= log.logEndOffset;
  const firstDirtyOffset = valid ? checkpoint : logStartOffset;
  const candidates = [inputs.lastStableOffset, segments[segments.length - 1]!.baseOffset];
  const minLagMs = Math.max(inputs.config.minCompactionLagMs, 0);
  if (minLagMs > 0) {
    const young = inactiveSegmentsFrom(segments, firstDirtyOffset).find((segment) =>
      segment.maxTimestampAndOffset.timestamp > inputs.nowMs - minLagMs
    );
    if (young !== undefined) candidates.push(young.baseOffset);
  }
  return {
    firstDirtyOffset,
    uncleanableOffset: Math.max(firstDirtyOffset, Math.min(...candidates)),
    forceUpdateCheckpoint: !valid,
  };
}

/** How long past max.compaction.lag.ms the oldest dirty segment is (0 when none is). */
export function maxCompactionDelayMs(
  log: PartitionLog,
  firstDirtyOffset: number,
  inputs: MeasureInputs,
): number {
  let earliest = Number.POSITIVE_INFINITY;
  for (const segment of inactiveSegmentsFrom(log.segments(), firstDirtyOffset)) {
    const timestamp = firstBatchTimestamp(segment);
    if (timestamp > 0) earliest = Math.min(earliest, timestamp);
  }
  const cleanUntilMs = inputs.nowMs - Math.max(inputs.config.maxCompactionLagMs, 0);
  return earliest < cleanUntilMs ? cleanUntilMs - earliest : 0;
}

/** Measures one log (Kafka's LogToClean). */
export function measureLog(log: PartitionLog, inputs: MeasureInputs): LogToClean {
  const segments = log.segments();
  const offsets = cleanableOffsets(log, inputs);
  const uncleanable = inactiveSegmentsFrom(segments, offsets.uncleanableOffset)[0] ??
    segments[segments.length - 1]!;
  const firstUncleanableOffset = uncleanable.baseOffset;
  const cleanBytes = sizeOf(segmentsBetween(segments, -1, offsets.firstDirtyOffset));
  const cleanableBytes = sizeOf(
    segmentsBetween(
      segments,
      Math.min(offsets.firstDirtyOffset, firstUncleanableOffset),
      firstUncleanableOffset,
    ),
  );
  const totalBytes = cleanBytes + cleanableBytes;
  return {
    log,
    firstDirtyOffset: offsets.firstDirtyOffset,
    firstUncleanableOffset,
    forceUpdateCheckpoint: offsets.forceUpdateCheckpoint,
    cleanBytes,
    cleanableBytes,
    totalBytes,
    cleanableRatio: totalBytes > 0 ? cleanableBytes / totalBytes : 0,
    needCompactionNow: maxCompactionDelayMs(log, offsets.firstDirtyOffset, inputs) > 0,
  };
}

/**
 * Kafka's grabFilthiestCompactedLog: of the logs with bytes, those past
 * their min.cleanable.dirty.ratio (or overdue by max.compaction.lag.ms with
 * something to clean), the one with the highest dirty ratio.
 */
export function chooseFilthiest(
  candidates: readonly { measured: LogToClean; config: CompactionConfig }[],
): LogToClean | null {
  let best: LogToClean | null = null;
  for (const { measured, config } of candidates) {
    if (measured.totalBytes <= 0) continue;
    const due = (measured.needCompactionNow && measured.cleanableBytes > 0) ||
      measured.cleanableRatio > config.minCleanableDirtyRatio;
    if (due && (best === null || measured.cleanableRatio > best.cleanableRatio)) best = measured;
  }
  return best;
}
