/**
 * BeginQuorumEpoch (a new leader announces itself) and EndQuorumEpoch (a
 * leader steps down), both ways, and the periodic sending of each
 * (KafkaRaftClient.handleBeginQuorumEpochRequest and friends).
 */
import type { RaftCore } from "./_core.ts";
import { isForged, isOtherCluster, maybeHandleCommonResponse, voterOnlyError } from "./common_response.ts";
import { leaderRole, votersNeedingBeginQuorumEpoch } from "./leader.ts";
import type {
  BeginQuorumEpochRequest,
  BeginQuorumEpochResponse,
  EndQuorumEpochRequest,
  EndQuorumEpochResponse,
  RaftEnvelope,
} from "./messages.ts";
import { maybeTransition } from "./transitions.ts";
import { ErrorCode } from "../protocol/mod.ts";

type EpochResponseType = "BeginQuorumEpochResponse" | "EndQuorumEpochResponse";

function epochResponse<Type extends EpochResponseType>(core: RaftCore, type: Type, errorCode: number) {
  return { type, errorCode, leaderId: core.leaderId, leaderEpoch: core.epoch };
}

/** Errors common to both requests; null when the request may act. */
function leadershipRequestError(
  core: RaftCore,
  from: number,
  request: { clusterId: string | null; leaderId: number; leaderEpoch: number },
): number | null {
  if (isOtherCluster(core, request.clusterId)) return ErrorCode.INCONSISTENT_CLUSTER_ID;
  const voterError = voterOnlyError(core, request.leaderId, request.leaderEpoch);
  if (voterError !== null) return voterError;
  if (isForged(from, request.leaderId)) return ErrorCode.INVALID_REQUEST;
  return null;
}

export function handleBeginQuorumEpochRequest(
  core: RaftCore,
  envelope: RaftEnvelope<BeginQuorumEpochRequest>,
): void {
  const request = envelope.body;
  let error = leadershipRequestError(core, envelope.from, request);
  if (error === null && request.voterId >= 0 && request.voterId !== core.nodeId) {
    error = ErrorCode.INVALID_VOTER_KEY;
  }
  if (error === null && !maybeTransition(core, request.leaderId, request.leaderEpoch)) {
    error = ErrorCode.INVALID_REQUEST;
  }
  if (error !== null) core.debug(`refused ${core.describe(envelope)}: error ${error}`);
  core.respond(envelope, epochResponse(core, "BeginQuorumEpochResponse", error ?? ErrorCode.NONE));
}

export function handleBeginQuorumEpochResponse(
  core: RaftCore,
  envelope: RaftEnvelope<BeginQuorumEpochResponse>,
): void {
  const response = envelope.body;
  const handled = maybeHandleCommonResponse(
    core,
    response.errorCode,
    response.leaderId,
    response.leaderEpoch,
  );
  if (handled === null && core.role.name === "Leader") {
    const voter = core.role.voters.find((progress) => progress.replicaId === envelope.from);
    if (voter !== undefined) voter.acknowledged = true;
  }
  core.requests.onResponse(envelope.from, handled ?? true, core.nowMs);
}

/**
 * The wait before campaigning after the leader resigned: none for its first
 * preferred successor, then doubling down the list, the longest for voters
 * it did not name (strictExponentialElectionBackoffMs).
 */
export function endEpochElectionBackoffMs(core: RaftCore, preferredCandidates: readonly number[]): number {
  const maxMs = core.timeouts.electionBackoffMaxMs;
  const position = preferredCandidates.indexOf(core.nodeId);
  if (position === 0) return 0;
  if (position < 0) return maxMs;
  const baseMs = maxMs >> (preferredCandidates.length - 1);
  return Math.min(maxMs, baseMs << (position - 1));
}

export function handleEndQuorumEpochRequest(
  core: RaftCore,
  envelope: RaftEnvelope<EndQuorumEpochRequest>,
): void {
  const request = envelope.body;
  let error = leadershipRequestError(core, envelope.from, request);
  if (error === null && !maybeTransition(core, request.leaderId, request.leaderEpoch)) {
    error = ErrorCode.INVALID_REQUEST;
  }
  const role = core.role;
  if (error === null && role.name === "Follower" && role.leaderId === request.leaderId) {
    const backoffMs = endEpochElectionBackoffMs(core, request.preferredCandidates);
    role.fetchDeadlineMs = Math.min(role.fetchDeadlineMs, core.nowMs + backoffMs);
  }
  if (error !== null) core.debug(`refused ${core.describe(envelope)}: error ${error}`);
  core.respond(envelope, epochResponse(core, "EndQuorumEpochResponse", error ?? ErrorCode.NONE));
}

export function handleEndQuorumEpochResponse(
  core: RaftCore,
  envelope: RaftEnvelope<EndQuorumEpochResponse>,
): void {
  const response = envelope.body;
  const handled = maybeHandleCommonResponse(
    core,
    response.errorCode,
    response.leaderId,
    response.leaderEpoch,
  );
  if (handled === null && core.role.name === "Resigned") {
    core.role.unackedVoters = core.role.unackedVoters.filter((voter) => voter !== envelope.from);
  }
  core.requests.onResponse(envelope.from, handled ?? true, core.nowMs);
}

/** The leader (re)announces itself to voters that do not fetch from it. */
export function sendBeginQuorumEpochRequests(core: RaftCore): void {
  const role = leaderRole(core);
  if (core.nowMs < role.beginQuorumEpochDeadlineMs) return;
  for (const voterId of votersNeedingBeginQuorumEpoch(core)) {
    if (!core.requests.isReady(voterId, core.nowMs)) continue;
    core.sendRequest(voterId, {
      type: "BeginQuorumEpochRequest",
      clusterId: core.clusterId,
      voterId,
      leaderId: core.nodeId,
      leaderEpoch: role.epoch,
    });
  }
  role.beginQuorumEpochDeadlineMs = core.nowMs + Math.floor(core.timeouts.fetchTimeoutMs / 2);
}

/** A resigned leader tells the voters that have not answered yet. */
export function sendEndQuorumEpochRequests(core: RaftCore): void {
  const role = core.role;
  if (role.name !== "Resigned") return;
  for (const voterId of role.unackedVoters) {
    if (!core.requests.isReady(voterId, core.nowMs)) continue;
    core.sendRequest(voterId, {
      type: "EndQuorumEpochRequest",
      clusterId: core.clusterId,
      leaderId: core.nodeId,
      leaderEpoch: role.epoch,
      preferredCandidates: role.preferredSuccessors,
    });
  }
}
