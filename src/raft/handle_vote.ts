/**
 * Vote requests and responses, for pre-votes (KIP-996) and real votes
 * (KafkaRaftClient.handleVoteRequest / handleVoteResponse).
 *
 * A real vote is granted at most once per epoch, to a candidate whose log
 * is at least as up to date, and the vote is persisted (quorum-state)
 * before the answer leaves. A pre-vote changes nothing here: it only asks
 * whether this node would vote, and is refused while this node hears from a
 * leader.
 */
import type { RaftCore } from "./_core.ts";
import { isForged, isOtherCluster, maybeHandleCommonResponse, voterOnlyError } from "./common_response.ts";
import { isVoteGranted, isVoteRejected, recordVote } from "./epoch_election.ts";
import type { RaftEnvelope, VoteRequest, VoteResponse } from "./messages.ts";
import {
  recordGrantedVote,
  transitionToCandidate,
  transitionToFollower,
  transitionToLeader,
  transitionToUnattached,
} from "./transitions.ts";
import { ErrorCode } from "../protocol/mod.ts";

function voteResponse(core: RaftCore, errorCode: number, voteGranted: boolean): VoteResponse {
  return { type: "VoteResponse", errorCode, leaderId: core.leaderId, leaderEpoch: core.epoch, voteGranted };
}

/** Whether a log ending at (epoch, offset) is at least as up to date as this node's. */
function isUpToDate(core: RaftCore, lastEpoch: number, lastOffset: number): boolean {
  const own = core.log.endOffsetAndEpoch;
  return lastEpoch > own.epoch || (lastEpoch === own.epoch && lastOffset >= own.offset);
}

/** Whether this node, as it is now, may grant the vote (the states' canGrantVote). */
function canGrantVote(core: RaftCore, candidateId: number, upToDate: boolean, preVote: boolean): boolean {
  const role = core.role;
  switch (role.name) {
    case "Unattached":
    case "Prospective":
      if (preVote) return upToDate;
      if (role.votedId >= 0 && !core.bugs.voteTwiceInOneEpoch) return role.votedId === candidateId;
      if (role.leaderId >= 0) return false;
      return upToDate;
    case "Follower":
      return preVote && !role.hasFetchedFromLeader && upToDate;
    case "Candidate":
      return preVote && upToDate;
    case "Leader":
    case "Resigned":
      return false;
  }
}

/** Refusals that depend on the request only. */
function requestError(core: RaftCore, envelope: RaftEnvelope<VoteRequest>): number | null {
  const request = envelope.body;
  const illegalEpoch = request.preVote
    ? request.lastOffsetEpoch > request.replicaEpoch
    : request.lastOffsetEpoch >= request.replicaEpoch;
  if (request.lastOffset < 0 || request.lastOffsetEpoch < 0 || illegalEpoch) return ErrorCode.INVALID_REQUEST;
  const voterError = voterOnlyError(core, request.replicaId, request.replicaEpoch);
  if (voterError !== null) return voterError;
  if (isForged(envelope.from, request.replicaId)) return ErrorCode.INVALID_REQUEST;
  if (request.voterId >= 0 && request.voterId !== core.nodeId) return ErrorCode.INVALID_VOTER_KEY;
  return null;
}

export function handleVoteRequest(core: RaftCore, envelope: RaftEnvelope<VoteRequest>): void {
  const request = envelope.body;
  if (isOtherCluster(core, request.clusterId)) {
    core.respond(envelope, {
      ...voteResponse(core, ErrorCode.INCONSISTENT_CLUSTER_ID, false),
      leaderId: -1,
      leaderEpoch: -1,
    });
    return;
  }
  const error = requestError(core, envelope);
  if (error !== null) {
    core.debug(`refused ${core.describe(envelope)}: error ${error}`);
    core.respond(envelope, voteResponse(core, error, false));
    return;
  }
  if (request.replicaEpoch > core.epoch) transitionToUnattached(core, request.replicaEpoch);
  const upToDate = isUpToDate(core, request.lastOffsetEpoch, request.lastOffset);
  const granted = canGrantVote(core, request.replicaId, upToDate, request.preVote);
  const role = core.role;
  if (
    granted && !request.preVote && (role.name === "Unattached" || role.name === "Prospective") &&
    (role.votedId < 0 || core.bugs.voteTwiceInOneEpoch)
  ) {
    recordGrantedVote(core, request.replicaId);
  }
  core.respond(envelope, voteResponse(core, ErrorCode.NONE, granted));
}

/** A Prospective that lost the pre-vote goes back to its leader if it knew one, else waits unattached. */
function afterElectionLoss(core: RaftCore): void {
  const role = core.role;
  if (role.name !== "Prospective" || !isVoteRejected(role.election)) return;
  if (role.leaderId >= 0 && role.leaderId !== core.nodeId) {
    transitionToFollower(core, role.epoch, role.leaderId);
  } else transitionToUnattached(core, role.epoch, role.leaderId);
}

export function handleVoteResponse(core: RaftCore, envelope: RaftEnvelope<VoteResponse>): void {
  const response = envelope.body;
  const handled = maybeHandleCommonResponse(
    core,
    response.errorCode,
    response.leaderId,
    response.leaderEpoch,
  );
  if (handled !== null) {
    core.requests.onResponse(envelope.from, handled, core.nowMs);
    return;
  }
  const role = core.role;
  if (role.name === "Prospective" || role.name === "Candidate") {
    recordVote(role.election, envelope.from, response.voteGranted);
    if (isVoteGranted(role.election)) {
      if (role.name === "Prospective") transitionToCandidate(core);
      else transitionToLeader(core);
    } else if (!response.voteGranted) {
      // A Candidate that lost waits out its election timeout, then asks for pre-votes again.
      afterElectionLoss(core);
    }
  }
  core.requests.onResponse(envelope.from, true, core.nowMs);
}

/** Sends Vote requests to the voters that have not answered, while the election can still be won. */
export function sendVoteRequests(core: RaftCore): void {
  const role = core.role;
  if (role.name !== "Prospective" && role.name !== "Candidate") return;
  if (isVoteRejected(role.election)) return;
  const own = core.log.endOffsetAndEpoch;
  for (const voterId of role.election.voters) {
    if (voterId === core.nodeId || role.election.granted.includes(voterId)) continue;
    if (role.election.rejected.includes(voterId) || !core.requests.isReady(voterId, core.nowMs)) continue;
    core.sendRequest(voterId, {
      type: "VoteRequest",
      clusterId: core.clusterId,
      voterId,
      replicaId: core.nodeId,
      replicaEpoch: role.epoch,
      lastOffsetEpoch: own.epoch,
      lastOffset: own.offset,
      preVote: role.name === "Prospective",
    });
  }
}
