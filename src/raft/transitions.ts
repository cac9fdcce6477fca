/**
 * The moves between a node's states (KRaft's QuorumState), with what each
 * move does on the way: the election timer, forgetting requests in flight,
 * and for a new leader the LeaderChange record that opens its epoch.
 *
 * Durable state (epoch, vote, leader) changes here only; `ready.ts` hands
 * the new `quorum-state` to the driver before any message that follows it.
 */
import type { RaftCore } from "./_core.ts";
import { isVoteGranted, startElection } from "./epoch_election.ts";
import { completeParkedFetches } from "./leader_fetch.ts";
import type { LeaderRole, Role } from "./roles.ts";
import { NO_NODE, type RaftRecord } from "./types.ts";

/** Sets the state a node starts in from its `quorum-state` and log (QuorumState.initialize). */
export function initializeRole(
  core: RaftCore,
  persisted: { epoch: number; leaderId: number; votedId: number },
): void {
  const logEpoch = core.log.lastFetchedEpoch;
  const now = core.nowMs;
  const electionDeadlineMs = core.canCampaign ? now + core.randomElectionTimeoutMs() : Infinity;
  if (persisted.epoch < logEpoch) {
    core.role = {
      name: "Unattached",
      epoch: logEpoch,
      leaderId: NO_NODE,
      votedId: NO_NODE,
      electionDeadlineMs,
    };
  } else if (persisted.leaderId === core.nodeId) {
    // A leader that restarts resigns in its epoch: it may not vote again in it,
    // and the records it wrote in it stay unique by offset and epoch.
    core.role = {
      name: "Resigned",
      epoch: persisted.epoch,
      electionDeadlineMs: now + core.randomElectionTimeoutMs(),
      unackedVoters: core.remoteVoters,
      preferredSuccessors: [],
    };
  } else if (persisted.votedId === core.nodeId && core.canCampaign) {
    const election = startElection(core.voters, core.nodeId);
    core.role = { name: "Candidate", epoch: persisted.epoch, electionDeadlineMs, election };
  } else if (persisted.leaderId >= 0 && core.voters.includes(persisted.leaderId)) {
    core.role = {
      name: "Follower",
      epoch: persisted.epoch,
      leaderId: persisted.leaderId,
      votedId: persisted.votedId,
      fetchDeadlineMs: now + core.timeouts.fetchTimeoutMs,
      hasFetchedFromLeader: false,
      updateVoterDueMs: now,
      fetchingSnapshot: null,
    };
  } else {
    core.role = {
      name: "Unattached",
      epoch: persisted.epoch,
      leaderId: persisted.leaderId,
      votedId: persisted.votedId,
      electionDeadlineMs,
    };
  }
  if (core.isOnlyVoter && ["Unattached", "Follower", "Resigned"].includes(core.role.name)) {
    transitionToProspective(core);
  } else if (core.role.name === "Candidate" && isVoteGranted(core.role.election)) {
    transitionToLeader(core);
  }
}

/**
 * Moves to `next`: requests in flight are forgotten, and a leader that steps
 * down answers the fetches it holds (with the error its new state gives).
 */
function enter(core: RaftCore, next: Role): void {
  const previous = core.role;
  core.requests.resetAll();
  core.role = next;
  if (previous !== undefined && previous.name === "Leader") {
    completeParkedFetches(core, previous.parkedFetches);
  }
}

/**
 * To Unattached in `epoch`: a higher epoch was seen, a Prospective lost, a
 * Resigned leader's wait ended, or an observer lost its leader. In the same
 * epoch the vote is kept, so that the node never votes twice in an epoch.
 */
export function transitionToUnattached(core: RaftCore, epoch: number, leaderId = NO_NODE): void {
  const current = core.role;
  if (epoch < current.epoch) throw new Error(`cannot go back from epoch ${current.epoch} to ${epoch}`);
  const votedId = epoch === current.epoch ? core.votedId : NO_NODE;
  let electionDeadlineMs: number;
  if (!core.canCampaign) electionDeadlineMs = Infinity;
  else if (
    current.name === "Candidate" || current.name === "Unattached" || current.name === "Resigned" ||
    (current.name === "Prospective" && current.election.rejected.length === 0)
  ) electionDeadlineMs = current.electionDeadlineMs;
  else electionDeadlineMs = core.nowMs + core.randomElectionTimeoutMs();
  enter(core, { name: "Unattached", epoch, leaderId, votedId, electionDeadlineMs });
  core.debug(`unattached (leader ${leaderId}, voted ${votedId})`);
}

