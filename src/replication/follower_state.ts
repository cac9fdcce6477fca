/**
 * A partition's replication state on a follower (Kafka's fetcher thread's
 * per-partition state): which leader and leader epoch it follows, and what
 * one fetch answer means for its log. Pure: the server reads the log's
 * end and epochs, calls `onAnswer`, and carries out the step it returns.
 */
import { type EpochEnd, type EpochLookup, truncationOffset } from "./divergence.ts";

/** A fetch answer for one partition, as the follower received it. */
export interface FollowerFetchAnswer {
  errorCode: number;
  highWatermark: number;
  logStartOffset: number;
  /** The leader's diverging epoch, or null (epoch -1 on the wire). */
  divergingEpoch: EpochEnd | null;
  records: Uint8Array | null;
}

/** What the follower's log must do after a fetch answer. */
export type FollowerStep =
  /** Append the records (maybe none) and take the leader's high watermark and log start. */
  | { kind: "append"; records: Uint8Array; highWatermark: number; logStartOffset: number }
  /** Cut the log at `offset` and fetch again. */
  | { kind: "truncate"; offset: number }
  /** The leader no longer has our fetch offset (its log starts later): start empty at `offset`. */
  | { kind: "restart-at"; offset: number }
  /** Leadership moved or the answer failed: wait for metadata, back off, fetch again. */
  | { kind: "back-off"; errorCode: number };

/** Kafka error codes the follower tells apart. */
const NONE = 0;
const OFFSET_OUT_OF_RANGE = 1;

export interface FollowerLog {
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
  endOffsetFor: EpochLookup;
}

export class FollowerState {
  constructor(
    readonly leaderId: number,
    readonly leaderEpoch: number,
  ) {}

  /** The step for an answer to a fetch sent at `log.logEndOffset`. */
  onAnswer(answer: FollowerFetchAnswer, log: FollowerLog): FollowerStep {
    if (answer.errorCode === OFFSET_OUT_OF_RANGE) {
      // The leader's log starts past ours: start over there. Otherwise our end is past the leader's with
      // no epoch to say where the logs part (or the leader has no epoch as old as ours): cut to our high
      // watermark first, and if that is still too far, to where the leader's log starts.
      if (answer.logStartOffset > log.logEndOffset) {
        return { kind: "restart-at", offset: answer.logStartOffset };
      }
      const floor = Math.max(log.logStartOffset, answer.logStartOffset);
      const cut = log.logEndOffset > log.highWatermark ? log.highWatermark : floor;
      return { kind: "truncate", offset: Math.max(floor, Math.min(cut, log.logEndOffset)) };
    }
    if (answer.errorCode !== NONE) return { kind: "back-off", errorCode: answer.errorCode };
    if (answer.divergingEpoch !== null && answer.divergingEpoch.epoch >= 0) {
      const cut = truncationOffset(answer.divergingEpoch, log.logEndOffset, log.endOffsetFor);
      return { kind: "truncate", offset: cut.offset };
    }
    return {
      kind: "append",
      records: answer.records ?? new Uint8Array(0),
      highWatermark: answer.highWatermark,
      logStartOffset: answer.logStartOffset,
    };
  }

  /**
   * A follower's high watermark: the leader's, but never past its own log end. As in Kafka it follows
   * the leader down too: a new leader may not have learnt the last high watermark yet (it learns it
   * from its followers' next fetches), and the ISR spec's trace validation holds the code to that.
   */
  static highWatermark(leaderHighWatermark: number, logEndOffset: number, _current: number): number {
    return Math.max(0, Math.min(leaderHighWatermark, logEndOffset));
  }
}
