/**
 * The consumer group coordinator: classic groups (JoinGroup, SyncGroup,
 * Heartbeat, LeaveGroup), committed offsets, and their storage in
 * `__consumer_offsets` with Kafka's record schemas. A pure state machine;
 * src/server/group_driver.ts runs it on a node.
 */
export {
  GroupCoordinator,
  type GroupCoordinatorConfig,
  type GroupCoordinatorExtension,
  type GroupCoordinatorOptions,
} from "./coordinator.ts";
export {
  appendErrorToResponseError,
  DEFAULT_NEW_MEMBER_JOIN_TIMEOUT_MS,
  DEFAULT_OFFSET_METADATA_MAX_BYTES,
} from "./_coordinator_core.ts";
export type { Ready, Reply, Write } from "./outbox.ts";
export { ClassicGroupState } from "./classic_group_state.ts";
export type { ClassicGroup } from "./classic_group.ts";
export type { Group, GroupType, OffsetCommitIdentity } from "./group.ts";
export type { JoinProtocol } from "./classic_member.ts";
export * from "./requests.ts";
export * from "./responses.ts";
export {
  decodeOffsetsTopicRecord,
  type EncodedRecord,
  encodeOffsetsTopicRecord,
  type GroupMetadataMember,
  type GroupMetadataValue,
  type OffsetCommitValue,
  type OffsetsTopicRecord,
} from "./offsets_topic_records.ts";
export { javaStringHashCode, kafkaAbs, partitionForGroup } from "./partition_for.ts";
export { CONSUMER_PROTOCOL_TYPE, subscribedTopicsOf } from "./consumer_protocol.ts";
export { ConsumerGroups, consumerGroupSettings, heartbeatError } from "./consumer_groups.ts";
