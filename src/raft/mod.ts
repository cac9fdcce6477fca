/**
 * The KRaft metadata quorum: a pull-based Raft (KIP-595) with pre-vote
 * (KIP-996), leader epochs, a high watermark, voters and observers, and
 * snapshots (KIP-630), as a pure state machine in the etcd-raft style, with
 * the files KRaft keeps (`quorum-state`, `.checkpoint` snapshots, the
 * `__cluster_metadata-0` log) and the conversions to Kafka's wire messages.
 *
 * A node: `new RaftNode(options)`, then `step` / `tick` / `propose`, and
 * `ready()` → persist (RaftStore.persist), send, apply → `advance()`.
 */
export { type ProposeResult, RaftNode, type RaftNodeOptions } from "./raft_node.ts";
export type { Ready } from "./ready.ts";
export type { BatchSummary, RaftNodeState } from "./node_state.ts";
export type { ReplicaProgress, RoleName } from "./roles.ts";
export type {
  BeginQuorumEpochRequest,
  BeginQuorumEpochResponse,
  EndQuorumEpochRequest,
  EndQuorumEpochResponse,
  FetchRequest,
  FetchResponse,
  FetchSnapshotRequest,
  FetchSnapshotResponse,
  LeaderIdAndEpoch,
  RaftEnvelope,
  RaftMessage,
  RaftRequest,
  RaftResponse,
  UpdateRaftVoterRequest,
  UpdateRaftVoterResponse,
  VoteRequest,
  VoteResponse,
} from "./messages.ts";
export { isRequest } from "./messages.ts";
export {
  DEFAULT_RAFT_TIMEOUTS,
  endOffsetOf,
  lastOffsetOf,
  METADATA_PARTITION,
  METADATA_TOPIC,
  NO_NODE,
  type OffsetAndEpoch,
  type PlantedBugs,
  type QuorumStateRecord,
  type RaftBatch,
  type RaftRecord,
  type RaftTimeouts,
  type SnapshotId,
  type VoterEndpoint,
  type VoterEntry,
  type VoterInfo,
} from "./types.ts";
export type { VoterChangeResult, VoterRequest } from "./voter_changes.ts";
export type { DynamicQuorumOptions } from "./_core.ts";
export type { Snapshot } from "./raft_log.ts";
export { RaftStore, type StoredRaftState } from "./raft_store.ts";
export {
  formatQuorumState,
  parseQuorumState,
  QUORUM_STATE_FILE,
  QuorumStateFormatError,
  readQuorumState,
  writeQuorumState,
} from "./quorum_state_file.ts";
export {
  buildSnapshotBytes,
  deleteSnapshotsBefore,
  isValidSnapshot,
  listSnapshots,
  parseSnapshotFileName,
  readLatestSnapshot,
  readSnapshotValues,
  snapshotFileName,
  SnapshotFormatError,
  writeSnapshot,
} from "./snapshot_file.ts";
export { decodeRaftBatches, encodeRaftBatch, encodeRaftBatches } from "./batch_codec.ts";
export {
  decodeLeaderChange,
  decodeSnapshotFooter,
  decodeSnapshotHeader,
  encodeLeaderChange,
  encodeSnapshotFooter,
  encodeSnapshotHeader,
} from "./control_records.ts";
export {
  describeQuorumToWire,
  METADATA_TOPIC_ID,
  RaftApiKey,
  requestFromWire,
  responseFromWire,
  toWire,
} from "./wire.ts";
export type { RequestFromWire } from "./wire_decode.ts";
export { type TraceEntry, type TraceInput, type TraceSink, traceToJson } from "./trace.ts";
