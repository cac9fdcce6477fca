/**
 * The leader's bookkeeping (KRaft's LeaderState): how far each voter and
 * observer has fetched, the high watermark, and the check-quorum timer.
 *
 * The high watermark is the largest offset a majority of voters has
 * fetched (the leader counting only what it has itself made durable), and
 * it may only move past the epoch's start offset: a leader commits a record
 * of its own epoch (the LeaderChange record) before it exposes records of
 * earlier epochs, which Raft's counting alone could not make safe.
 */
import type { RaftCore } from "./_core.ts";
import type { LeaderRole, ReplicaProgress } from "./roles.ts";

/** Observers tracked at most (a bound on memory; the oldest is forgotten). */
const OBSERVERS_MAX = 1024;

/** The leader's state; throws when this node is not the leader. */
export function leaderRole(core: RaftCore): LeaderRole {
  if (core.role.name !== "Leader") throw new Error(`node ${core.nodeId} is not the leader`);
  return core.role;
}

/** A replica the leader has not heard from yet. */
export function newProgress(replicaId: number): ReplicaProgress {
  return {
    replicaId,
    endOffset: -1,
    lastFetchTimeMs: -1,
    lastCaughtUpTimeMs: -1,
    acknowledged: false,
    highWatermarkSent: -1,
  };
}

/** The progress of a replica that fetched from (or is a voter of) this leader, without adding one. */
export function knownProgress(role: LeaderRole, replicaId: number): ReplicaProgress | undefined {
  return role.voters.find((progress) => progress.replicaId === replicaId) ??
    role.observers.find((progress) => progress.replicaId === replicaId);
}

function progressOf(role: LeaderRole, replicaId: number): ReplicaProgress {
  const voter = role.voters.find((progress) => progress.replicaId === replicaId);
  if (voter !== undefined) return voter;
  let observer = role.observers.find((progress) => progress.replicaId === replicaId);
  if (observer === undefined) {
    observer = newProgress(replicaId);
    role.observers.push(observer);
    if (role.observers.length > OBSERVERS_MAX) role.observers.shift();
  }
  return observer;
}

/**
 * A replica fetched validly from `fetchOffset`: it holds (durably, if it is
 * a voter) everything below it. Returns whether the high watermark moved.
 */
export function updateReplicaState(core: RaftCore, replicaId: number, fetchOffset: number): boolean {
  const role = leaderRole(core);
  const progress = progressOf(role, replicaId);
  const nowMs = core.nowMs;
  if (fetchOffset >= core.log.endOffset) {
    progress.lastCaughtUpTimeMs = Math.max(progress.lastCaughtUpTimeMs, nowMs);
  }
  progress.lastFetchTimeMs = Math.max(progress.lastFetchTimeMs, nowMs);
  progress.endOffset = fetchOffset;
  progress.acknowledged = true;
  if (!core.voters.includes(replicaId)) return false;
  updateCheckQuorum(core, replicaId);
  return maybeUpdateHighWatermark(core);
}

/** The leader's own log became durable up to `core.persistedEndOffset`. Returns whether the HW moved. */
export function updateLocalState(core: RaftCore): boolean {
  const role = leaderRole(core);
  const own = role.voters.find((progress) => progress.replicaId === core.nodeId);
  if (own !== undefined) own.endOffset = core.persistedEndOffset;
  return maybeUpdateHighWatermark(core);
}

/** A voter showed it follows this leader: restarts the check-quorum timer once a majority has. */
export function updateCheckQuorum(core: RaftCore, voterId: number): void {
  const role = leaderRole(core);
  if (voterId === core.nodeId || !core.voters.includes(voterId)) return;
  if (!role.fetchedVoters.includes(voterId)) role.fetchedVoters.push(voterId);
  // The leader counts itself implicitly, unless it removed itself from the voters (KIP-853).
  const majority = Math.floor(core.voters.length / 2) + 1 - (core.isVoter ? 1 : 0);
  if (role.fetchedVoters.length >= majority) {
    role.fetchedVoters = [];
    role.checkQuorumDeadlineMs = core.nowMs + Math.floor(core.timeouts.fetchTimeoutMs * 1.5);
  }
}

/** Recomputes the high watermark from the voters' progress. Returns whether it moved. */
export function maybeUpdateHighWatermark(core: RaftCore): boolean {
  const role = leaderRole(core);
  const offsets = role.voters
    .map((progress) => progress.replicaId === core.nodeId ? core.persistedEndOffset : progress.endOffset)
    .sort((left, right) => right - left);
  const candidate = offsets[Math.floor(role.voters.length / 2)] ?? -1;
  if (candidate < 0) return false;
  // The rule that makes counting safe: this epoch's first record must be committed first.
  if (candidate <= role.epochStartOffset && !core.bugs.commitPreviousEpochByCounting) return false;
  if (candidate <= role.highWatermark) return false;
  role.highWatermark = candidate;
  core.raiseHighWatermark(candidate);
  return true;
}

/** Remote voters that have not shown they follow this leader lately: they get BeginQuorumEpoch. */
export function votersNeedingBeginQuorumEpoch(core: RaftCore): number[] {
  const role = leaderRole(core);
  const staleBeforeMs = core.nowMs - Math.floor(core.timeouts.fetchTimeoutMs / 2);
  return role.voters
    .filter((progress) => progress.replicaId !== core.nodeId)
    .filter((progress) => !progress.acknowledged || progress.lastFetchTimeMs < staleBeforeMs)
    .map((progress) => progress.replicaId);
}

/** Remote voters, most caught up first: the preferred successors when the leader resigns. */
export function votersByDescendingEndOffset(core: RaftCore): number[] {
  const role = leaderRole(core);
  return role.voters
    .filter((progress) => progress.replicaId !== core.nodeId)
    .sort((left, right) => right.endOffset - left.endOffset || left.replicaId - right.replicaId)
    .map((progress) => progress.replicaId);
}
