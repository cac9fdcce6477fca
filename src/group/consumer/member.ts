/**
 * A member of a KIP-848 consumer group as the coordinator keeps it: what the
 * member subscribed to (ConsumerGroupMemberMetadata record) and where it
 * stands in reconciliation (ConsumerGroupCurrentMemberAssignment record).
 */
import { type Assignment, assignmentsEqual, EMPTY_ASSIGNMENT } from "./assignment.ts";

/**
 * The reconciliation state of a member, with the values Kafka writes in the
 * `State` field of ConsumerGroupCurrentMemberAssignmentValue.
 */
export const MemberState = {
  /** Fully reconciled with the target assignment of its epoch. */
  STABLE: 0,
  /** Must revoke partitions (acknowledge by no longer reporting them) before it may move on. */
  UNREVOKED_PARTITIONS: 1,
  /** At the target epoch, waiting for partitions that other members have not revoked yet. */
  UNRELEASED_PARTITIONS: 2,
  /** A state written by a newer Kafka; the member is fenced unless it owns nothing. */
  UNKNOWN: 127,
} as const;

export type MemberStateValue = (typeof MemberState)[keyof typeof MemberState];

/** Maps a record's state byte to a state, unknown values to UNKNOWN as Kafka does. */
export function memberStateFromValue(value: number): MemberStateValue {
  switch (value) {
    case MemberState.STABLE:
    case MemberState.UNREVOKED_PARTITIONS:
    case MemberState.UNRELEASED_PARTITIONS:
      return value;
    default:
      return MemberState.UNKNOWN;
  }
}

/** The member epoch a member sends to leave the group. */
export const LEAVE_GROUP_MEMBER_EPOCH = -1;
/** The member epoch a static member sends to leave temporarily, keeping its partitions. */
export const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2;

/** One member. Never mutated: updates make a new object. */
export interface ConsumerGroupMember {
  readonly memberId: string;
  readonly memberEpoch: number;
  /** The epoch before the last bump: a member whose response was lost may retry with it. */
  readonly previousMemberEpoch: number;
  readonly state: MemberStateValue;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  /** -1 until the member sends one. */
  readonly rebalanceTimeoutMs: number;
  readonly clientId: string;
  readonly clientHost: string;
  /** Sorted and without duplicates, so that equal subscriptions compare equal. */
  readonly subscribedTopicNames: readonly string[];
  readonly subscribedTopicRegex: string | null;
  readonly serverAssignorName: string | null;
  /** Partitions the member owns or is being given. */
  readonly assignedPartitions: Assignment;
  /** Partitions the member still owns but must give up. */
  readonly partitionsPendingRevocation: Assignment;
}

/** A member as it is before any record about it: Kafka's builder defaults. */
export function newMember(memberId: string): ConsumerGroupMember {
  return {
    memberId,
    memberEpoch: 0,
    previousMemberEpoch: -1,
    state: MemberState.STABLE,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: -1,
    clientId: "",
    clientHost: "",
    subscribedTopicNames: [],
    subscribedTopicRegex: null,
    serverAssignorName: null,
    assignedPartitions: EMPTY_ASSIGNMENT,
    partitionsPendingRevocation: EMPTY_ASSIGNMENT,
  };
}

/** Sorted, duplicate-free topic names. */
export function normalizeTopicNames(names: readonly string[]): string[] {
  return [...new Set(names)].sort();
}

/** Whether two members have the same fields of the ConsumerGroupMemberMetadata record. */
export function sameMemberMetadata(left: ConsumerGroupMember, right: ConsumerGroupMember): boolean {
  return left.instanceId === right.instanceId &&
    left.rackId === right.rackId &&
    left.rebalanceTimeoutMs === right.rebalanceTimeoutMs &&
    left.clientId === right.clientId &&
    left.clientHost === right.clientHost &&
    left.subscribedTopicRegex === right.subscribedTopicRegex &&
    left.serverAssignorName === right.serverAssignorName &&
    sameTopicNames(left.subscribedTopicNames, right.subscribedTopicNames);
}

/** Whether two members have the same fields of the ConsumerGroupCurrentMemberAssignment record. */
export function sameCurrentAssignment(left: ConsumerGroupMember, right: ConsumerGroupMember): boolean {
  return left.memberEpoch === right.memberEpoch &&
    left.previousMemberEpoch === right.previousMemberEpoch &&
    left.state === right.state &&
    assignmentsEqual(left.assignedPartitions, right.assignedPartitions) &&
    assignmentsEqual(left.partitionsPendingRevocation, right.partitionsPendingRevocation);
}

/** Whether two normalized topic name lists are equal. */
export function sameTopicNames(left: readonly string[], right: readonly string[]): boolean {
  return left.length === right.length && left.every((name, index) => name === right[index]);
}

/** Whether the member is fully reconciled with the target assignment of `targetAssignmentEpoch`. */
export function isReconciledTo(member: ConsumerGroupMember, targetAssignmentEpoch: number): boolean {
  return member.state === MemberState.STABLE && member.memberEpoch === targetAssignmentEpoch;
}
