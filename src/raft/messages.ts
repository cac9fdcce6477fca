/**
 * The messages Raft nodes exchange, as plain objects.
 *
 * Each body is the single `__cluster_metadata-0` partition of the Kafka
 * message of the same name, flattened: the top-level fields and the
 * partition's fields side by side, with Kafka's field names. `wire.ts`
 * converts them to and from the bodies the protocol codec encodes. Fetch
 * carries decoded batches rather than record bytes, so that traces show the
 * log entries; the wire conversion encodes them as Kafka record batches.
 *
 * A request and its response share the envelope's `correlationId`.
 */
import type { RaftBatch, SnapshotId, VoterEndpoint } from "./types.ts";

/** The leader a responder knows of (`leaderId` -1 when none) in its current epoch. */
export interface LeaderIdAndEpoch {
  leaderId: number;
  leaderEpoch: number;
}

/** Vote (52): a Prospective (pre-vote) or Candidate asks a voter for its vote. */
export interface VoteRequest {
  type: "VoteRequest";
  clusterId: string | null;
  /** The voter asked. */
  voterId: number;
  /** The asking replica and its epoch (already bumped for a real vote, not for a pre-vote). */
  replicaId: number;
  replicaEpoch: number;
  /** The epoch and end offset of the asker's log. */
  lastOffsetEpoch: number;
  lastOffset: number;
  preVote: boolean;
}

export interface VoteResponse {
  type: "VoteResponse";
  errorCode: number;
  leaderId: number;
  leaderEpoch: number;
  voteGranted: boolean;
}

/** BeginQuorumEpoch (53): a new leader announces itself. */
export interface BeginQuorumEpochRequest {
  type: "BeginQuorumEpochRequest";
  clusterId: string | null;
  voterId: number;
  leaderId: number;
  leaderEpoch: number;
}

export interface BeginQuorumEpochResponse {
  type: "BeginQuorumEpochResponse";
  errorCode: number;
  leaderId: number;
  leaderEpoch: number;
}

/** EndQuorumEpoch (54): a leader steps down and names its preferred successors, best first. */
export interface EndQuorumEpochRequest {
  type: "EndQuorumEpochRequest";
  clusterId: string | null;
  leaderId: number;
  leaderEpoch: number;
  preferredCandidates: number[];
}

export interface EndQuorumEpochResponse {
  type: "EndQuorumEpochResponse";
  errorCode: number;
  leaderId: number;
  leaderEpoch: number;
}

/** Fetch (1) of `__cluster_metadata-0`: followers and observers pull from the leader. */
export interface FetchRequest {
  type: "FetchRequest";
  clusterId: string | null;
  /** The fetching replica, or -1 for a fetcher without an id. */
  replicaId: number;
  maxWaitMs: number;
  maxBytes: number;
  currentLeaderEpoch: number;
  fetchOffset: number;
  lastFetchedEpoch: number;
  logStartOffset: number;
  /**
   * The fetcher's high watermark (Fetch v17's tagged field): the leader
   * answers at once when its own is higher. Unknown on the wire before v17,
   * then Number.MAX_SAFE_INTEGER (never higher).
   */
  highWatermark: number;
}

export interface FetchResponse {
  type: "FetchResponse";
  errorCode: number;
  highWatermark: number;
  logStartOffset: number;
  currentLeader: LeaderIdAndEpoch;
  /** Set when the fetcher's log diverges: truncate to the end of this epoch, then fetch again. */
  divergingEpoch: { epoch: number; endOffset: number } | null;
  /** Set when the fetch offset is below the log start: fetch this snapshot first. */
  snapshotId: SnapshotId | null;
  batches: RaftBatch[];
}

/** FetchSnapshot (59): a follower downloads the leader's snapshot from a byte position. */
export interface FetchSnapshotRequest {
  type: "FetchSnapshotRequest";
  clusterId: string | null;
  replicaId: number;
  maxBytes: number;
  currentLeaderEpoch: number;
  snapshotId: SnapshotId;
  position: number;
}

export interface FetchSnapshotResponse {
  type: "FetchSnapshotResponse";
  errorCode: number;
  currentLeader: LeaderIdAndEpoch;
  snapshotId: SnapshotId;
  /** The whole snapshot's size in bytes. */
  size: number;
  position: number;
  bytes: Uint8Array;
}

/**
 * UpdateRaftVoter (82, KIP-853): a voter whose listeners differ from those
 * the voter set lists tells the leader its current ones.
 */
export interface UpdateRaftVoterRequest {
  type: "UpdateRaftVoterRequest";
  clusterId: string | null;
  currentLeaderEpoch: number;
  voterId: number;
  /** The voter's directory id, or null (the zero UUID). */
  voterDirectoryId: string | null;
  endpoints: VoterEndpoint[];
  kraftVersionMin: number;
  kraftVersionMax: number;
}

export interface UpdateRaftVoterResponse {
  type: "UpdateRaftVoterResponse";
  errorCode: number;
  leaderId: number;
  leaderEpoch: number;
}

export type RaftRequest =
  | UpdateRaftVoterRequest
  | VoteRequest
  | BeginQuorumEpochRequest
  | EndQuorumEpochRequest
  | FetchRequest
  | FetchSnapshotRequest;

export type RaftResponse =
  | UpdateRaftVoterResponse
  | VoteResponse
  | BeginQuorumEpochResponse
  | EndQuorumEpochResponse
  | FetchResponse
  | FetchSnapshotResponse;

export type RaftMessage = RaftRequest | RaftResponse;

/**
 * A message between two nodes. `from` is who the transport says sent it:
 * the simulator knows it; a real node knows it when the connection is
 * authenticated as a controller, else it passes the id the request claims.
 */
export interface RaftEnvelope<Body extends RaftMessage = RaftMessage> {
  from: number;
  to: number;
  correlationId: number;
  body: Body;
}

/** Whether a body is a request (and so expects a response). */
export function isRequest(body: RaftMessage): body is RaftRequest {
  return body.type.endsWith("Request");
}
