/**
 * Deliberate replication bugs for testing the replication checkers, each a
 * bug Kafka once had. They are planted from outside the node code: the
 * simulator swaps a method of `Partition` (src/server) or `LeaderState`
 * (src/replication) for the length of one run and puts it back.
 *
 * Which seeds of `deno task sim cluster --seed N --bug NAME` catch them (seeds
 * 1 to 60 tried in order, December 2026; 1 to 300 for the last two):
 *
 * - "truncate-to-high-watermark" (KAFKA-1211): a replica becoming follower
 *   cuts its log at its own high watermark, which may lag the leader's: a
 *   record committed above it is gone from this replica, and if it is
 *   elected next the record is gone for good. Seed 4 ("every ISR member
 *   holds every committed record"; without that checker, "replicas agree on
 *   every committed offset" at seed 4 too).
 * - "isr-join-before-epoch-start" (KAFKA-7128): a new leader lets a
 *   follower into the ISR once it reaches the leader's (stale) high
 *   watermark, without the start of the leader's epoch: the follower may
 *   lack records the previous leader committed. Not caught in 60 seeds, nor
 *   in 40 seeds of a profile with frequent kills, pauses and one-batch
 *   fetches: a follower's high watermark lags its leader's by one round trip
 *   only (a replica fetch that moves the high watermark is answered at
 *   once), so a new leader almost never starts with a stale one (2 of 794
 *   leaderships in that profile), and the ISR-coverage checker would catch
 *   the early join the moment it is committed. Nor in 300 seeds of another
 *   (December 2026: links of 5-30 ms, a process kill every 2 s and a pause
 *   every 1.5 s, no power losses or partitions, two acks=all producers every
 *   30 ms, replica.lag.time.max.ms 1000), which "zombie-leader" survives
 *   for 150 seeds too. The ISR spec (spec/isr_bugs.qnt) reaches both.
 * - "fenced-replica-in-isr" (KIP-841, KIP-903): the leader takes every
 *   replica as eligible and sends no broker epochs with its AlterPartition,
 *   so a replica that restarted (maybe with an empty disk) is taken back on
 *   the strength of what its previous life fetched. Seed 6 ("every ISR
 *   member holds every committed record"; the other checkers alone do not
 *   see it within 60 seeds: a failover must follow before the record is gone).
 * - "ack-before-isr": the leader's high watermark is its log end, so acks=all
 *   is answered before the followers have the records. Seed 1 ("every ISR
 *   member holds every committed record"; without it, "no acknowledged
 *   acks=all record is lost" at seed 4).
 * - "zombie-leader" (KIP-320): replicas ignore the leader epoch a fetch
 *   carries, so a deposed leader that has not heard of its successor keeps
 *   serving fetches meant for another epoch. Not caught in 60 seeds, and
 *   probably harmless here: a deposed leader cannot commit (the controller
 *   fences its AlterPartition and its followers fetch elsewhere), a follower
 *   truncates by the last fetched epoch whatever epoch it names, and a
 *   consumer reads below the high watermark only.
 * - "diverge-after-fast-leader-changes" (KIP-279): a follower asks once,
 *   as it starts to follow, where its last epoch ends on the leader and
 *   cuts there, even when the leader lacks that epoch (the answer is then
 *   the end of the leader's largest earlier epoch, past the follower's own
 *   records of its later epoch). Seeds 1 to 300 (December 2026): first at
 *   seed 9 ("the healed cluster recovers within the bound": the logs never
 *   become equal), seed 27 ("replicas are identical below the high
 *   watermark"), seed 41 ("replicas agree on every committed offset"), then
 *   24 seeds of 300 in all.
 * - "stale-broker-epoch" (KIP-903): the leader checks that a joining
 *   replica's broker is registered, unfenced and not shutting down, but not
 *   that it fetched with the broker epoch it registered with, and its
 *   AlterPartition names no epochs: a replica that restarted with less
 *   than it had (a power loss, a lost disk) is let back into the ISR by its previous life's progress.
 *   Seeds 1 to 300: first at seed 19 ("every ISR member holds every
 *   committed record"; then 28, 38, 82, 102, 114, 178, 248, 268; seed 102
 *   by "an idempotent producer's record is where it was acknowledged").
 *   The replica need not lose its disk: at seed 19 a power loss took its
 *   unsynced records and it restarted with an empty log. "fenced-replica-in-isr",
 *   which lets in fenced brokers too, survives seed 19: its timing differs.
 */