/** Records a vote granted in the current epoch (Unattached or Prospective), restarting the election timer. */
export function recordGrantedVote(core: RaftCore, candidateId: number): void {
  const role = core.role;
  if (role.name !== "Unattached" && role.name !== "Prospective") {
    throw new Error(`cannot vote as ${role.name}`);
  }
  role.votedId = candidateId;
  // The candidate has at least as good a chance as this node: give it time.
  role.electionDeadlineMs = core.nowMs + core.randomElectionTimeoutMs();
  core.debug(`voted for ${candidateId}`);
}

/** Follows `leaderId` in `epoch` and starts fetching from it. */
export function transitionToFollower(core: RaftCore, epoch: number, leaderId: number): void {
  const current = core.role;
  if (leaderId === core.nodeId) throw new Error(`node ${core.nodeId} cannot follow itself`);
  if (epoch < current.epoch) throw new Error(`cannot follow epoch ${epoch} from epoch ${current.epoch}`);
  if (epoch === current.epoch && (current.name === "Leader" || current.name === "Follower")) {
    throw new Error(`cannot follow ${leaderId} in epoch ${epoch} as ${current.name}`);
  }
  const votedId = epoch === current.epoch ? core.votedId : NO_NODE;
  enter(core, {
    name: "Follower",
    epoch,
    leaderId,
    votedId,
    fetchDeadlineMs: core.nowMs + core.timeouts.fetchTimeoutMs,
    hasFetchedFromLeader: false,
    updateVoterDueMs: core.nowMs,
    fetchingSnapshot: null,
  });
  core.debug(`following ${leaderId}`);
}

/** A voter whose election or fetch timer fired asks for pre-votes (KIP-996), keeping its epoch. */
export function transitionToProspective(core: RaftCore): void {
  const current = core.role;
  if (!core.canCampaign) throw new Error(`observer ${core.nodeId} cannot campaign`);
  if (current.name === "Leader" || current.name === "Prospective") {
    throw new Error(`cannot become Prospective as ${current.name}`);
  }
  const leaderId = core.leaderId === core.nodeId ? NO_NODE : core.leaderId;
  const votedId = core.votedId;
  const election = startElection(core.voters, core.nodeId);
  enter(core, {
    name: "Prospective",
    epoch: current.epoch,
    leaderId,
    votedId,
    electionDeadlineMs: core.nowMs + core.randomElectionTimeoutMs(),
    election,
  });
  core.debug("prospective");
  if (isVoteGranted(election)) transitionToCandidate(core);
}

/** Enough pre-votes: bumps the epoch and votes for itself. */
export function transitionToCandidate(core: RaftCore): void {
  if (core.role.name !== "Prospective") throw new Error(`cannot become Candidate as ${core.role.name}`);
  const epoch = core.epoch + 1;
  const election = startElection(core.voters, core.nodeId);
  enter(core, {
    name: "Candidate",
    epoch,
    electionDeadlineMs: core.nowMs + core.randomElectionTimeoutMs(),
    election,
  });
  core.debug("candidate");
  if (isVoteGranted(election)) transitionToLeader(core);
}

