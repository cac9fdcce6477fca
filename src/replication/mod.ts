/**
 * ISR replication as Kafka does it, as pure state machines: the leader's
 * view of its followers and the high watermark (leader_state.ts), the
 * follower's reading of fetch answers (follower_state.ts), and log
 * divergence between them (divergence.ts), and which replica a consumer
 * reads from (replica_selector.ts, KIP-392). src/server/ drives them over the
 * wire; the simulator and spec/ check the same code.
 */
export {
  divergingEpoch,
  type EpochEnd,
  type EpochLookup,
  truncationOffset,
  UNDEFINED_EPOCH,
} from "./divergence.ts";
export { FollowerProgress, UNKNOWN_OFFSET } from "./follower_progress.ts";
export {
  type FollowerFetchAnswer,
  type FollowerLog,
  FollowerState,
  type FollowerStep,
} from "./follower_state.ts";
export {
  type CommittedPartitionState,
  type IsrEligibility,
  type IsrMember,
  type IsrProposal,
  LeaderRecoveryState,
  type LeaderSettings,
  type LeaderStart,
  LeaderState,
} from "./leader_state.ts";
export {
  LEADER_SELECTOR,
  preferredReadReplica,
  RACK_AWARE_REPLICA_SELECTOR,
  type ReplicaView,
} from "./replica_selector.ts";
