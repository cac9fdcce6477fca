/**
 * Builds the consumer group records (records.ts) from the coordinator's
 * in-memory state: one function per record and per tombstone.
 */
import { type Assignment, assignmentToWire, topicIdBytes } from "./assignment.ts";
import type { SubscriptionMetadata } from "./group.ts";
import type { ConsumerGroupMember } from "./member.ts";
import { type ConsumerGroupRecord, ConsumerGroupRecordType } from "./records.ts";

/** ConsumerGroupMetadata: the group epoch. */
export function groupEpochRecord(groupId: string, epoch: number): ConsumerGroupRecord {
  return { type: ConsumerGroupRecordType.GROUP_METADATA, groupId, value: { epoch } };
}

/** Deletes the group; written last when a group is deleted. */
export function groupEpochTombstone(groupId: string): ConsumerGroupRecord {
  return { type: ConsumerGroupRecordType.GROUP_METADATA, groupId, value: null };
}

/** ConsumerGroupPartitionMetadata: the subscribed topics' metadata, topics sorted by name. */
export function subscriptionMetadataRecord(
  groupId: string,
  metadata: SubscriptionMetadata,
): ConsumerGroupRecord {
  const topics = [...metadata.values()]
    .sort((left, right) => left.topicName < right.topicName ? -1 : left.topicName > right.topicName ? 1 : 0)
    .map((topic) => ({
      topicId: topicIdBytes(topic.topicId),
      topicName: topic.topicName,
      numPartitions: topic.partitionCount,
      partitionMetadata: [],
    }));
  return { type: ConsumerGroupRecordType.PARTITION_METADATA, groupId, value: { topics } };
}

/** Deletes the subscription metadata. */
export function subscriptionMetadataTombstone(groupId: string): ConsumerGroupRecord {
  return { type: ConsumerGroupRecordType.PARTITION_METADATA, groupId, value: null };
}

/** ConsumerGroupMemberMetadata: what the member subscribed to and who it is. */
export function memberMetadataRecord(groupId: string, member: ConsumerGroupMember): ConsumerGroupRecord {
  return {
    type: ConsumerGroupRecordType.MEMBER_METADATA,
    groupId,
    memberId: member.memberId,
    value: {
      instanceId: member.instanceId,
      rackId: member.rackId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      subscribedTopicNames: [...member.subscribedTopicNames],
      subscribedTopicRegex: member.subscribedTopicRegex,
      rebalanceTimeoutMs: member.rebalanceTimeoutMs,
      serverAssignor: member.serverAssignorName,
      classicMemberMetadata: null,
    },
  };
}

/** Deletes a member; must follow the tombstones of its current and target assignments. */
export function memberMetadataTombstone(groupId: string, memberId: string): ConsumerGroupRecord {
  return { type: ConsumerGroupRecordType.MEMBER_METADATA, groupId, memberId, value: null };
}

/** ConsumerGroupTargetAssignmentMetadata: the epoch of the target assignment. */
export function targetAssignmentEpochRecord(groupId: string, assignmentEpoch: number): ConsumerGroupRecord {
  return { type: ConsumerGroupRecordType.TARGET_ASSIGNMENT_METADATA, groupId, value: { assignmentEpoch } };
}

/** Deletes the target assignment epoch; written when a group is deleted. */
export function targetAssignmentEpochTombstone(groupId: string): ConsumerGroupRecord {
  return { type: ConsumerGroupRecordType.TARGET_ASSIGNMENT_METADATA, groupId, value: null };
}

/** ConsumerGroupTargetAssignmentMember: one member's target partitions. */
export function targetAssignmentRecord(
  groupId: string,
  memberId: string,
  assignment: Assignment,
): ConsumerGroupRecord {
  return {
    type: ConsumerGroupRecordType.TARGET_ASSIGNMENT_MEMBER,
    groupId,
    memberId,
    value: { topicPartitions: assignmentToWire(assignment) },
  };
}

/** Deletes one member's target partitions. */
export function targetAssignmentTombstone(groupId: string, memberId: string): ConsumerGroupRecord {
  return { type: ConsumerGroupRecordType.TARGET_ASSIGNMENT_MEMBER, groupId, memberId, value: null };
}

/** ConsumerGroupCurrentMemberAssignment: where the member stands in reconciliation. */
export function currentAssignmentRecord(groupId: string, member: ConsumerGroupMember): ConsumerGroupRecord {
  return {
    type: ConsumerGroupRecordType.CURRENT_MEMBER_ASSIGNMENT,
    groupId,
    memberId: member.memberId,
    value: {
      memberEpoch: member.memberEpoch,
      previousMemberEpoch: member.previousMemberEpoch,
      state: member.state,
      assignedPartitions: assignmentToWire(member.assignedPartitions),
      partitionsPendingRevocation: assignmentToWire(member.partitionsPendingRevocation),
    },
  };
}

/** Releases everything the member owns; the first of the three tombstones removing a member. */
export function currentAssignmentTombstone(groupId: string, memberId: string): ConsumerGroupRecord {
  return { type: ConsumerGroupRecordType.CURRENT_MEMBER_ASSIGNMENT, groupId, memberId, value: null };
}

/**
 * The tombstones removing a member, in the order Kafka writes them: current
 * assignment (releases its partitions), target assignment, then metadata.
 */
export function memberRemovalRecords(groupId: string, memberId: string): ConsumerGroupRecord[] {
  return [
    currentAssignmentTombstone(groupId, memberId),
    targetAssignmentTombstone(groupId, memberId),
    memberMetadataTombstone(groupId, memberId),
  ];
}
