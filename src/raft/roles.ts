/**
 * The states a node of the quorum can be in (KRaft's EpochState classes),
 * as plain data. Each holds its epoch and the deadlines of its timers
 * (absolute milliseconds of the node's monotonic clock).
 *
 * Observers (nodes that are not voters) are only ever Unattached or
 * Follower. See `transitions.ts` for the moves between states.
 */
import type { EpochElection } from "./epoch_election.ts";
import type { FetchRequest, RaftEnvelope } from "./messages.ts";
import type { SnapshotId } from "./types.ts";

/** No leader known and no election under way here; a voter campaigns when the election timer fires. */
export interface UnattachedRole {
  name: "Unattached";
  epoch: number;
  /** A leader known by id only (-1 when none). */
  leaderId: number;
  votedId: number;
  /** Infinity for observers, which never campaign. */
  electionDeadlineMs: number;
}

/** KIP-996: asks for pre-votes in the current epoch before bumping it. */
export interface ProspectiveRole {
  name: "Prospective";
  epoch: number;
  /** The leader this node followed before (it goes back to it if the pre-vote fails). */
  leaderId: number;
  votedId: number;
  electionDeadlineMs: number;
  election: EpochElection;
}

/** Voted for itself in a new epoch and asks the voters for theirs. */
export interface CandidateRole {
  name: "Candidate";
  epoch: number;
  electionDeadlineMs: number;
  election: EpochElection;
}

/** A voter's replication progress as the leader sees it. */
export interface ReplicaProgress {
  replicaId: number;
  /** The fetch offset of its latest valid Fetch (-1 before any). */
  endOffset: number;
  lastFetchTimeMs: number;
  lastCaughtUpTimeMs: number;
  /** It fetched in this epoch or answered BeginQuorumEpoch. */
  acknowledged: boolean;
  /**
   * The high watermark this leader last answered its fetch with (-1 before
   * any): what it knows when its fetch does not say (Fetch before v17).
   */
  highWatermarkSent: number;
}

/** A Fetch the leader holds until there is something new or it expires. */
export interface ParkedFetch {
  request: RaftEnvelope<FetchRequest>;
  deadlineMs: number;
}

export interface LeaderRole {
  name: "Leader";
  epoch: number;
  /** The offset of this epoch's LeaderChange record: the high watermark must pass it. */
  epochStartOffset: number;
  grantingVoters: number[];
  voters: ReplicaProgress[];
  observers: ReplicaProgress[];
  /** The high watermark this leader computed (-1 until it commits its first record). */
  highWatermark: number;
  /** Voters that fetched since the check-quorum timer last restarted. */
  fetchedVoters: number[];
  /** The leader resigns if a majority has not fetched by then (1.5 fetch timeouts). */
  checkQuorumDeadlineMs: number;
  /** When to send BeginQuorumEpoch again to voters that do not fetch. */
  beginQuorumEpochDeadlineMs: number;
  parkedFetches: ParkedFetch[];
  resignRequested: boolean;
}

/** A snapshot being downloaded from the leader. */
export interface SnapshotDownload {
  snapshotId: SnapshotId;
  /** Chunks received so far, in order. */
  chunks: Uint8Array[];
  receivedBytes: number;
}

export interface FollowerRole {
  name: "Follower";
  epoch: number;
  leaderId: number;
  votedId: number;
  /** A voter without a good fetch by then campaigns; an observer looks for the leader again. */
  fetchDeadlineMs: number;
  /** It fetched successfully in this epoch (and so refuses pre-votes). */
  hasFetchedFromLeader: boolean;
  /** A voter whose listeners differ from the voter set's sends UpdateRaftVoter no earlier than this. */
  updateVoterDueMs: number;
  fetchingSnapshot: SnapshotDownload | null;
}

/** A leader that stepped down (or restarted): it tells the voters, then waits for the next election. */
export interface ResignedRole {
  name: "Resigned";
  epoch: number;
  electionDeadlineMs: number;
  /** Voters that have not answered EndQuorumEpoch. */
  unackedVoters: number[];
  preferredSuccessors: number[];
}

export type Role =
  | UnattachedRole
  | ProspectiveRole
  | CandidateRole
  | LeaderRole
  | FollowerRole
  | ResignedRole;

export type RoleName = Role["name"];
