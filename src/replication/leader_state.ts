/**
 * A partition's replication state on its leader (Kafka's Partition as
 * leader): the committed ISR, the one ISR change in flight, what each
 * follower has, and the high watermark. A pure state machine: the server
 * feeds it the leader's appends, the followers' fetches, the controller's
 * answers and metadata, and sends the AlterPartition it proposes.
 *
 * The rules, as Kafka 4 has them:
 * - The high watermark is the smallest log end among the leader and the
 *   "maximal" ISR (the committed ISR plus a replica being added: it must have
 *   the records before it counts as in sync), and among caught-up eligible
 *   replicas about to join. It never goes back.
 * - One AlterPartition at a time (KIP-497); while a shrink is in flight the
 *   leaving replicas still count for the high watermark, so that nothing is
 *   committed on fewer replicas than the controller may know of.
 * - A replica joins the ISR only when its log reaches the high watermark and
 *   the start offset of the current leader epoch (KAFKA-7128), and only if
 *   the controller would take it: unfenced, not shutting down, at its
 *   registered broker epoch (KIP-841, KIP-903).
 * - A replica leaves when it was last caught up longer ago than
 *   `replica.lag.time.max.ms`. The leader never leaves its own ISR.
 */
import { FollowerProgress } from "./follower_progress.ts";

/** Kafka's leader recovery states (KIP-704). */
export const LeaderRecoveryState = { Recovered: 0, Recovering: 1 } as const;

/** An ISR member with the broker epoch the leader saw it fetch with (-1 when none). */
export interface IsrMember {
  brokerId: number;
  brokerEpoch: number;
}

/** An AlterPartition the leader asks of the controller. */
export interface IsrProposal {
  leaderEpoch: number;
  partitionEpoch: number;
  isr: IsrMember[];
  leaderRecoveryState: number;
}

/** The partition state the controller holds (from an AlterPartition answer or the metadata image). */
export interface CommittedPartitionState {
  leaderEpoch: number;
  partitionEpoch: number;
  isr: readonly number[];
  replicas?: readonly number[];
  leaderRecoveryState?: number;
}

/** Whether the controller would let `brokerId`, fetching at `brokerEpoch`, into an ISR. */
export type IsrEligibility = (brokerId: number, brokerEpoch: number) => boolean;

export interface LeaderStart {
  localId: number;
  leaderEpoch: number;
  partitionEpoch: number;
  replicas: readonly number[];
  isr: readonly number[];
  /** The log end when this epoch began: the first offset this leader writes. */
  leaderEpochStartOffset: number;
  /** The high watermark the local log had (it only grows from here). */
  highWatermark: number;
  leaderRecoveryState?: number;
  nowMs: number;
}

/** The replication settings read at each step (they may change dynamically). */
export interface LeaderSettings {
  replicaLagTimeMaxMs: number;
  eligible: IsrEligibility;
}

export class LeaderState {
  readonly localId: number;
  readonly leaderEpoch: number;
  readonly leaderEpochStartOffset: number;
  #partitionEpoch: number;
  #replicas: readonly number[];
  #isr: readonly number[];
  #recoveryState: number;
  /** The ISR sent to the controller and not yet answered. */
  #inFlight: IsrProposal | null = null;
  #highWatermark: number;
  readonly #followers = new Map<number, FollowerProgress>();

  constructor(start: LeaderStart) {
    this.localId = start.localId;
    this.leaderEpoch = start.leaderEpoch;
    this.leaderEpochStartOffset = start.leaderEpochStartOffset;
    this.#partitionEpoch = start.partitionEpoch;
    this.#replicas = [...start.replicas];
    this.#isr = [...start.isr];
    this.#recoveryState = start.leaderRecoveryState ?? LeaderRecoveryState.Recovered;
    this.#highWatermark = Math.min(start.highWatermark, start.leaderEpochStartOffset);
    this.#syncFollowers(start.nowMs);
  }

  get highWatermark(): number {
    return this.#highWatermark;
  }
  get isr(): readonly number[] {
    return this.#isr;
  }
  get replicas(): readonly number[] {
    return this.#replicas;
  }
  get partitionEpoch(): number {
    return this.#partitionEpoch;
  }
  /** The ISR in flight to the controller, or null. */
  get inFlight(): IsrProposal | null {
    return this.#inFlight;
  }

