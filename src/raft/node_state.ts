/**
 * A node's state as plain data, after any step: what the simulator's
 * checkers and the spec's trace validation compare. `stateOf` copies, so
 * that a recorded state never changes afterwards.
 */
import type { RaftCore } from "./_core.ts";
import type { EpochStart } from "./raft_log.ts";
import type { InflightRequest } from "./request_tracker.ts";
import type { ReplicaProgress, RoleName } from "./roles.ts";
import { lastOffsetOf, type SnapshotId, type VoterInfo } from "./types.ts";

/** A batch of the log as the state shows it (without record contents). */
export interface BatchSummary {
  baseOffset: number;
  lastOffset: number;
  epoch: number;
  control: boolean;
}

export interface RaftNodeState {
  nodeId: number;
  role: RoleName;
  epoch: number;
  leaderId: number;
  votedId: number;
  /** The highest offset known committed, -1 when unknown. */
  highWatermark: number;
  /** Everything below was handed out to apply. */
  appliedOffset: number;
  logStartOffset: number;
  logEndOffset: number;
  lastFetchedEpoch: number;
  /** The log end that is durable. */
  persistedEndOffset: number;
  snapshotId: SnapshotId | null;
  epochStarts: EpochStart[];
  /** Prospective and Candidate: the tally of the election under way. */
  election: { granted: number[]; rejected: number[] } | null;
  /** Leader only. */
  leader: {
    epochStartOffset: number;
    highWatermark: number;
    voters: ReplicaProgress[];
    observers: ReplicaProgress[];
    parkedFetches: number;
  } | null;
  /** Follower only. */
  follower: {
    hasFetchedFromLeader: boolean;
    fetchingSnapshot: { snapshotId: SnapshotId; receivedBytes: number } | null;
  } | null;
  /** The next time a timer of the state fires (election, fetch or check-quorum). */
  roleDeadlineMs: number;
  inflight: InflightRequest[];
  /** The voter set in force, with directory ids and endpoints (KIP-853). */
  voterSet: VoterInfo[];
  /** The finalized kraft.version (0: static voters). */
  kraftVersion: number;
  /** The log's batches, when asked for. */
  log?: BatchSummary[];
}

function roleDeadlineOf(core: RaftCore): number {
  const role = core.role;
  switch (role.name) {
    case "Leader":
      return core.isOnlyVoter ? Infinity : role.checkQuorumDeadlineMs;
    case "Follower":
      return role.fetchDeadlineMs;
    default:
      return role.electionDeadlineMs;
  }
}

/** A copy of the node's state; with `withLog` the batches of the log too. */
export function stateOf(core: RaftCore, withLog = false): RaftNodeState {
  const role = core.role;
  const log = core.log;
  const state: RaftNodeState = {
    nodeId: core.nodeId,
    role: role.name,
    epoch: role.epoch,
    leaderId: core.leaderId,
    votedId: core.votedId,
    highWatermark: core.highWatermark,
    appliedOffset: core.appliedOffset,
    logStartOffset: log.startOffset,
    logEndOffset: log.endOffset,
    lastFetchedEpoch: log.lastFetchedEpoch,
    persistedEndOffset: core.persistedEndOffset,
    snapshotId: log.snapshot === null ? null : { ...log.snapshot.id },
    epochStarts: log.epochStarts(),
    election: role.name === "Prospective" || role.name === "Candidate"
      ? { granted: [...role.election.granted], rejected: [...role.election.rejected] }
      : null,
    leader: role.name === "Leader"
      ? {
        epochStartOffset: role.epochStartOffset,
        highWatermark: role.highWatermark,
        voters: role.voters.map((progress) => ({ ...progress })),
        observers: role.observers.map((progress) => ({ ...progress })),
        parkedFetches: role.parkedFetches.length,
      }
      : null,
    follower: role.name === "Follower"
      ? {
        hasFetchedFromLeader: role.hasFetchedFromLeader,
        fetchingSnapshot: role.fetchingSnapshot === null ? null : {
          snapshotId: { ...role.fetchingSnapshot.snapshotId },
          receivedBytes: role.fetchingSnapshot.receivedBytes,
        },
      }
      : null,
    roleDeadlineMs: roleDeadlineOf(core),
    inflight: core.requests.inflight(),
    voterSet: core.voterInfos.map((voter) => ({
      ...voter,
      endpoints: voter.endpoints.map((endpoint) => ({ ...endpoint })),
    })),
    kraftVersion: core.kraftVersion,
  };
  if (withLog) {
    state.log = log.batches.map((batch) => ({
      baseOffset: batch.baseOffset,
      lastOffset: lastOffsetOf(batch),
      epoch: batch.epoch,
      control: batch.control,
    }));
  }
  return state;
}
