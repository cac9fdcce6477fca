/**
 * What a server-side assignor sees and returns. The coordinator resolves
 * subscriptions to topic ids first, so an assignor only deals with topic ids
 * that exist and their partition counts.
 */
import type { Assignment } from "./assignment.ts";

/** One member as an assignor sees it. */
export interface AssignmentMemberSpec {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  /** Topic ids (printed form) the member subscribes to, all of which exist. */
  subscribedTopicIds: ReadonlySet<string>;
  /** The member's current target assignment: what a sticky assignor keeps if it can. */
  currentAssignment: Assignment;
}

/** A server-side assignor (`group.consumer.assignors`). */
export interface ServerAssignor {
  /** The name members ask for in ConsumerGroupHeartbeat's ServerAssignor. */
  readonly name: string;
  /**
   * Computes the target assignment: an entry for every member (empty when
   * it gets nothing), every partition of every subscribed topic given to
   * exactly one of its subscribers. Must be deterministic: the same input
   * gives the same output whatever the order of `members`.
   */
  assign(
    members: readonly AssignmentMemberSpec[],
    partitionCount: (topicId: string) => number,
  ): Map<string, Assignment>;
}

/** Whether every member subscribes to the same topics. */
export function isHomogeneous(members: readonly AssignmentMemberSpec[]): boolean {
  const first = members[0];
  if (!first) return true;
  return members.every((member) =>
    member.subscribedTopicIds.size === first.subscribedTopicIds.size &&
    [...member.subscribedTopicIds].every((topicId) => first.subscribedTopicIds.has(topicId))
  );
}

/** Members sorted by member id, the order assignors use to stay deterministic. */
export function sortedByMemberId(members: readonly AssignmentMemberSpec[]): AssignmentMemberSpec[] {
  return [...members].sort((left, right) => compareStrings(left.memberId, right.memberId));
}

/** Code-unit order, the same on every machine (unlike localeCompare). */
export function compareStrings(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

/** The partition count of a subscribed topic; an unknown topic is a coordinator bug. */
export function requirePartitionCount(partitionCount: (topicId: string) => number, topicId: string): number {
  const count = partitionCount(topicId);
  if (count < 0) throw new Error(`members subscribe to topic ${topicId}, which has no metadata`);
  return count;
}
