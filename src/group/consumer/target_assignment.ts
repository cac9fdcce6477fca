/**
 * Computes a new target assignment for a group at a new group epoch, and the
 * records that persist it: one ConsumerGroupTargetAssignmentMember record per
 * member whose target changed, then the ConsumerGroupTargetAssignmentMetadata
 * record with the new assignment epoch.
 *
 * It reads the group as it was before the heartbeat being handled, plus the
 * member that heartbeat adds or updates; the records are replayed afterwards.
 */
import { type Assignment, assignmentsEqual, EMPTY_ASSIGNMENT } from "./assignment.ts";
import { type AssignmentMemberSpec, compareStrings, type ServerAssignor } from "./assignor.ts";
import type { ConsumerGroup, SubscriptionMetadata } from "./group.ts";
import type { ConsumerGroupMember } from "./member.ts";
import { targetAssignmentEpochRecord, targetAssignmentRecord } from "./record_builders.ts";
import type { ConsumerGroupRecord } from "./records.ts";

/** What changes in the group for this computation. */
export interface TargetAssignmentInput {
  group: ConsumerGroup;
  /** The new group epoch, which becomes the assignment epoch. */
  groupEpoch: number;
  assignor: ServerAssignor;
  /** The subscribed topics' metadata at the new epoch. */
  subscriptionMetadata: SubscriptionMetadata;
  /** A member added or updated by the current request, if any. */
  updatedMember?: ConsumerGroupMember;
  /** Members that leave with the current request (a static member's previous incarnation). */
  removedMemberIds?: readonly string[];
}

/** The new target assignment and its records. */
export interface TargetAssignmentResult {
  /** Member id to target partitions, for every member. */
  assignments: Map<string, Assignment>;
  records: ConsumerGroupRecord[];
}

/** Computes the target assignment of `input.groupEpoch`. */
export function computeTargetAssignment(input: TargetAssignmentInput): TargetAssignmentResult {
  const { group, subscriptionMetadata } = input;
  const members = new Map(group.members);
  for (const memberId of input.removedMemberIds ?? []) members.delete(memberId);
  if (input.updatedMember) members.set(input.updatedMember.memberId, input.updatedMember);

  const specs: AssignmentMemberSpec[] = [...members.values()]
    .sort((left, right) => compareStrings(left.memberId, right.memberId))
    .map((member) => ({
      memberId: member.memberId,
      instanceId: member.instanceId,
      rackId: member.rackId,
      subscribedTopicIds: new Set(
        member.subscribedTopicNames.flatMap((name) => {
          const topic = subscriptionMetadata.get(name);
          return topic ? [topic.topicId] : [];
        }),
      ),
      currentAssignment: currentTarget(group, member),
    }));
  const partitionCounts = new Map(
    [...subscriptionMetadata.values()].map((topic) => [topic.topicId, topic.partitionCount]),
  );
  const computed = input.assignor.assign(specs, (topicId) => partitionCounts.get(topicId) ?? -1);

  const assignments = new Map<string, Assignment>();
  const records: ConsumerGroupRecord[] = [];
  for (const spec of specs) {
    const assignment = computed.get(spec.memberId) ?? EMPTY_ASSIGNMENT;
    assignments.set(spec.memberId, assignment);
    const previous = group.targetAssignment.get(spec.memberId);
    if (!previous || !assignmentsEqual(previous, assignment)) {
      records.push(targetAssignmentRecord(group.groupId, spec.memberId, assignment));
    }
  }
  records.push(targetAssignmentEpochRecord(group.groupId, input.groupEpoch));
  return { assignments, records };
}

/**
 * The target a member has now. A static member that replaces its previous
 * incarnation starts from that incarnation's target, so that it keeps its
 * partitions across a restart.
 */
function currentTarget(group: ConsumerGroup, member: ConsumerGroupMember): Assignment {
  const own = group.targetAssignment.get(member.memberId);
  if (own) return own;
  const previous = group.staticMember(member.instanceId);
  if (previous && previous.memberId !== member.memberId) {
    return group.targetAssignment.get(previous.memberId) ?? EMPTY_ASSIGNMENT;
  }
  return EMPTY_ASSIGNMENT;
}
