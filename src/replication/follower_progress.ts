/**
 * What a leader knows of one remote replica, from the fetches it sends
 * (Kafka's ReplicaState): how far its log reaches, when it was last caught
 * up, and the broker epoch it fetched with (KIP-903).
 *
 * "Caught up" is Kafka's rule: a fetch at or past the leader's log end
 * catches the replica up at the fetch's time; a fetch at or past the log end
 * the leader had at the previous fetch catches it up at the previous fetch's
 * time (it has everything that existed then). A replica in the ISR whose
 * last catch-up is older than `replica.lag.time.max.ms` is out of sync.
 */

/** An offset the leader does not know yet (no fetch since it became leader). */
export const UNKNOWN_OFFSET = -1;

export class FollowerProgress {
  logEndOffset = UNKNOWN_OFFSET;
  brokerEpoch = -1;
  lastCaughtUpTimeMs: number;
  #lastFetchLeaderLogEndOffset = UNKNOWN_OFFSET;
  #lastFetchTimeMs = 0;

  /** `lastCaughtUpTimeMs` starts at the leader's start for ISR members: they get a full lag period. */
  constructor(readonly brokerId: number, lastCaughtUpTimeMs: number) {
    this.lastCaughtUpTimeMs = lastCaughtUpTimeMs;
  }

  /** Records a fetch from offset `fetchOffset` while the leader's log ended at `leaderLogEndOffset`. */
  onFetch(fetchOffset: number, brokerEpoch: number, nowMs: number, leaderLogEndOffset: number): void {
    if (fetchOffset >= leaderLogEndOffset) {
      this.lastCaughtUpTimeMs = Math.max(this.lastCaughtUpTimeMs, nowMs);
    } else if (fetchOffset >= this.#lastFetchLeaderLogEndOffset && this.#lastFetchLeaderLogEndOffset >= 0) {
      this.lastCaughtUpTimeMs = Math.max(this.lastCaughtUpTimeMs, this.#lastFetchTimeMs);
    }
    this.logEndOffset = fetchOffset;
    this.brokerEpoch = brokerEpoch;
    this.#lastFetchLeaderLogEndOffset = leaderLogEndOffset;
    this.#lastFetchTimeMs = nowMs;
  }

  /** Whether the replica has the leader's whole log, or had it within the last `lagMaxMs`. */
  isCaughtUp(leaderLogEndOffset: number, nowMs: number, lagMaxMs: number): boolean {
    return this.logEndOffset === leaderLogEndOffset || nowMs - this.lastCaughtUpTimeMs <= lagMaxMs;
  }
}
