/**
 * Which of a log's oldest segments retention deletes, decided as Kafka's
 * UnifiedLog.deleteOldSegments decides it, from plain facts about the
 * segments (no I/O here).
 *
 * Three passes run in order, each over the segments the previous ones left:
 * 1. segments wholly below the log start offset (DeleteRecords moved it);
 * 2. with `cleanup.policy` including delete and `retention.bytes` >= 0, the
 *    oldest segments while the log stays at least that large without them;
 * 3. with delete and `retention.ms` >= 0, segments whose newest timestamp is
 *    older than `retention.ms`.
 * Each pass stops at the first segment it keeps. A segment is never deleted
 * while any of its offsets is at or above the high watermark, so the log start
 * cannot pass it, and an empty active segment is never deleted. Deleting
 * every segment is allowed: the caller then rolls a new active segment first.
 */

/** What retention needs to know about one segment. */
export interface SegmentRetentionFacts {
  baseOffset: number;
  sizeBytes: number;
  /** The newest record's timestamp (see LogSegment.largestTimestamp). */
  largestTimestampMs: number;
}

/** The limits and positions one retention check applies. */
export interface RetentionLimits {
  nowMs: number;
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
  /** Negative: no time limit. */
  retentionMs: number;
  /** Negative: no size limit. */
  retentionBytes: number;
  /** Whether `cleanup.policy` includes delete; without it only pass 1 runs. */
  deleteEnabled: boolean;
}

/** Why a segment goes (Kafka's SegmentDeletionReason). */
export type SegmentDeletionReason = "log-start-offset" | "retention-bytes" | "retention-ms";

/** How many of the oldest segments to delete, and why each goes. */
export interface RetentionDecision {
  count: number;
  /** One reason per deleted segment, oldest first. */
  reasons: SegmentDeletionReason[];
}

/** Applies the three passes; see the file comment. */
export function decideRetention(
  segments: readonly SegmentRetentionFacts[],
  limits: RetentionLimits,
): RetentionDecision {
  const reasons: SegmentDeletionReason[] = [];
  const pass = (reason: SegmentDeletionReason, deletable: (index: number) => boolean): void => {
    for (let index = reasons.length; index < segments.length; index++) {
      const segment = segments[index]!;
      const next = segments[index + 1];
      const upperBoundOffset = next?.baseOffset ?? limits.logEndOffset;
      const lastAndEmpty = next === undefined && segment.sizeBytes === 0;
      if (lastAndEmpty || limits.highWatermark < upperBoundOffset || !deletable(index)) return;
      reasons.push(reason);
    }
  };
  pass("log-start-offset", (index) => {
    const next = segments[index + 1];
    return next !== undefined && next.baseOffset <= limits.logStartOffset;
  });
  if (!limits.deleteEnabled) return { count: reasons.length, reasons };
  if (limits.retentionBytes >= 0) {
    const remainingBytes = segments.slice(reasons.length).reduce(
      (sum, segment) => sum + segment.sizeBytes,
      0,
    );
    let excessBytes = remainingBytes - limits.retentionBytes;
    if (excessBytes >= 0) {
      pass("retention-bytes", (index) => {
        const size = segments[index]!.sizeBytes;
        if (excessBytes - size < 0) return false;
        excessBytes -= size;
        return true;
      });
    }
  }
  if (limits.retentionMs >= 0) {
    pass("retention-ms", (index) => limits.nowMs - segments[index]!.largestTimestampMs > limits.retentionMs);
  }
  return { count: reasons.length, reasons };
}
