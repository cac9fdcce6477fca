/**
 * UpdateRaftVoter (KIP-853) between a voter and the leader: a voter that
 * follows the leader and finds its own listeners (or kraft.version range)
 * listed differently in the voter set tells the leader, which appends a new
 * VotersRecord; the voter retries every fetch timeout until the voter set
 * it fetches shows the update (KafkaRaftClient's UpdateVoter handling).
 */
import type { RaftCore } from "./_core.ts";
import { isForged, isOtherCluster, maybeHandleCommonResponse } from "./common_response.ts";
import { leaderOnlyError } from "./leader_fetch.ts";
import type { RaftEnvelope, UpdateRaftVoterRequest, UpdateRaftVoterResponse } from "./messages.ts";
import type { FollowerRole } from "./roles.ts";
import { KRAFT_VERSION_MAX, type VoterEndpoint } from "./types.ts";
import { updateVoter } from "./voter_changes.ts";
import { ErrorCode } from "../protocol/mod.ts";

function sameEndpoints(left: readonly VoterEndpoint[], right: readonly VoterEndpoint[]): boolean {
  const text = (list: readonly VoterEndpoint[]) =>
    list.map((endpoint) => `${endpoint.name}://${endpoint.host}:${endpoint.port}`).sort().join(",");
  return text(left) === text(right);
}

/** Whether this follower should send UpdateRaftVoter to its leader now. */
export function shouldUpdateVoter(core: RaftCore, role: FollowerRole): boolean {
  const dynamic = core.dynamic;
  if (dynamic === null || dynamic.endpoints.length === 0 || core.kraftVersion < 1) return false;
  if (!role.hasFetchedFromLeader || core.nowMs < role.updateVoterDueMs) return false;
  const own = core.voterInfos.find((voter) => voter.voterId === core.nodeId);
  if (own === undefined) return false;
  return !sameEndpoints(own.endpoints, dynamic.endpoints) || own.kraftVersionMax !== KRAFT_VERSION_MAX;
}

/** Sends this voter's listeners to the leader, and waits a fetch timeout before trying again. */
export function sendUpdateVoter(core: RaftCore, role: FollowerRole): void {
  const dynamic = core.dynamic!;
  role.updateVoterDueMs = core.nowMs + core.timeouts.fetchTimeoutMs;
  core.sendRequest(role.leaderId, {
    type: "UpdateRaftVoterRequest",
    clusterId: core.clusterId,
    currentLeaderEpoch: role.epoch,
    voterId: core.nodeId,
    voterDirectoryId: dynamic.directoryId,
    endpoints: dynamic.endpoints.map((endpoint) => ({ ...endpoint })),
    kraftVersionMin: 0,
    kraftVersionMax: KRAFT_VERSION_MAX,
  });
}

function response(core: RaftCore, errorCode: number): UpdateRaftVoterResponse {
  return { type: "UpdateRaftVoterResponse", errorCode, leaderId: core.leaderId, leaderEpoch: core.epoch };
}

/** The leader's side: the new listeners go into a new VotersRecord (answered once appended). */
export function handleUpdateVoterRequest(
  core: RaftCore,
  envelope: RaftEnvelope<UpdateRaftVoterRequest>,
): void {
  const request = envelope.body;
  let error: number | null = null;
  if (isOtherCluster(core, request.clusterId)) error = ErrorCode.INCONSISTENT_CLUSTER_ID;
  else if (isForged(envelope.from, request.voterId)) error = ErrorCode.INVALID_REQUEST;
  else error = leaderOnlyError(core, request.currentLeaderEpoch);
  if (error === null) {
    const result = updateVoter(core, {
      voterId: request.voterId,
      directoryId: request.voterDirectoryId,
      endpoints: request.endpoints,
      kraftVersionMin: request.kraftVersionMin,
      kraftVersionMax: request.kraftVersionMax,
    });
    error = result.errorCode;
  }
  if (error !== ErrorCode.NONE) core.debug(`refused ${core.describe(envelope)}: error ${error}`);
  core.respond(envelope, response(core, error));
}

/** The voter's side: the common handling only (the voter set it fetches shows the outcome). */
export function handleUpdateVoterResponse(
  core: RaftCore,
  envelope: RaftEnvelope<UpdateRaftVoterResponse>,
): void {
  const answer = envelope.body;
  const handled = maybeHandleCommonResponse(core, answer.errorCode, answer.leaderId, answer.leaderEpoch);
  core.requests.onResponse(envelope.from, handled ?? true, core.nowMs);
}
