/**
 * Moves one member's current assignment towards its target assignment, one
 * safe step per heartbeat (Kafka's CurrentAssignmentBuilder). The rule that
 * keeps a partition from having two owners: a member is given a partition
 * only once nobody owns it, and it gives partitions up before it moves to a
 * new epoch.
 *
 * - STABLE at an older epoch: compute the next step towards the target.
 * - UNREVOKED_PARTITIONS: wait until the member no longer reports any
 *   partition pending revocation, then compute the next step.
 * - UNRELEASED_PARTITIONS: compute the next step, which picks up partitions
 *   their previous owners have released since.
 * - UNKNOWN (written by a newer Kafka): fence the member unless it reports
 *   owning nothing, then start over at the target epoch.
 *
 * The next step: assigned = current ∩ target; partitions in current but not
 * in target are pending revocation; target partitions nobody owns are added.
 * With something to revoke that the member still owns, the member stays at
 * its epoch in UNREVOKED_PARTITIONS; otherwise it moves to the target epoch,
 * in UNRELEASED_PARTITIONS when some target partition is still owned by
 * another member, else STABLE.
 */
import {
  type Assignment,
  assignmentFromPairs,
  assignmentPairs,
  assignmentsIntersect,
  EMPTY_ASSIGNMENT,
} from "./assignment.ts";
import { type ConsumerGroupMember, MemberState } from "./member.ts";
import { ErrorCode, KafkaError } from "../../protocol/mod.ts";

/** Everything one reconciliation step looks at. */
export interface ReconcileInput {
  member: ConsumerGroupMember;
  targetAssignmentEpoch: number;
  /** The member's partitions in the target assignment. */
  targetAssignment: Assignment;
  /** The epoch of a partition's current owner, -1 when it has none. */
  currentPartitionEpoch: (topicId: string, partition: number) => number;
  /** The partitions the member reported owning; null when the heartbeat did not say. */
  ownedPartitions: Assignment | null;
}

/** The member after one reconciliation step (the same object when nothing changes). */
export function reconcile(input: ReconcileInput): ConsumerGroupMember {
  const { member } = input;
  switch (member.state) {
    case MemberState.STABLE:
      return member.memberEpoch === input.targetAssignmentEpoch
        ? member
        : nextStep(input, member.memberEpoch);
    case MemberState.UNREVOKED_PARTITIONS:
      if (stillOwnsAny(input.ownedPartitions, member.partitionsPendingRevocation)) return member;
      return nextStep(input, member.memberEpoch);
    case MemberState.UNRELEASED_PARTITIONS:
      return nextStep(input, member.memberEpoch);
    default:
      if (input.ownedPartitions === null || input.ownedPartitions.size > 0) {
        throw new KafkaError(
          ErrorCode.FENCED_MEMBER_EPOCH,
          "The consumer group member is in a unknown state. The member must abandon all its partitions and rejoin.",
        );
      }
      return nextStep(input, input.targetAssignmentEpoch);
  }
}

/**
 * Whether the member may still hold one of `revoking`. Without an owned
 * list the coordinator cannot tell, so it assumes the member still does.
 */
function stillOwnsAny(owned: Assignment | null, revoking: Assignment): boolean {
  return owned === null || assignmentsIntersect(owned, revoking);
}

function nextStep(input: ReconcileInput, epochWhileRevoking: number): ConsumerGroupMember {
  const { member, targetAssignment: target } = input;
  const kept: [string, number][] = [];
  const revoking: [string, number][] = [];
  for (const pair of assignmentPairs(member.assignedPartitions)) {
    (target.get(pair[0])?.has(pair[1]) ? kept : revoking).push(pair);
  }
  const adding: [string, number][] = [];
  let hasUnreleased = false;
  for (const [topicId, partition] of assignmentPairs(target)) {
    if (member.assignedPartitions.get(topicId)?.has(partition)) continue;
    // A partition this member itself was revoking is free: the member only
    // gets here once it has stopped reporting it.
    const ownedByOther = input.currentPartitionEpoch(topicId, partition) !== -1 &&
      !member.partitionsPendingRevocation.get(topicId)?.has(partition);
    if (ownedByOther) hasUnreleased = true;
    else adding.push([topicId, partition]);
  }
  const pendingRevocation = assignmentFromPairs(revoking);
  if (pendingRevocation.size > 0 && stillOwnsAny(input.ownedPartitions, pendingRevocation)) {
    return {
      ...member,
      state: MemberState.UNREVOKED_PARTITIONS,
      memberEpoch: epochWhileRevoking,
      previousMemberEpoch: member.memberEpoch,
      assignedPartitions: assignmentFromPairs(kept),
      partitionsPendingRevocation: pendingRevocation,
    };
  }
  return {
    ...member,
    state: hasUnreleased ? MemberState.UNRELEASED_PARTITIONS : MemberState.STABLE,
    memberEpoch: input.targetAssignmentEpoch,
    previousMemberEpoch: member.memberEpoch,
    assignedPartitions: assignmentFromPairs([...kept, ...adding]),
    partitionsPendingRevocation: EMPTY_ASSIGNMENT,
  };
}
