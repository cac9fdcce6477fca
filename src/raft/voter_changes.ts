/**
 * Changing the voter set one voter at a time (KIP-853; Kafka's
 * AddVoterHandler, RemoveVoterHandler and UpdateVoterHandler), on the
 * leader: a change is a new VotersRecord appended to the log, in force from
 * the moment it is appended (the high watermark counts the new set at
 * once), and the next change waits until it is committed. Raft's single-
 * server changes keep any two consecutive voter sets overlapping in a
 * majority, so two leaders can never be elected in one epoch.
 *
 * Also how every role follows the voter set when it changes under it: the
 * leader tracks the new voters' progress, a node that became a voter gets
 * an election timer, one that stopped being one loses it, and a leader that
 * removed itself resigns once that removal is committed.
 */
import type { RaftCore } from "./_core.ts";
import { onLeaderProgress } from "./leader_fetch.ts";
import { maybeUpdateHighWatermark, newProgress } from "./leader.ts";
import type { LeaderRole, ReplicaProgress } from "./roles.ts";
import { transitionToUnattached } from "./transitions.ts";
import { lastOffsetOf, NO_NODE, type RaftBatch, type VoterEndpoint, type VoterInfo } from "./types.ts";
import { ErrorCode } from "../protocol/mod.ts";

/** What a voter change did: the VotersRecord's place in the log, or why it was refused. */
export type VoterChangeResult =
  | { errorCode: 0; baseOffset: number; lastOffset: number; epoch: number }
  | { errorCode: number; errorMessage: string };

/** A voter to add, or the new listeners of one (what AddRaftVoter and UpdateRaftVoter carry). */
export interface VoterRequest {
  voterId: number;
  /** The voter's directory id, or null when the request gave the zero UUID. */
  directoryId: string | null;
  endpoints: VoterEndpoint[];
  kraftVersionMin?: number;
  kraftVersionMax?: number;
}

function refused(errorCode: number, errorMessage: string): VoterChangeResult {
  return { errorCode, errorMessage };
}

/**
 * The checks every change makes first (Kafka's order: a leader that has
 * committed in its epoch, kraft.version 1, no uncommitted change): the
 * leader's state to change, or the refusal.
 */
function leaderForChange(core: RaftCore): LeaderRole | VoterChangeResult {
  const role = core.role;
  if (role.name !== "Leader" || role.resignRequested) {
    return refused(ErrorCode.NOT_LEADER_OR_FOLLOWER, "this node is not the leader of the metadata quorum");
  }
  if (role.highWatermark < 0 || role.highWatermark <= role.epochStartOffset) {
    return refused(ErrorCode.REQUEST_TIMED_OUT, "the leader has not committed its epoch's first record yet");
  }
  if (core.kraftVersion < 1) {
    return refused(
      ErrorCode.UNSUPPORTED_VERSION,
      `the voters are static (kraft.version ${core.kraftVersion}); changing them needs kraft.version 1`,
    );
  }
  const latest = core.log.latestVoterSet;
  if (latest === null || (latest.offset >= role.highWatermark && !core.bugs.overlappingVoterChanges)) {
    return refused(ErrorCode.REQUEST_TIMED_OUT, "the previous voter change is not committed yet");
  }
  return role;
}

function isRefusal(leader: LeaderRole | VoterChangeResult): leader is VoterChangeResult {
  return !("name" in leader);
}

function sameKey(voter: VoterInfo, voterId: number, directoryId: string | null): boolean {
  return voter.voterId === voterId &&
    (directoryId === null || voter.directoryId === null || voter.directoryId === directoryId);
}

/** Appends a VotersRecord holding `voters` and puts it in force. */
function appendVoters(core: RaftCore, role: LeaderRole, voters: VoterInfo[]): VoterChangeResult {
  const batch: RaftBatch = {
    baseOffset: core.log.endOffset,
    epoch: role.epoch,
    appendTimeMs: core.nowMs + core.wallClockOffsetMs,
    control: true,
    records: [{ type: "voters", version: 0, voters }],
  };
  core.log.append(batch);
  core.debug(`voters now ${voters.map((voter) => voter.voterId).join(",")} (offset ${batch.baseOffset})`);
  followVoterSet(core);
  // A smaller voter set may commit at once; either way the followers should hear of the record.
  maybeUpdateHighWatermark(core);
  onLeaderProgress(core);
  return {
    errorCode: ErrorCode.NONE,
    baseOffset: batch.baseOffset,
    lastOffset: lastOffsetOf(batch),
    epoch: role.epoch,
  };
}

