/**
 * Finds (or admits) the member a ConsumerGroupHeartbeat speaks for, and
 * fences the ones that may not speak: Kafka's member-id, instance-id and
 * epoch checks.
 *
 * - An unknown member id that is not joining: UNKNOWN_MEMBER_ID.
 * - A member epoch ahead of the coordinator's, or behind it other than by a
 *   retry with the previous epoch owning only assigned partitions:
 *   FENCED_MEMBER_EPOCH. Epoch 0 is always accepted from a known member (it
 *   has abandoned its partitions and rejoins, as KIP-848 says and Kafka
 *   accepts since KAFKA-19233).
 * - A static member joining while another live member holds its instance id:
 *   UNRELEASED_INSTANCE_ID; once that member left with epoch -2, the new one
 *   replaces it and inherits its partitions.
 * - A static member heartbeating with an instance id now held by another
 *   member id: FENCED_INSTANCE_ID.
 */
import { type Assignment, EMPTY_ASSIGNMENT, isSubsetOf } from "./assignment.ts";
import type { ConsumerGroup } from "./group.ts";
import { type ConsumerGroupMember, LEAVE_GROUP_STATIC_MEMBER_EPOCH, newMember } from "./member.ts";
import {
  currentAssignmentRecord,
  memberMetadataRecord,
  memberRemovalRecords,
  targetAssignmentRecord,
} from "./record_builders.ts";
import type { ConsumerGroupRecord } from "./records.ts";
import { ErrorCode, KafkaError } from "../../protocol/mod.ts";

/** The member a heartbeat speaks for, and the previous incarnation it replaces, if any. */
export interface MemberLookup {
  member: ConsumerGroupMember;
  /** A static member's previous member id, removed by the records this lookup added. */
  replacedMemberId: string | null;
}

/** GROUP_MAX_SIZE_REACHED when a newcomer would exceed `group.consumer.max.size`. */
export function throwIfGroupIsFull(group: ConsumerGroup, requestMemberId: string, maxSize: number): void {
  if (group.members.size >= maxSize && (requestMemberId === "" || !group.members.has(requestMemberId))) {
    throw new KafkaError(
      ErrorCode.GROUP_MAX_SIZE_REACHED,
      `The consumer group has reached its maximum capacity of ${maxSize} members.`,
    );
  }
}

/** UNKNOWN_MEMBER_ID for a member id the group does not have. */
export function unknownMember(group: ConsumerGroup, memberId: string): KafkaError {
  return new KafkaError(
    ErrorCode.UNKNOWN_MEMBER_ID,
    `Member ${memberId} is not a member of group ${group.groupId}.`,
  );
}

/** FENCED_MEMBER_EPOCH unless the received epoch may speak for the member. */
export function throwIfMemberEpochIsInvalid(
  member: ConsumerGroupMember,
  receivedEpoch: number,
  owned: Assignment | null,
): void {
  if (receivedEpoch === 0) return;
  if (receivedEpoch > member.memberEpoch) {
    throw fenced(`has a greater member epoch (${receivedEpoch})`, member);
  }
  if (receivedEpoch < member.memberEpoch) {
    // The response carrying the bumped epoch may have been lost: the member
    // may retry with its previous epoch if it owns only partitions it still has.
    const retry = receivedEpoch === member.previousMemberEpoch && owned !== null &&
      isSubsetOf(owned, member.assignedPartitions);
    if (!retry) throw fenced(`has a smaller member epoch (${receivedEpoch})`, member);
  }
}

function fenced(what: string, member: ConsumerGroupMember): KafkaError {
  return new KafkaError(
    ErrorCode.FENCED_MEMBER_EPOCH,
    `The consumer group member ${what} than the one known by the group coordinator (${member.memberEpoch}). ` +
      "The member must abandon all its partitions and rejoin.",
  );
}

/** The dynamic member a heartbeat speaks for; a new one when joining under an unknown id. */
export function dynamicMember(
  group: ConsumerGroup,
  memberId: string,
  receivedEpoch: number,
  owned: Assignment | null,
): ConsumerGroupMember {
  const existing = group.members.get(memberId);
  if (!existing) {
    if (receivedEpoch !== 0) throw unknownMember(group, memberId);
    return newMember(memberId);
  }
  throwIfMemberEpochIsInvalid(existing, receivedEpoch, owned);
  return existing;
}

/**
 * The static member a heartbeat speaks for. A join that replaces a departed
 * incarnation appends the records moving its state to the new member id.
 */
export function staticMember(
  group: ConsumerGroup,
  memberId: string,
  instanceId: string,
  receivedEpoch: number,
  owned: Assignment | null,
  records: ConsumerGroupRecord[],
): MemberLookup {
  const existing = group.staticMember(instanceId);
  if (receivedEpoch === 0) {
    if (!existing) {
      return { member: group.members.get(memberId) ?? newMember(memberId), replacedMemberId: null };
    }
    if (existing.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      throw new KafkaError(
        ErrorCode.UNRELEASED_INSTANCE_ID,
        `Static member ${memberId} with instance id ${instanceId} cannot join the group because the instance id ` +
          `is owned by ${existing.memberId} member.`,
      );
    }
    const replacement: ConsumerGroupMember = {
      ...existing,
      memberId,
      memberEpoch: 0,
      previousMemberEpoch: 0,
    };
    records.push(
      ...memberRemovalRecords(group.groupId, existing.memberId),
      memberMetadataRecord(group.groupId, replacement),
      targetAssignmentRecord(
        group.groupId,
        memberId,
        group.targetAssignment.get(existing.memberId) ?? EMPTY_ASSIGNMENT,
      ),
      currentAssignmentRecord(group.groupId, replacement),
    );
    return {
      member: replacement,
      replacedMemberId: existing.memberId === memberId ? null : existing.memberId,
    };
  }
  if (!existing) throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${instanceId} is unknown.`);
  throwIfInstanceIdIsFenced(existing, memberId, instanceId);
  throwIfMemberEpochIsInvalid(existing, receivedEpoch, owned);
  return { member: existing, replacedMemberId: null };
}

/** FENCED_INSTANCE_ID when the instance id now belongs to another member id. */
export function throwIfInstanceIdIsFenced(
  existing: ConsumerGroupMember,
  memberId: string,
  instanceId: string,
): void {
  if (existing.memberId !== memberId) {
    throw new KafkaError(
      ErrorCode.FENCED_INSTANCE_ID,
      `Static member ${memberId} with instance id ${instanceId} was fenced by member ${existing.memberId}.`,
    );
  }
}