import {
  FollowerState,
  type LeaderSettings,
  LeaderState,
  UNDEFINED_EPOCH,
} from "../../src/replication/mod.ts";
import { Partition } from "../../src/server/mod.ts";
import { ErrorCode } from "../../src/protocol/mod.ts";

/** The bugs, by their command-line names. */
export const REPLICATION_BUGS = [
  "truncate-to-high-watermark",
  "isr-join-before-epoch-start",
  "fenced-replica-in-isr",
  "ack-before-isr",
  "zombie-leader",
  "diverge-after-fast-leader-changes",
  "stale-broker-epoch",
] as const;
export type ReplicationBug = typeof REPLICATION_BUGS[number];

/** Plants `bug`; returns the function that takes it out again. */
export function plantReplicationBug(bug: ReplicationBug): () => void {
  switch (bug) {
    case "truncate-to-high-watermark":
      return truncateToHighWatermark();
    case "isr-join-before-epoch-start":
      return isrJoinBeforeEpochStart();
    case "fenced-replica-in-isr":
      return fencedReplicaInIsr();
    case "ack-before-isr":
      return ackBeforeIsr();
    case "zombie-leader":
      return zombieLeader();
    case "diverge-after-fast-leader-changes":
      return divergeAfterFastLeaderChanges();
    case "stale-broker-epoch":
      return staleBrokerEpoch();
  }
}

/** Replaces `prototype[name]` and returns the undo. */
function swap<T extends object, K extends keyof T>(prototype: T, name: K, replacement: T[K]): () => void {
  const original = prototype[name];
  prototype[name] = replacement;
  return () => {
    prototype[name] = original;
  };
}

function truncateToHighWatermark(): () => void {
  const makeFollower = Partition.prototype.makeFollower;
  return swap(Partition.prototype, "makeFollower", function (this: Partition, role) {
    const before = this.followerState;
    makeFollower.call(this, role);
    if (this.followerState === before || this.offline) return;
    if (this.log.logEndOffset > this.highWatermark) this.log.truncateTo(this.highWatermark);
  });
}

function isrJoinBeforeEpochStart(): () => void {
  const makeLeader = Partition.prototype.makeLeader;
  return swap(Partition.prototype, "makeLeader", function (this: Partition, role, nowMs) {
    makeLeader.call(this, role, nowMs);
    const leader = this.leaderState;
    // Only the ISR-join rule reads the epoch's start offset once the state is made.
    if (leader !== null) (leader as { leaderEpochStartOffset: number }).leaderEpochStartOffset = -1;
  });
}

function fencedReplicaInIsr(): () => void {
  const anyone = (settings: LeaderSettings): LeaderSettings => ({ ...settings, eligible: () => true });
  const prototype = LeaderState.prototype;
  const { proposeIsrChange, onLocalAppend, onFollowerFetch } = prototype;
  const undo = [
    swap(prototype, "proposeIsrChange", function (this: LeaderState, logEndOffset, nowMs, settings) {
      const proposal = proposeIsrChange.call(this, logEndOffset, nowMs, anyone(settings));
      for (const member of proposal?.isr ?? []) member.brokerEpoch = -1;
      return proposal;
    }),
    swap(prototype, "onLocalAppend", function (this: LeaderState, logEndOffset, nowMs, settings) {
      return onLocalAppend.call(this, logEndOffset, nowMs, anyone(settings));
    }),
    swap(prototype, "onFollowerFetch", function (this: LeaderState, brokerId, fetch, logEndOffset, settings) {
      return onFollowerFetch.call(this, brokerId, fetch, logEndOffset, anyone(settings));
    }),
  ];
  return () => undo.forEach((action) => action());
}