  /** The committed ISR and the replica being added: every one of them must have a record to commit it. */
  get maximalIsr(): readonly number[] {
    const pending = this.#inFlight?.isr.map((member) => member.brokerId) ?? [];
    return [...new Set([...this.#isr, ...pending])];
  }

  /** Whether the committed ISR is smaller than `min.insync.replicas` (acks=all appends are refused). */
  isUnderMinIsr(minInsyncReplicas: number): boolean {
    return this.#isr.length < minInsyncReplicas;
  }

  /** The follower's progress, or undefined for a broker that is no replica. */
  follower(brokerId: number): FollowerProgress | undefined {
    return this.#followers.get(brokerId);
  }

  /** The leader appended: with no other replica in sync the high watermark moves at once. */
  onLocalAppend(logEndOffset: number, nowMs: number, settings: LeaderSettings): boolean {
    return this.#maybeAdvanceHighWatermark(logEndOffset, nowMs, settings);
  }

  /**
   * A follower fetched from `fetchOffset` (it has every offset below it).
   * Returns whether the high watermark moved; false too for a broker that is
   * no replica (the caller refuses its fetch).
   */
  onFollowerFetch(
    brokerId: number,
    fetch: { fetchOffset: number; brokerEpoch: number; nowMs: number },
    logEndOffset: number,
    settings: LeaderSettings,
  ): boolean {
    const follower = this.#followers.get(brokerId);
    if (follower === undefined) return false;
    follower.onFetch(Math.min(fetch.fetchOffset, logEndOffset), fetch.brokerEpoch, fetch.nowMs, logEndOffset);
    return this.#maybeAdvanceHighWatermark(logEndOffset, fetch.nowMs, settings);
  }

  /**
   * The next AlterPartition to send, or null: none while one is in flight.
   * A recovering leader (after an unclean election) first reports itself
   * recovered; then out-of-sync replicas leave, then one caught-up replica
   * joins. The proposal is held as in flight until `onAnswer`.
   */
  proposeIsrChange(logEndOffset: number, nowMs: number, settings: LeaderSettings): IsrProposal | null {
    if (this.#inFlight !== null) return null;
    let isr: number[] | null = null;
    let recoveryState = this.#recoveryState;
    if (this.#recoveryState === LeaderRecoveryState.Recovering) {
      isr = [...this.#isr];
      recoveryState = LeaderRecoveryState.Recovered;
    } else {
      const outOfSync = this.outOfSyncReplicas(logEndOffset, nowMs, settings.replicaLagTimeMaxMs);
      if (outOfSync.length > 0) isr = this.#isr.filter((id) => !outOfSync.includes(id));
      else {
        const joining = this.#joiningReplica(settings.eligible);
        if (joining !== undefined) isr = [...this.#isr, joining];
      }
    }
    if (isr === null) return null;
    this.#inFlight = {
      leaderEpoch: this.leaderEpoch,
      partitionEpoch: this.#partitionEpoch,
      isr: isr.map((brokerId) => ({
        brokerId,
        brokerEpoch: this.#followers.get(brokerId)?.brokerEpoch ?? -1,
      })),
      leaderRecoveryState: recoveryState,
    };
    return this.#inFlight;
  }

  /** ISR members, other than the leader, not caught up within `lagMaxMs`. */
  outOfSyncReplicas(logEndOffset: number, nowMs: number, lagMaxMs: number): number[] {
    return this.#isr.filter((id) =>
      id !== this.localId && !(this.#followers.get(id)?.isCaughtUp(logEndOffset, nowMs, lagMaxMs) ?? false)
    );
  }

  /**
   * The controller answered the in-flight AlterPartition: with the state it
   * now holds, or null for an error (the proposal is dropped; a later one
   * retries, and metadata brings the controller's state meanwhile).
   */
  onAnswer(proposal: IsrProposal, state: CommittedPartitionState | null): void {
    // An answer to a proposal that metadata already superseded (a newer partition epoch cleared it,
    // and a newer proposal may be in flight) must not drop the newer one: while an expansion is in
    // flight its replica counts for the high watermark, so that it cannot join the ISR lacking
    // committed records (Kafka likewise ignores an answer to a state it no longer holds).
    if (this.#inFlight === proposal) this.#inFlight = null;
    if (state !== null) this.onCommittedState(state);
  }

  /** The controller's state of this partition (metadata); an older one than known is ignored. */
  onCommittedState(state: CommittedPartitionState): void {
    if (state.leaderEpoch !== this.leaderEpoch || state.partitionEpoch < this.#partitionEpoch) return;
    if (state.partitionEpoch > this.#partitionEpoch) this.#inFlight = null;
    this.#partitionEpoch = state.partitionEpoch;
    this.#isr = [...state.isr];
    if (state.replicas) this.#replicas = [...state.replicas];
    if (state.leaderRecoveryState !== undefined) this.#recoveryState = state.leaderRecoveryState;
    this.#syncFollowers(Number.NEGATIVE_INFINITY);
  }

  #joiningReplica(eligible: IsrEligibility): number | undefined {
    const threshold = Math.max(this.#highWatermark, this.leaderEpochStartOffset);
    for (const follower of this.#followers.values()) {
      if (this.#isr.includes(follower.brokerId)) continue;
      if (follower.logEndOffset < threshold) continue;
      if (eligible(follower.brokerId, follower.brokerEpoch)) return follower.brokerId;
    }
    return undefined;
  }

  #maybeAdvanceHighWatermark(logEndOffset: number, nowMs: number, settings: LeaderSettings): boolean {
    const maximal = this.maximalIsr;
    let candidate = logEndOffset;
    for (const follower of this.#followers.values()) {
      const counts = maximal.includes(follower.brokerId) ||
        (follower.isCaughtUp(logEndOffset, nowMs, settings.replicaLagTimeMaxMs) &&
          settings.eligible(follower.brokerId, follower.brokerEpoch));
      if (counts) candidate = Math.min(candidate, follower.logEndOffset);
    }
    if (candidate <= this.#highWatermark) return false;
    this.#highWatermark = candidate;
    return true;
  }

  /** One progress entry per remote replica; new ones start out of sync unless already in the ISR. */
  #syncFollowers(nowMs: number): void {
    for (const id of this.#followers.keys()) {
      if (!this.#replicas.includes(id)) this.#followers.delete(id);
    }
    for (const id of this.#replicas) {
      if (id === this.localId || this.#followers.has(id)) continue;
      const inIsr = this.#isr.includes(id);
      this.#followers.set(id, new FollowerProgress(id, inIsr ? nowMs : Number.NEGATIVE_INFINITY));
    }
  }
}
