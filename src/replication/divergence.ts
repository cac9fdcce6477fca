/**
 * Log divergence between a follower and its leader (KIP-101, KIP-279,
 * KIP-595's fetch-based form that Kafka 4 uses for replicas too).
 *
 * A follower sends the epoch of its last record with each fetch. The leader
 * looks that epoch up in its own leader epoch cache: when its log has the
 * epoch ending before the fetch offset, or has no such epoch (only an
 * earlier one), the follower holds records the leader does not, and the
 * leader answers with the "diverging epoch": the largest epoch it has at or
 * below the follower's and where that epoch ends. The follower then cuts its
 * log at the first offset where the two may differ and fetches again; a few
 * rounds converge when several leader changes left several epochs behind.
 *
 * Truncating to the high watermark instead (Kafka before KIP-101) loses
 * committed records when leaders change quickly (KAFKA-1211).
 */

/** An epoch and the offset where it ends on some log (Kafka's EpochEndOffset). */
export interface EpochEnd {
  epoch: number;
  endOffset: number;
}

/** Kafka's UNDEFINED_EPOCH / UNDEFINED_EPOCH_OFFSET. */
export const UNDEFINED_EPOCH = -1;

/** Looks up the largest epoch <= `epoch` on a log, and the offset where it ends there. */
export type EpochLookup = (epoch: number) => EpochEnd;

/**
 * On the leader: the diverging epoch to answer a fetch from `fetchOffset`
 * whose last fetched record has `lastFetchedEpoch`, or null when the
 * follower's log is a prefix of the leader's (or it sent no epoch).
 */
export function divergingEpoch(
  fetchOffset: number,
  lastFetchedEpoch: number,
  leaderEndOffsetFor: EpochLookup,
): EpochEnd | null {
  if (lastFetchedEpoch < 0) return null;
  const end = leaderEndOffsetFor(lastFetchedEpoch);
  if (end.epoch < lastFetchedEpoch || end.endOffset < fetchOffset) return end;
  return null;
}

/**
 * On the follower: where to cut its log after the leader answered with
 * `diverging`. `complete` is false when the follower lacks the leader's
 * epoch and cut only to the end of its own earlier epoch: the next fetch
 * (with the new last epoch) finds out whether more must go.
 */
export function truncationOffset(
  diverging: EpochEnd,
  logEndOffset: number,
  followerEndOffsetFor: EpochLookup,
): { offset: number; complete: boolean } {
  const local = followerEndOffsetFor(diverging.epoch);
  if (local.epoch === UNDEFINED_EPOCH || local.endOffset < 0) {
    // No epoch at or before the leader's here: everything from the leader's answer on may differ.
    return { offset: Math.min(diverging.endOffset, logEndOffset), complete: true };
  }
  if (local.epoch !== diverging.epoch) {
    return { offset: Math.min(local.endOffset, logEndOffset), complete: false };
  }
  return { offset: Math.min(local.endOffset, diverging.endOffset, logEndOffset), complete: true };
}