function ackBeforeIsr(): () => void {
  const prototype = Partition.prototype;
  const descriptor = Object.getOwnPropertyDescriptor(prototype, "highWatermark")!;
  Object.defineProperty(prototype, "highWatermark", {
    ...descriptor,
    get(this: Partition) {
      return this.leaderState !== null ? this.log.logEndOffset : descriptor.get!.call(this);
    },
  });
  return () => Object.defineProperty(prototype, "highWatermark", descriptor);
}

function zombieLeader(): () => void {
  return swap(Partition.prototype, "checkLeaderEpoch", function (this: Partition) {
    return this.offline ? ErrorCode.KAFKA_STORAGE_ERROR : ErrorCode.NONE;
  });
}

/**
 * KIP-101 before KIP-279: a follower asks once, as it starts to follow, where its last epoch ends on
 * the leader, and cuts there, as if the answer were final. When the leader lacks the follower's epoch
 * (leadership moved twice quickly) the answer is where the leader's largest earlier epoch ends, and
 * the follower's own records of its later epoch below that offset stay. Two swaps: the follower takes
 * an intermediate answer as complete, and the leader checks a follower's log only on its first fetch
 * of the leadership (per broker epoch: a restart starts over), as the single OffsetsForLeaderEpoch did.
 */
function divergeAfterFastLeaderChanges(): () => void {
  const { onAnswer } = FollowerState.prototype;
  const { readForReplica } = Partition.prototype;
  const checked = new WeakMap<LeaderState, Set<string>>();
  const undo = [
    swap(FollowerState.prototype, "onAnswer", function (this: FollowerState, answer, log) {
      const step = onAnswer.call(this, answer, log);
      const diverging = answer.divergingEpoch;
      if (step.kind !== "truncate" || diverging === null || answer.errorCode !== ErrorCode.NONE) return step;
      const local = log.endOffsetFor(diverging.epoch);
      if (local.epoch === UNDEFINED_EPOCH || local.endOffset < 0 || local.epoch === diverging.epoch) {
        return step;
      }
      return { kind: "truncate", offset: Math.min(diverging.endOffset, log.logEndOffset) };
    }),
    swap(Partition.prototype, "readForReplica", function (this: Partition, request) {
      const leader = this.leaderState;
      if (leader === null) return readForReplica.call(this, request);
      const seen = checked.get(leader) ?? new Set<string>();
      checked.set(leader, seen);
      const follower = `${request.replicaId}@${request.brokerEpoch}`;
      if (!seen.has(follower)) {
        const read = readForReplica.call(this, request);
        // Checked once: after a diverging answer the follower cuts and fetches on from there unasked.
        if (read.errorCode === ErrorCode.NONE) seen.add(follower);
        return read;
      }
      return readForReplica.call(this, { ...request, lastFetchedEpoch: -1 });
    }),
  ];
  return () => undo.forEach((action) => action());
}

/**
 * KIP-841 without KIP-903: the leader's eligibility rule is the controller's (registered, unfenced,
 * not shutting down) but reads no broker epoch, and its AlterPartition names none, so a replica that
 * restarted with less than it had (a power loss, a lost disk) is let back into the ISR by what its previous
 * life fetched.
 */
function staleBrokerEpoch(): () => void {
  const anyEpoch = (settings: LeaderSettings): LeaderSettings => ({
    ...settings,
    eligible: (brokerId) => settings.eligible(brokerId, -1),
  });
  const prototype = LeaderState.prototype;
  const { proposeIsrChange, onLocalAppend, onFollowerFetch } = prototype;
  const undo = [
    swap(prototype, "proposeIsrChange", function (this: LeaderState, logEndOffset, nowMs, settings) {
      const proposal = proposeIsrChange.call(this, logEndOffset, nowMs, anyEpoch(settings));
      for (const member of proposal?.isr ?? []) member.brokerEpoch = -1;
      return proposal;
    }),
    swap(prototype, "onLocalAppend", function (this: LeaderState, logEndOffset, nowMs, settings) {
      return onLocalAppend.call(this, logEndOffset, nowMs, anyEpoch(settings));
    }),
    swap(prototype, "onFollowerFetch", function (this: LeaderState, brokerId, fetch, logEndOffset, settings) {
      return onFollowerFetch.call(this, brokerId, fetch, logEndOffset, anyEpoch(settings));
    }),
  ];
  return () => undo.forEach((action) => action());
}
