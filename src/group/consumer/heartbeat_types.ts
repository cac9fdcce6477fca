/**
 * ConsumerGroupHeartbeat and ConsumerGroupDescribe bodies as the codec
 * decodes and encodes them (src/protocol/messages/consumer_group_heartbeat.ts
 * and consumer_group_describe.ts), typed for the coordinator.
 */
import type { TopicPartitionsWire } from "./assignment.ts";
import type { TopicMetadataSource } from "./topics.ts";

/** A decoded ConsumerGroupHeartbeat request (v0 or v1). Null fields mean "unchanged". */
export interface ConsumerGroupHeartbeatRequest {
  groupId: string;
  /** Empty on a v0 join: the coordinator makes one up. Required from v1 (KIP-1082). */
  memberId: string;
  /** 0 to join, -1 to leave, -2 for a static member to leave temporarily, else the current epoch. */
  memberEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  /** -1 when unchanged. */
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[] | null;
  /** v1 only; absent (null) in v0. */
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  /** The partitions the member owns; null when unchanged. */
  topicPartitions: TopicPartitionsWire[] | null;
}

/** A ConsumerGroupHeartbeat response body. */
export interface ConsumerGroupHeartbeatResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  /** Null when the assignment did not change. */
  assignment: { topicPartitions: TopicPartitionsWire[] } | null;
}

/** One topic's partitions in a ConsumerGroupDescribe assignment. */
export interface DescribedTopicPartitions {
  topicId: Uint8Array;
  topicName: string;
  partitions: number[];
}

/** One member in a ConsumerGroupDescribe response. */
export interface DescribedMember {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  memberEpoch: number;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  assignment: { topicPartitions: DescribedTopicPartitions[] };
  targetAssignment: { topicPartitions: DescribedTopicPartitions[] };
  /** KIP-1099 (v1): 1 for a member using the consumer protocol. */
  memberType: number;
}

/** One group in a ConsumerGroupDescribe response. */
export interface DescribedGroup {
  errorCode: number;
  errorMessage: string | null;
  groupId: string;
  groupState: string;
  groupEpoch: number;
  assignmentEpoch: number;
  assignorName: string;
  members: DescribedMember[];
  /** Kafka's "not requested" value unless the handler fills it. */
  authorizedOperations: number;
}

/** What the request handler knows about a heartbeat beyond its body. */
export interface HeartbeatContext {
  nowMs: number;
  /** The request's API version: from v1 the member id must be set (KIP-1082). */
  apiVersion: number;
  /** From the request header. */
  clientId: string;
  /** The client's address, as Kafka prints it (for example "/127.0.0.1"). */
  clientHost: string;
  /** The topics as the metadata image has them now. */
  topics: TopicMetadataSource;
}
