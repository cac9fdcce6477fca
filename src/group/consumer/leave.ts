/**
 * Members leaving: on their own (member epoch -1), temporarily as a static
 * member (-2), or fenced by the coordinator (session or rebalance timeout).
 *
 * Removing a member writes the three tombstones of its records, which frees
 * its partitions at once, then bumps the group epoch so that the next
 * heartbeat computes a target assignment without it. A static member leaving
 * with -2 keeps its partitions (at epoch -2, so nobody else takes them) and
 * stays in the group until it rejoins or its session expires.
 */
import type { ConsumerGroup, SubscriptionMetadata } from "./group.ts";
import {
  type ConsumerGroupMember,
  LEAVE_GROUP_MEMBER_EPOCH,
  LEAVE_GROUP_STATIC_MEMBER_EPOCH,
} from "./member.ts";
import { EMPTY_ASSIGNMENT } from "./assignment.ts";
import {
  currentAssignmentRecord,
  groupEpochRecord,
  memberRemovalRecords,
  subscriptionMetadataRecord,
} from "./record_builders.ts";
import type { ConsumerGroupRecord } from "./records.ts";
import { sameSubscriptionMetadata, subscribedTopicNames } from "./subscription.ts";
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from "./heartbeat_types.ts";
import { throwIfInstanceIdIsFenced, unknownMember } from "./membership.ts";
import { ErrorCode, KafkaError } from "../../protocol/mod.ts";

/**
 * The records removing `member` from `group`. `metadataFor` computes the
 * subscription metadata of the remaining subscriptions.
 */
export function fenceMemberRecords(
  group: ConsumerGroup,
  member: ConsumerGroupMember,
  metadataFor: (names: ReadonlySet<string>) => SubscriptionMetadata,
): ConsumerGroupRecord[] {
  const records = memberRemovalRecords(group.groupId, member.memberId);
  const metadata = metadataFor(subscribedTopicNames(group, null, [member.memberId]));
  if (!sameSubscriptionMetadata(metadata, group.subscriptionMetadata)) {
    records.push(subscriptionMetadataRecord(group.groupId, metadata));
  }
  records.push(groupEpochRecord(group.groupId, group.groupEpoch + 1));
  return records;
}

/** Handles a heartbeat with member epoch -1 or -2. */
export function leaveGroup(
  group: ConsumerGroup,
  request: ConsumerGroupHeartbeatRequest,
  metadataFor: (names: ReadonlySet<string>) => SubscriptionMetadata,
): { response: ConsumerGroupHeartbeatResponse; records: ConsumerGroupRecord[] } {
  const response = (memberId: string, memberEpoch: number): ConsumerGroupHeartbeatResponse => ({
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    memberId,
    memberEpoch,
    heartbeatIntervalMs: 0,
    assignment: null,
  });
  if (request.instanceId === null) {
    const member = group.members.get(request.memberId);
    if (!member) throw unknownMember(group, request.memberId);
    return {
      response: response(request.memberId, request.memberEpoch),
      records: fenceMemberRecords(group, member, metadataFor),
    };
  }
  const member = group.staticMember(request.instanceId);
  if (!member) {
    throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${request.instanceId} is unknown.`);
  }
  throwIfInstanceIdIsFenced(member, request.memberId, request.instanceId);
  if (request.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    const leaving: ConsumerGroupMember = {
      ...member,
      memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH,
      partitionsPendingRevocation: EMPTY_ASSIGNMENT,
    };
    return {
      response: response(member.memberId, LEAVE_GROUP_STATIC_MEMBER_EPOCH),
      records: [currentAssignmentRecord(group.groupId, leaving)],
    };
  }
  return {
    response: response(request.memberId, LEAVE_GROUP_MEMBER_EPOCH),
    records: fenceMemberRecords(group, member, metadataFor),
  };
}
