/**
 * ConsumerGroupHeartbeat handling: from a request and the groups' current
 * state to a response and the records that persist the change. Nothing here
 * changes the state; the coordinator replays the records afterwards.
 *
 * A regular heartbeat (member epoch 0 to join, else the member's epoch):
 * 1. find or admit the member (membership.ts) and apply what the request
 *    changes (subscription, assignor, rebalance timeout, rack, client);
 * 2. bump the group epoch if the subscriptions or the subscribed topics'
 *    metadata changed;
 * 3. compute a new target assignment if the group epoch is ahead of it;
 * 4. move the member one reconciliation step towards its target.
 */
import {
  type Assignment,
  assignmentFromWire,
  assignmentsEqual,
  assignmentToWire,
  EMPTY_ASSIGNMENT,
} from "./assignment.ts";
import type { ServerAssignor } from "./assignor.ts";
import { ConsumerGroup, preferredServerAssignor, type SubscriptionMetadata } from "./group.ts";
import type {
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponse,
  HeartbeatContext,
} from "./heartbeat_types.ts";
import { validateHeartbeatRequest } from "./heartbeat_validation.ts";
import { leaveGroup } from "./leave.ts";
import {
  type ConsumerGroupMember,
  isReconciledTo,
  normalizeTopicNames,
  sameCurrentAssignment,
  sameMemberMetadata,
  sameTopicNames,
} from "./member.ts";
import { dynamicMember, type MemberLookup, staticMember, throwIfGroupIsFull } from "./membership.ts";
import { reconcile } from "./reconciliation.ts";
import {
  currentAssignmentRecord,
  groupEpochRecord,
  memberMetadataRecord,
  subscriptionMetadataRecord,
} from "./record_builders.ts";
import type { ConsumerGroupRecord } from "./records.ts";
import {
  computeSubscriptionMetadata,
  sameSubscriptionMetadata,
  subscribedTopicNames,
} from "./subscription.ts";
import { computeTargetAssignment } from "./target_assignment.ts";
import { ErrorCode, KafkaError } from "../../protocol/mod.ts";

/** The coordinator settings a heartbeat needs. */
export interface HeartbeatSettings {
  /** group.consumer.heartbeat.interval.ms */
  heartbeatIntervalMs: number;
  /** group.consumer.max.size */
  maxSize: number;
  /** group.consumer.assignors; the first is used when no member asks for one. */
  assignors: readonly ServerAssignor[];
  /** Makes a member id for a v0 join that did not bring one. */
  generateMemberId: () => string;
}

/** The result of one heartbeat. */
export interface HeartbeatOutcome {
  response: ConsumerGroupHeartbeatResponse;
  /** To persist, then replay, in this order. Empty on errors. */
  records: ConsumerGroupRecord[];
  /** The member a successful regular heartbeat kept alive; null for errors and leaves. */
  heartbeatMemberId: string | null;
}

