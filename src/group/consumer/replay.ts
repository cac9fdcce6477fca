/**
 * Applies consumer group records to the groups' state. This is the only way
 * the state changes, both while the coordinator serves requests (it replays
 * the records it has just produced) and while it loads `__consumer_offsets`
 * at start-up, so the two can never disagree.
 *
 * Tombstones for things that do not exist are ignored, as Kafka ignores them;
 * tombstones out of Kafka's order are broken invariants and throw.
 */
import { assignmentFromWire, EMPTY_ASSIGNMENT } from "./assignment.ts";
import { ConsumerGroup, type SubscribedTopicMetadata } from "./group.ts";
import {
  type ConsumerGroupMember,
  LEAVE_GROUP_MEMBER_EPOCH,
  memberStateFromValue,
  newMember,
  normalizeTopicNames,
} from "./member.ts";
import { type ConsumerGroupRecord, ConsumerGroupRecordType } from "./records.ts";
import { uuidToString } from "../../protocol/mod.ts";

/** Applies one record to `groups` (group id to state). */
export function replayRecord(groups: Map<string, ConsumerGroup>, record: ConsumerGroupRecord): void {
  const existing = groups.get(record.groupId);
  if (record.value === null && !existing) return;
  const group = existing ?? createGroup(groups, record.groupId);
  switch (record.type) {
    case ConsumerGroupRecordType.GROUP_METADATA:
      if (record.value) group.groupEpoch = record.value.epoch;
      else deleteGroup(groups, group);
      return;
    case ConsumerGroupRecordType.PARTITION_METADATA:
      group.subscriptionMetadata = record.value ? subscriptionMetadataFrom(record.value.topics) : new Map();
      return;
    case ConsumerGroupRecordType.MEMBER_METADATA:
      if (record.value) {
        const old = group.members.get(record.memberId) ?? newMember(record.memberId);
        group.updateMember({
          ...old,
          instanceId: record.value.instanceId,
          rackId: record.value.rackId,
          clientId: record.value.clientId,
          clientHost: record.value.clientHost,
          subscribedTopicNames: normalizeTopicNames(record.value.subscribedTopicNames),
          subscribedTopicRegex: record.value.subscribedTopicRegex,
          rebalanceTimeoutMs: record.value.rebalanceTimeoutMs,
          serverAssignorName: record.value.serverAssignor,
        });
      } else removeMember(group, record.memberId);
      return;
    case ConsumerGroupRecordType.TARGET_ASSIGNMENT_METADATA:
      if (record.value) group.assignmentEpoch = record.value.assignmentEpoch;
      else {
        if (group.targetAssignment.size > 0) {
          throw new Error(`group ${group.groupId}: target assignment epoch deleted before its members`);
        }
        group.assignmentEpoch = -1;
      }
      return;
    case ConsumerGroupRecordType.TARGET_ASSIGNMENT_MEMBER:
      if (record.value) {
        group.targetAssignment.set(record.memberId, assignmentFromWire(record.value.topicPartitions));
      } else group.targetAssignment.delete(record.memberId);
      return;
    case ConsumerGroupRecordType.CURRENT_MEMBER_ASSIGNMENT: {
      const old = group.members.get(record.memberId);
      if (record.value) {
        group.updateMember({
          ...(old ?? newMember(record.memberId)),
          memberEpoch: record.value.memberEpoch,
          previousMemberEpoch: record.value.previousMemberEpoch,
          state: memberStateFromValue(record.value.state),
          assignedPartitions: assignmentFromWire(record.value.assignedPartitions),
          partitionsPendingRevocation: assignmentFromWire(record.value.partitionsPendingRevocation),
        });
      } else if (old) group.updateMember(leftMember(old));
      return;
    }
  }
}

function createGroup(groups: Map<string, ConsumerGroup>, groupId: string): ConsumerGroup {
  const group = new ConsumerGroup(groupId);
  groups.set(groupId, group);
  return group;
}

function deleteGroup(groups: Map<string, ConsumerGroup>, group: ConsumerGroup): void {
  if (group.members.size > 0 || group.targetAssignment.size > 0 || group.assignmentEpoch !== -1) {
    throw new Error(`group ${group.groupId}: deleted while it still has members or a target assignment`);
  }
  groups.delete(group.groupId);
}

function removeMember(group: ConsumerGroup, memberId: string): void {
  const member = group.members.get(memberId);
  if (!member) return;
  if (member.memberEpoch !== LEAVE_GROUP_MEMBER_EPOCH || group.targetAssignment.has(memberId)) {
    throw new Error(`group ${group.groupId}: member ${memberId} deleted before its assignments`);
  }
  group.removeMember(memberId);
}

/** The member after its current assignment tombstone: out of every epoch, owning nothing. */
function leftMember(member: ConsumerGroupMember): ConsumerGroupMember {
  return {
    ...member,
    memberEpoch: LEAVE_GROUP_MEMBER_EPOCH,
    previousMemberEpoch: LEAVE_GROUP_MEMBER_EPOCH,
    assignedPartitions: EMPTY_ASSIGNMENT,
    partitionsPendingRevocation: EMPTY_ASSIGNMENT,
  };
}

function subscriptionMetadataFrom(
  topics: { topicId: Uint8Array; topicName: string; numPartitions: number }[],
): Map<string, SubscribedTopicMetadata> {
  return new Map(topics.map((topic) => [
    topic.topicName,
    { topicId: uuidToString(topic.topicId), topicName: topic.topicName, partitionCount: topic.numPartitions },
  ]));
}
