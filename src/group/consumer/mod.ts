/**
 * The KIP-848 consumer group protocol (Kafka 4.0's `group.protocol=consumer`):
 * ConsumerGroupHeartbeat and ConsumerGroupDescribe with the server-side
 * `uniform` and `range` assignors, as a pure state machine.
 *
 * ## Driving it (for the integrator)
 *
 * One `ConsumerGroupCoordinator` per `__consumer_offsets` partition this node
 * leads, next to the classic group coordinator of that partition:
 *
 * ```ts
 * const coordinator = new ConsumerGroupCoordinator({
 *   generateMemberId: () => uuidToString(randomUuid(world.random)),
 *   sessionTimeoutMs: config["group.consumer.session.timeout.ms"],     // default 45000
 *   heartbeatIntervalMs: config["group.consumer.heartbeat.interval.ms"], // default 5000
 *   maxSize: config["group.consumer.max.size"],
 *   assignors: ["uniform", "range"],                                    // group.consumer.assignors
 * });
 *
 * // Loading the partition: every record of the log, in order.
 * for (const { key, value } of records) {
 *   const record = decodeConsumerGroupRecord(key, value); // null: not a consumer group record
 *   if (record) coordinator.replay(record);
 * }
 * coordinator.onLoaded(clock.nowMs());
 *
 * // ConsumerGroupHeartbeat (the codec's decoded body has the request's field names).
 * const { response, records } = coordinator.heartbeat(body as ConsumerGroupHeartbeatRequest, {
 *   nowMs, apiVersion, clientId: header.clientId, clientHost: "/" + peerAddress,
 *   topics: topicsFromImage(metadataImage),
 * });
 * // Append records.map(encodeConsumerGroupRecord) to the partition, then send `response`.
 *
 * // ConsumerGroupDescribe.
 * const groups = coordinator.describe(body.groupIds, topicsFromImage(metadataImage));
 *
 * // Timers: call tick at nextDeadlineMs() (or on every coordinator tick).
 * const { records: expiredRecords, expired } = coordinator.tick(nowMs);
 * ```
 *
 * Rules the integrator keeps:
 * - Persist `records` before answering, in the order given. The coordinator
 *   has already applied them (by replaying them); if the append fails,
 *   rebuild the coordinator from the log, as Kafka reverts to its last
 *   committed state.
 * - Group ids are shared with classic groups. Before calling `heartbeat`,
 *   answer GROUP_ID_NOT_FOUND ("Group X is not a consumer group") when a
 *   non-empty classic group has the id (delete an empty classic group first,
 *   as Kafka does); answer a classic JoinGroup for an id `hasGroup` knows with
 *   the error the classic coordinator uses for a group of another type.
 *   ConsumerGroupDescribe of a classic group id: GROUP_ID_NOT_FOUND.
 * - OffsetCommit / TxnOffsetCommit / OffsetFetch for a consumer group: check
 *   with `validateOffsetCommit` / `validateOffsetFetch` (UNKNOWN_MEMBER_ID,
 *   STALE_MEMBER_EPOCH, UNSUPPORTED_VERSION below OffsetCommit v9).
 * - DeleteGroups: `deleteGroup` (NON_EMPTY_GROUP while members remain); an
 *   empty group whose offsets have all expired is deleted the same way.
 *   `ConsumerGroupView` wraps one consumer group in the group coordinator's
 *   `Group` interface (src/group/group.ts) for the offset and admin paths;
 *   its `tombstones()` are not applied, so they must be replayed here
 *   (`decodeConsumerGroupRecord` then `replay`) once written.
 * - ListGroups: `listGroups()` (type "consumer", protocol type "consumer").
 * - Topic metadata comes in with each heartbeat; a topic change is noticed
 *   at the next heartbeat of any member (Kafka refreshes on a timer; here it
 *   is compared on every heartbeat, which is cheap).
 *
 * Not supported: regular-expression subscriptions (SubscribedTopicRegex is
 * refused with INVALID_REQUEST and the type-16 regex records are not read),
 * classic-protocol members inside a consumer group (online upgrade and
 * downgrade, KIP-848's ClassicMemberMetadata), per-group dynamic configs
 * (`consumer.session.timeout.ms` on a group), rack-aware assignment.
 */
export {
  ConsumerGroupCoordinator,
  type ConsumerGroupCoordinatorOptions,
  type CoordinatorResult,
  type ExpiredMember,
  type ListedConsumerGroup,
  SERVER_ASSIGNORS,
} from "./coordinator.ts";
export type {
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponse,
  DescribedGroup,
  DescribedMember,
  DescribedTopicPartitions,
  HeartbeatContext,
} from "./heartbeat_types.ts";
export {
  type ConsumerGroupRecord,
  ConsumerGroupRecordType,
  decodeConsumerGroupRecord,
  encodeConsumerGroupRecord,
  type EncodedRecord,
  isConsumerGroupRecordKey,
} from "./records.ts";
export { type TopicInfo, type TopicMetadataSource, topicsFromImage, topicsFromList } from "./topics.ts";
export { type ConsumerGroup, ConsumerGroupState, type ConsumerGroupStateName } from "./group.ts";
export { type ConsumerGroupMember, MemberState } from "./member.ts";
export { type Assignment, type TopicPartitionsWire } from "./assignment.ts";
export { type AssignmentMemberSpec, type ServerAssignor } from "./assignor.ts";
export { uniformAssignor } from "./uniform_assignor.ts";
export { ConsumerGroupView } from "./group_view.ts";
export { rangeAssignor } from "./range_assignor.ts";
