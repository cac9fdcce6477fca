/**
 * What every response says about the quorum, handled the same way for all
 * of them (KafkaRaftClient.maybeHandleCommonResponse), and the checks every
 * voter-to-voter request gets (validateVoterOnlyRequest).
 */
import type { RaftCore } from "./_core.ts";
import { maybeTransition } from "./transitions.ts";
import { ErrorCode } from "../protocol/mod.ts";

/**
 * Acts on the epoch and leader a response carries. Returns true or false
 * when the response is fully handled here (false: the request failed, back
 * off before retrying), or null when the specific handler should go on.
 */
export function maybeHandleCommonResponse(
  core: RaftCore,
  errorCode: number,
  leaderId: number,
  epoch: number,
): boolean | null {
  if (epoch < core.epoch || errorCode === ErrorCode.UNKNOWN_LEADER_EPOCH) {
    // This node has moved on; the answer no longer matters.
    return true;
  }
  if (
    epoch > core.epoch || errorCode === ErrorCode.FENCED_LEADER_EPOCH ||
    errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER
  ) {
    const before = core.role;
    maybeTransition(core, leaderId, epoch);
    // Kafka retries at once; when nothing was learned Dafka backs off first, so that a
    // node looking for the leader among the voters does not spin at network speed.
    return core.role !== before;
  }
  if (epoch === core.epoch && leaderId >= 0 && (core.leaderId < 0 || core.role.name === "Unattached")) {
    // Learning the leader of the current epoch: follow it, and if the answer
    // carries no error, let the handler use it (an observer's first fetch).
    const followed = maybeTransition(core, leaderId, epoch);
    return followed && errorCode === ErrorCode.NONE ? null : true;
  }
  if (errorCode === ErrorCode.INVALID_VOTER_KEY) return true;
  // Kafka stops on INVALID_REQUEST (a bug on one side); Dafka backs off instead.
  if (errorCode !== ErrorCode.NONE) return false;
  return null;
}

/**
 * Errors of a Vote, BeginQuorumEpoch or EndQuorumEpoch request from
 * `remoteId` in `requestEpoch`: a stale epoch is fenced, and with static
 * voters both sides must be voters (Kafka 3.x's INCONSISTENT_VOTER_SET).
 * With dynamic voters (KIP-853) either side may not know yet that the
 * other is a voter (a new voter that has not fetched the VotersRecord that
 * added it), so the voter sets are not compared: a vote from a non-voter is
 * never counted, and only voters campaign.
 */
export function voterOnlyError(core: RaftCore, remoteId: number, requestEpoch: number): number | null {
  if (requestEpoch < core.epoch) return ErrorCode.FENCED_LEADER_EPOCH;
  if (remoteId < 0 || remoteId === core.nodeId) return ErrorCode.INVALID_REQUEST;
  if (core.kraftVersion >= 1) return null;
  if (!core.isVoter || !core.voters.includes(remoteId)) return ErrorCode.INCONSISTENT_VOTER_SET;
  return null;
}

/** Whether a request names another cluster. */
export function isOtherCluster(core: RaftCore, clusterId: string | null): boolean {
  return clusterId !== null && core.clusterId !== null && clusterId !== core.clusterId;
}

/** Whether the sender the transport knows differs from the id the request claims. */
export function isForged(senderId: number, claimedId: number): boolean {
  return senderId >= 0 && claimedId >= 0 && senderId !== claimedId;
}
