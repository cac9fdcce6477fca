/**
 * ConsumerGroupDescribe: the described groups of a response, one per asked
 * group id, in the order asked. Topic names come from the current topic
 * metadata; partitions of topics that no longer exist are left out, as Kafka
 * leaves them out.
 */
import { type Assignment, assignmentToWire, EMPTY_ASSIGNMENT } from "./assignment.ts";
import { type ConsumerGroup, preferredServerAssignor } from "./group.ts";
import type { DescribedGroup, DescribedMember, DescribedTopicPartitions } from "./heartbeat_types.ts";
import type { ConsumerGroupMember } from "./member.ts";
import type { TopicMetadataSource } from "./topics.ts";
import { ErrorCode, uuidToString } from "../../protocol/mod.ts";

/** KIP-1099's member type of a member using the consumer protocol. */
const CONSUMER_MEMBER_TYPE = 1;
/** The AuthorizedOperations value meaning "not requested". */
const AUTHORIZED_OPERATIONS_NOT_REQUESTED = -2147483648;

/** Describes the asked groups. */
export function describeGroups(
  groups: ReadonlyMap<string, ConsumerGroup>,
  groupIds: readonly string[],
  topics: TopicMetadataSource,
  defaultAssignorName: string,
): DescribedGroup[] {
  return groupIds.map((groupId) => {
    if (groupId === "") return emptyDescription(groupId, ErrorCode.INVALID_GROUP_ID, null);
    const group = groups.get(groupId);
    if (!group) return emptyDescription(groupId, ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} not found.`);
    return describeGroup(group, topics, defaultAssignorName);
  });
}

/** An error entry for a group that cannot be described. */
export function emptyDescription(
  groupId: string,
  errorCode: number,
  errorMessage: string | null,
): DescribedGroup {
  return {
    errorCode,
    errorMessage,
    groupId,
    groupState: "",
    groupEpoch: 0,
    assignmentEpoch: 0,
    assignorName: "",
    members: [],
    authorizedOperations: AUTHORIZED_OPERATIONS_NOT_REQUESTED,
  };
}

function describeGroup(
  group: ConsumerGroup,
  topics: TopicMetadataSource,
  defaultAssignorName: string,
): DescribedGroup {
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    groupId: group.groupId,
    groupState: group.state(),
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.assignmentEpoch,
    assignorName: preferredServerAssignor(group.members.values()) ?? defaultAssignorName,
    members: [...group.members.values()].map((member) =>
      describeMember(member, group.targetAssignment.get(member.memberId) ?? EMPTY_ASSIGNMENT, topics)
    ),
    authorizedOperations: AUTHORIZED_OPERATIONS_NOT_REQUESTED,
  };
}

function describeMember(
  member: ConsumerGroupMember,
  target: Assignment,
  topics: TopicMetadataSource,
): DescribedMember {
  return {
    memberId: member.memberId,
    instanceId: member.instanceId,
    rackId: member.rackId,
    memberEpoch: member.memberEpoch,
    clientId: member.clientId,
    clientHost: member.clientHost,
    subscribedTopicNames: [...member.subscribedTopicNames],
    subscribedTopicRegex: member.subscribedTopicRegex,
    assignment: { topicPartitions: namedPartitions(member.assignedPartitions, topics) },
    targetAssignment: { topicPartitions: namedPartitions(target, topics) },
    memberType: CONSUMER_MEMBER_TYPE,
  };
}

function namedPartitions(assignment: Assignment, topics: TopicMetadataSource): DescribedTopicPartitions[] {
  return assignmentToWire(assignment).flatMap(({ topicId, partitions }) => {
    const topic = topics.topicById(uuidToString(topicId));
    return topic ? [{ topicId, topicName: topic.name, partitions }] : [];
  });
}