/** Handles one ConsumerGroupHeartbeat request. */
export function handleHeartbeat(
  groups: ReadonlyMap<string, ConsumerGroup>,
  request: ConsumerGroupHeartbeatRequest,
  context: HeartbeatContext,
  settings: HeartbeatSettings,
): HeartbeatOutcome {
  try {
    const invalid = validateHeartbeatRequest(
      request,
      context.apiVersion,
      settings.assignors.map((item) => item.name),
    );
    if (invalid) throw invalid;
    if (request.memberEpoch < 0) {
      const group = groups.get(request.groupId);
      if (!group) throw new KafkaError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${request.groupId} not found.`);
      const metadataFor = (names: ReadonlySet<string>) => computeSubscriptionMetadata(names, context.topics);
      return { ...leaveGroup(group, request, metadataFor), heartbeatMemberId: null };
    }
    return regularHeartbeat(groups, request, context, settings);
  } catch (error) {
    if (!(error instanceof KafkaError)) throw error;
    return { response: errorResponse(error), records: [], heartbeatMemberId: null };
  }
}

/** A heartbeat error response, shaped as Kafka's. */
export function errorResponse(error: KafkaError): ConsumerGroupHeartbeatResponse {
  return {
    throttleTimeMs: 0,
    errorCode: error.code,
    errorMessage: error.message,
    memberId: null,
    memberEpoch: 0,
    heartbeatIntervalMs: 0,
    assignment: null,
  };
}

function groupNotFound(groupId: string): KafkaError {
  return new KafkaError(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${groupId} not found.`);
}

function regularHeartbeat(
  groups: ReadonlyMap<string, ConsumerGroup>,
  request: ConsumerGroupHeartbeatRequest,
  context: HeartbeatContext,
  settings: HeartbeatSettings,
): HeartbeatOutcome {
  const existing = groups.get(request.groupId);
  if (!existing && request.memberEpoch !== 0) throw groupNotFound(request.groupId);
  // A new group lives only in the records until they are replayed.
  const group = existing ?? new ConsumerGroup(request.groupId);
  throwIfGroupIsFull(group, request.memberId, settings.maxSize);

  const records: ConsumerGroupRecord[] = [];
  const memberId = request.memberId === "" ? settings.generateMemberId() : request.memberId;
  const owned = request.topicPartitions === null ? null : assignmentFromWire(request.topicPartitions);
  const lookup: MemberLookup = request.instanceId === null
    ? { member: dynamicMember(group, memberId, request.memberEpoch, owned), replacedMemberId: null }
    : staticMember(group, memberId, request.instanceId, request.memberEpoch, owned, records);
  const member = lookup.member;
  const removedMemberIds = lookup.replacedMemberId === null ? [] : [lookup.replacedMemberId];
  const updated = applyRequest(member, request, context);

  const { groupEpoch, metadata } = updateSubscriptions(
    group,
    member,
    updated,
    removedMemberIds,
    context,
    records,
  );
  let targetEpoch = group.assignmentEpoch;
  let target = targetOf(group, updated);
  if (groupEpoch > group.assignmentEpoch) {
    const result = computeTargetAssignment({
      group,
      groupEpoch,
      assignor: chooseAssignor(group, updated, removedMemberIds, settings.assignors),
      subscriptionMetadata: metadata,
      updatedMember: updated,
      removedMemberIds,
    });
    records.push(...result.records);
    targetEpoch = groupEpoch;
    target = result.assignments.get(memberId) ?? EMPTY_ASSIGNMENT;
  }

  const reconciled = isReconciledTo(updated, targetEpoch) ? updated : reconcile({
    member: updated,
    targetAssignmentEpoch: targetEpoch,
    targetAssignment: target,
    currentPartitionEpoch: (topicId, partition) => group.currentPartitionEpoch(topicId, partition),
    ownedPartitions: owned,
  });
  if (!sameCurrentAssignment(reconciled, updated)) {
    records.push(currentAssignmentRecord(group.groupId, reconciled));
  }
  return {
    response: successResponse(request, member, reconciled, settings.heartbeatIntervalMs),
    records,
    heartbeatMemberId: memberId,
  };
}

/**
 * Records the member's new metadata and the group's new subscription
 * metadata when they changed, and bumps the group epoch when the member's
 * subscription or the subscribed topics changed.
 */
function updateSubscriptions(
  group: ConsumerGroup,
  member: ConsumerGroupMember,
  updated: ConsumerGroupMember,
  removedMemberIds: readonly string[],
  context: HeartbeatContext,
  records: ConsumerGroupRecord[],
): { groupEpoch: number; metadata: SubscriptionMetadata } {
  let bumpGroupEpoch = false;
  if (!sameMemberMetadata(member, updated)) {
    records.push(memberMetadataRecord(group.groupId, updated));
    bumpGroupEpoch = !sameTopicNames(member.subscribedTopicNames, updated.subscribedTopicNames) ||
      member.subscribedTopicRegex !== updated.subscribedTopicRegex;
  }
  const names = subscribedTopicNames(group, updated, removedMemberIds);
  const metadata = computeSubscriptionMetadata(names, context.topics);
  if (!sameSubscriptionMetadata(metadata, group.subscriptionMetadata)) {
    bumpGroupEpoch = true;
    records.push(subscriptionMetadataRecord(group.groupId, metadata));
  }
  if (!bumpGroupEpoch) return { groupEpoch: group.groupEpoch, metadata };
  records.push(groupEpochRecord(group.groupId, group.groupEpoch + 1));
  return { groupEpoch: group.groupEpoch + 1, metadata };
}

/**
 * The response to a successful heartbeat. The assignment goes back when the
 * member sent every field (it joins, or recovers from an error and cannot
 * trust what it knows) or when its partitions changed.
 */
function successResponse(
  request: ConsumerGroupHeartbeatRequest,
  before: ConsumerGroupMember,
  after: ConsumerGroupMember,
  heartbeatIntervalMs: number,
): ConsumerGroupHeartbeatResponse {
  const fullRequest = request.memberEpoch === 0 ||
    (request.rebalanceTimeoutMs !== -1 &&
      (request.subscribedTopicNames !== null || request.subscribedTopicRegex !== null) &&
      request.topicPartitions !== null);
  const sendAssignment = fullRequest ||
    !assignmentsEqual(before.assignedPartitions, after.assignedPartitions);
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    memberId: after.memberId,
    memberEpoch: after.memberEpoch,
    heartbeatIntervalMs,
    assignment: sendAssignment ? { topicPartitions: assignmentToWire(after.assignedPartitions) } : null,
  };
}

/** The member with what the request changes; null request fields keep the old value. */
function applyRequest(
  member: ConsumerGroupMember,
  request: ConsumerGroupHeartbeatRequest,
  context: HeartbeatContext,
): ConsumerGroupMember {
  return {
    ...member,
    instanceId: request.instanceId ?? member.instanceId,
    rackId: request.rackId ?? member.rackId,
    rebalanceTimeoutMs: request.rebalanceTimeoutMs === -1
      ? member.rebalanceTimeoutMs
      : request.rebalanceTimeoutMs,
    serverAssignorName: request.serverAssignor ?? member.serverAssignorName,
    subscribedTopicNames: request.subscribedTopicNames === null
      ? member.subscribedTopicNames
      : normalizeTopicNames(request.subscribedTopicNames),
    subscribedTopicRegex: request.subscribedTopicRegex ?? member.subscribedTopicRegex,
    clientId: context.clientId,
    clientHost: context.clientHost,
  };
}

/** The member's target when no new one is computed; a static replacement's comes from its predecessor. */
function targetOf(group: ConsumerGroup, member: ConsumerGroupMember): Assignment {
  const holder = member.instanceId === null ? member.memberId : group.staticMembers.get(member.instanceId);
  return (holder === undefined ? undefined : group.targetAssignment.get(holder)) ?? EMPTY_ASSIGNMENT;
}

/** The assignor most members ask for once the request applies, else the first configured. */
function chooseAssignor(
  group: ConsumerGroup,
  updated: ConsumerGroupMember,
  removedMemberIds: readonly string[],
  assignors: readonly ServerAssignor[],
): ServerAssignor {
  const members = new Map(group.members);
  for (const memberId of removedMemberIds) members.delete(memberId);
  members.set(updated.memberId, updated);
  const preferred = preferredServerAssignor(members.values());
  return assignors.find((assignor) => assignor.name === preferred) ?? assignors[0]!;
}