/** AddRaftVoter on the leader: an observer that has caught up becomes a voter. */
export function addVoter(core: RaftCore, request: VoterRequest): VoterChangeResult {
  const role = leaderForChange(core);
  if (isRefusal(role)) return role;
  if (core.voters.includes(request.voterId)) {
    return refused(ErrorCode.DUPLICATE_VOTER, `node ${request.voterId} is already a voter`);
  }
  if (request.voterId < 0 || request.endpoints.length === 0) {
    return refused(ErrorCode.INVALID_REQUEST, "a new voter needs an id and at least one listener");
  }
  const observer = role.observers.find((progress) => progress.replicaId === request.voterId);
  if (observer === undefined || !isCaughtUp(core, observer)) {
    return refused(
      ErrorCode.REQUEST_TIMED_OUT,
      `node ${request.voterId} has not caught up with the leader's log (it must fetch as an observer first)`,
    );
  }
  const voter: VoterInfo = {
    voterId: request.voterId,
    directoryId: request.directoryId,
    endpoints: request.endpoints.map((endpoint) => ({ ...endpoint })),
    kraftVersionMin: request.kraftVersionMin ?? 0,
    kraftVersionMax: request.kraftVersionMax ?? 1,
  };
  return appendVoters(core, role, [...core.voterInfos, voter]);
}

/** RemoveRaftVoter on the leader; a leader removing itself resigns once that is committed. */
export function removeVoter(core: RaftCore, voterId: number, directoryId: string | null): VoterChangeResult {
  const role = leaderForChange(core);
  if (isRefusal(role)) return role;
  const voters = core.voterInfos;
  if (!voters.some((voter) => sameKey(voter, voterId, directoryId))) {
    return refused(ErrorCode.VOTER_NOT_FOUND, `node ${voterId} is not a voter`);
  }
  const remaining = voters.filter((voter) => !sameKey(voter, voterId, directoryId));
  if (remaining.length === 0) return refused(ErrorCode.INVALID_REQUEST, "the last voter cannot be removed");
  return appendVoters(core, role, remaining);
}

/** UpdateRaftVoter on the leader: a voter's new listeners (and kraft.version range). */
export function updateVoter(core: RaftCore, request: VoterRequest): VoterChangeResult {
  const role = leaderForChange(core);
  if (isRefusal(role)) return role;
  const voters = core.voterInfos;
  const current = voters.find((voter) => sameKey(voter, request.voterId, request.directoryId));
  if (current === undefined) {
    return refused(ErrorCode.VOTER_NOT_FOUND, `node ${request.voterId} is not a voter`);
  }
  if (request.endpoints.length === 0) return refused(ErrorCode.INVALID_REQUEST, "a voter needs a listener");
  const updated: VoterInfo = {
    ...current,
    endpoints: request.endpoints.map((endpoint) => ({ ...endpoint })),
    kraftVersionMin: request.kraftVersionMin ?? current.kraftVersionMin,
    kraftVersionMax: request.kraftVersionMax ?? current.kraftVersionMax,
  };
  return appendVoters(core, role, voters.map((voter) => voter === current ? updated : voter));
}

/** Kafka's isReplicaCaughtUp: it fetched up to the leader's end within the last fetch timeout. */
function isCaughtUp(core: RaftCore, progress: ReplicaProgress): boolean {
  return progress.lastCaughtUpTimeMs >= 0 &&
    core.nowMs - progress.lastCaughtUpTimeMs <= core.timeouts.fetchTimeoutMs;
}

/** The leader's progress lists follow the voter set: new voters come from the observers, old ones go there. */
function syncLeaderProgress(core: RaftCore, role: LeaderRole): void {
  const voters = core.voters;
  if (
    role.voters.length === voters.length &&
    role.voters.every((progress, index) => progress.replicaId === voters[index])
  ) {
    return;
  }
  const known = [...role.voters, ...role.observers];
  role.voters = voters.map((voterId) =>
    known.find((progress) => progress.replicaId === voterId) ??
      (voterId === core.nodeId
        ? { ...newProgress(voterId), endOffset: core.persistedEndOffset, acknowledged: true }
        : newProgress(voterId))
  );
  role.observers = known.filter((progress) =>
    !voters.includes(progress.replicaId) && progress.replicaId !== core.nodeId
  );
  role.fetchedVoters = role.fetchedVoters.filter((voterId) => voters.includes(voterId));
  // The new voters get a full period to fetch (a lone voter never even ran the check-quorum timer).
  role.checkQuorumDeadlineMs = core.nowMs + Math.floor(core.timeouts.fetchTimeoutMs * 1.5);
}

/**
 * Brings the current role in line with the voter set in force (after an
 * append, a truncation or a snapshot changed it).
 */
export function followVoterSet(core: RaftCore): void {
  const role = core.role;
  switch (role.name) {
    case "Leader":
      syncLeaderProgress(core, role);
      return;
    case "Unattached":
      if (core.canCampaign && role.electionDeadlineMs === Infinity) {
        role.electionDeadlineMs = core.nowMs + core.randomElectionTimeoutMs();
      } else if (!core.canCampaign) role.electionDeadlineMs = Infinity;
      return;
    case "Prospective":
    case "Candidate":
      if (!core.canCampaign) transitionToUnattached(core, role.epoch, NO_NODE);
      return;
    default:
      return;
  }
}

/** A leader that is no longer a voter resigns once the record that removed it is committed. */
export function removedLeaderShouldResign(core: RaftCore): boolean {
  const role = core.role;
  if (role.name !== "Leader" || core.isVoter) return false;
  const latest = core.log.latestVoterSet;
  return latest !== null && role.highWatermark > latest.offset;
}