/** Won the election: leads the epoch and opens it with a LeaderChange record. */
export function transitionToLeader(core: RaftCore): void {
  const current = core.role;
  if (current.name !== "Candidate" || !isVoteGranted(current.election)) {
    throw new Error(`cannot lead without a won election (${current.name})`);
  }
  const epochStartOffset = core.log.endOffset;
  const progress = (replicaId: number) => ({
    replicaId,
    endOffset: replicaId === core.nodeId ? core.persistedEndOffset : -1,
    lastFetchTimeMs: -1,
    lastCaughtUpTimeMs: -1,
    acknowledged: replicaId === core.nodeId,
    highWatermarkSent: -1,
  });
  const role: LeaderRole = {
    name: "Leader",
    epoch: current.epoch,
    epochStartOffset,
    grantingVoters: [...current.election.granted].sort((left, right) => left - right),
    voters: core.voters.map(progress),
    observers: [],
    highWatermark: -1,
    fetchedVoters: [],
    checkQuorumDeadlineMs: core.nowMs + Math.floor(core.timeouts.fetchTimeoutMs * 1.5),
    beginQuorumEpochDeadlineMs: core.nowMs,
    parkedFetches: [],
    resignRequested: false,
  };
  enter(core, role);
  const records: RaftRecord[] = [{
    type: "leaderChange",
    version: 0,
    leaderId: core.nodeId,
    voters: core.voters.map((voterId) => ({ voterId })),
    grantingVoters: role.grantingVoters.map((voterId) => ({ voterId })),
  }];
  if (core.dynamic !== null && core.log.latestVoterSet === null) {
    // The bootstrap voters enter the log with the first epoch that can write them, so that every
    // node that follows learns them from the log (Kafka writes them into the bootstrap checkpoint).
    records.push(
      { type: "kraftVersion", version: 0, kraftVersion: core.kraftVersion },
      { type: "voters", version: 0, voters: core.voterInfos.map((voter) => ({ ...voter })) },
    );
  }
  core.log.append({
    baseOffset: epochStartOffset,
    epoch: role.epoch,
    appendTimeMs: core.nowMs + core.wallClockOffsetMs,
    control: true,
    records,
  });
  core.debug(`leader from offset ${epochStartOffset}`);
}

/** The leader steps down in its epoch (shutdown, or it lost touch with a majority). */
export function transitionToResigned(core: RaftCore, preferredSuccessors: number[]): void {
  if (core.role.name !== "Leader") throw new Error(`cannot resign as ${core.role.name}`);
  const epoch = core.epoch;
  enter(core, {
    name: "Resigned",
    epoch,
    electionDeadlineMs: core.nowMs + core.randomElectionTimeoutMs(),
    unackedVoters: core.remoteVoters,
    preferredSuccessors,
  });
  core.debug(`resigned (successors ${preferredSuccessors.join(",")})`);
}

/**
 * Whether learning of the current epoch's leader makes this node follow it:
 * when it knows of no leader, or only knows its id (an observer that lost
 * touch with it). A Prospective goes back to its leader through the
 * pre-vote's outcome instead.
 */
function canAttach(core: RaftCore, knownLeader: number): boolean {
  const role = core.role.name;
  return knownLeader < 0 ? role !== "Leader" && role !== "Resigned" : role === "Unattached";
}

/**
 * Acts on the leader and epoch a request or response names
 * (KafkaRaftClient.maybeTransition): a higher epoch moves this node to it,
 * and a leader newly learned of in the current epoch is followed.
 * Returns false when the claim contradicts what this node knows (another
 * leader in its epoch), which only bad input can cause.
 */
export function maybeTransition(core: RaftCore, leaderId: number, epoch: number): boolean {
  const knownLeader = core.leaderId;
  if (epoch === core.epoch && leaderId >= 0 && knownLeader >= 0 && knownLeader !== leaderId) {
    core.debug(`refusing leader ${leaderId} for epoch ${epoch}: the leader is ${knownLeader}`);
    return false;
  }
  if (
    leaderId === core.nodeId && epoch >= core.epoch && core.role.name !== "Leader" &&
    core.role.name !== "Resigned"
  ) {
    core.debug(`refusing a claim that this node leads epoch ${epoch}`);
    return false;
  }
  if (epoch > core.epoch) {
    if (leaderId >= 0 && leaderId !== core.nodeId) transitionToFollower(core, epoch, leaderId);
    else transitionToUnattached(core, epoch);
  } else if (
    epoch === core.epoch && leaderId >= 0 && leaderId !== core.nodeId && canAttach(core, knownLeader)
  ) {
    transitionToFollower(core, epoch, leaderId);
  }
  return true;
}
