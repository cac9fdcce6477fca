/**
 * What each state does when time passes or after any input (KafkaRaftClient's
 * poll methods): timers that fire move the node on, and the requests the
 * state needs (votes, fetches, announcements) go out when their destination
 * is ready. Also the earliest time anything here will change, for the
 * driver's timer.
 */
import type { RaftCore } from "./_core.ts";
import { sendFetchToAnyVoter, sendFetchToBestNode } from "./follower_fetch.ts";
import { sendBeginQuorumEpochRequests, sendEndQuorumEpochRequests } from "./handle_quorum_epoch.ts";
import { sendVoteRequests } from "./handle_vote.ts";
import { votersByDescendingEndOffset } from "./leader.ts";
import { expireParkedFetches } from "./leader_fetch.ts";
import {
  transitionToFollower,
  transitionToProspective,
  transitionToResigned,
  transitionToUnattached,
} from "./transitions.ts";
import type { Role } from "./roles.ts";
import { followVoterSet, removedLeaderShouldResign } from "./voter_changes.ts";

/** Moves of state one poll may chain (Prospective, Candidate, Leader for a lone voter, and a few more). */
const TRANSITIONS_PER_POLL_MAX = 8;

function pollLeader(core: RaftCore): void {
  const role = core.role;
  if (role.name !== "Leader") return;
  const lostQuorum = !core.isOnlyVoter && core.nowMs >= role.checkQuorumDeadlineMs;
  const removed = removedLeaderShouldResign(core);
  if (lostQuorum || role.resignRequested || removed) {
    if (lostQuorum) core.debug("no fetch from a majority within the check-quorum timeout");
    if (removed) core.debug("resigning: the voter set without this node is committed");
    transitionToResigned(core, votersByDescendingEndOffset(core));
    return;
  }
  expireParkedFetches(core);
  sendBeginQuorumEpochRequests(core);
}

function pollProspective(core: RaftCore): void {
  const role = core.role;
  if (role.name !== "Prospective") return;
  if (core.nowMs < role.electionDeadlineMs) {
    sendVoteRequests(core);
    return;
  }
  // The pre-vote timed out: back to the known leader, or wait unattached.
  if (role.leaderId >= 0 && role.leaderId !== core.nodeId) {
    transitionToFollower(core, role.epoch, role.leaderId);
  } else transitionToUnattached(core, role.epoch, role.leaderId);
}

function pollCandidate(core: RaftCore): void {
  const role = core.role;
  if (role.name !== "Candidate") return;
  if (core.nowMs >= role.electionDeadlineMs) transitionToProspective(core);
  else sendVoteRequests(core);
}

function pollFollower(core: RaftCore): void {
  const role = core.role;
  if (role.name !== "Follower") return;
  if (core.nowMs >= role.fetchDeadlineMs) {
    if (core.canCampaign) transitionToProspective(core);
    else transitionToUnattached(core, role.epoch, role.leaderId);
    return;
  }
  sendFetchToBestNode(core, role);
}

function pollUnattached(core: RaftCore): void {
  const role = core.role;
  if (role.name !== "Unattached") return;
  if (core.canCampaign && core.nowMs >= role.electionDeadlineMs) {
    transitionToProspective(core);
    return;
  }
  sendFetchToAnyVoter(core);
}

function pollResigned(core: RaftCore): void {
  const role = core.role;
  if (role.name !== "Resigned") return;
  if (core.nowMs >= role.electionDeadlineMs) {
    // A new epoch, so that nobody takes this node for the leader any more.
    transitionToUnattached(core, role.epoch + 1);
    return;
  }
  sendEndQuorumEpochRequests(core);
}

function pollRole(core: RaftCore): void {
  switch (core.role.name) {
    case "Leader":
      return pollLeader(core);
    case "Prospective":
      return pollProspective(core);
    case "Candidate":
      return pollCandidate(core);
    case "Follower":
      return pollFollower(core);
    case "Unattached":
      return pollUnattached(core);
    case "Resigned":
      return pollResigned(core);
  }
}

/** Runs the current state's timers and sends; repeats while the state changes. */
export function poll(core: RaftCore): void {
  for (let round = 0; round < TRANSITIONS_PER_POLL_MAX; round++) {
    followVoterSet(core);
    const before: Role = core.role;
    pollRole(core);
    if (core.role === before) return;
  }
}

/** The earliest monotonic time at which a timer of this node fires. */
export function nextDeadlineMs(core: RaftCore): number {
  const role = core.role;
  let deadline = core.requests.nextDeadlineMs(core.nowMs);
  switch (role.name) {
    case "Leader":
      if (!core.isOnlyVoter) deadline = Math.min(deadline, role.checkQuorumDeadlineMs);
      deadline = Math.min(deadline, role.beginQuorumEpochDeadlineMs);
      for (const parked of role.parkedFetches) deadline = Math.min(deadline, parked.deadlineMs);
      break;
    case "Follower":
      deadline = Math.min(deadline, role.fetchDeadlineMs);
      break;
    case "Unattached":
    case "Prospective":
    case "Candidate":
    case "Resigned":
      deadline = Math.min(deadline, role.electionDeadlineMs);
      break;
  }
  return deadline;
}
