/**
 * The state of one KIP-848 consumer group, as the records of
 * `__consumer_offsets` build it: the group epoch, the members, the target
 * assignment and its epoch, the subscribed topics' metadata, and the epoch at
 * which each partition is currently owned.
 *
 * This object changes only through `replay.ts`. The partition epochs are the
 * safety net of the protocol: a partition is owned by at most one member at
 * a time, and adding an owner to an owned partition is a broken invariant
 * that stops the coordinator loudly.
 */
import type { Assignment } from "./assignment.ts";
import { type ConsumerGroupMember, isReconciledTo } from "./member.ts";

/** The states Kafka reports for a consumer group (ConsumerGroupDescribe, ListGroups). */
export const ConsumerGroupState = {
  EMPTY: "Empty",
  ASSIGNING: "Assigning",
  RECONCILING: "Reconciling",
  STABLE: "Stable",
  DEAD: "Dead",
} as const;

export type ConsumerGroupStateName = (typeof ConsumerGroupState)[keyof typeof ConsumerGroupState];

/** A subscribed topic as the ConsumerGroupPartitionMetadata record stores it. */
export interface SubscribedTopicMetadata {
  topicId: string;
  topicName: string;
  partitionCount: number;
}

/** Topic name to metadata, for the topics some member subscribes to and that exist. */
export type SubscriptionMetadata = ReadonlyMap<string, SubscribedTopicMetadata>;

/** One consumer group's state. */
export class ConsumerGroup {
  groupEpoch = 0;
  /** The epoch of the target assignment; -1 once its tombstone is replayed. */
  assignmentEpoch = 0;
  subscriptionMetadata: SubscriptionMetadata = new Map();
  readonly members = new Map<string, ConsumerGroupMember>();
  /** Instance id to member id, for static members. */
  readonly staticMembers = new Map<string, string>();
  /** Member id to its target assignment. */
  readonly targetAssignment = new Map<string, Assignment>();
  /** Topic id to partition to the epoch of its current owner. */
  readonly #partitionEpochs = new Map<string, Map<number, number>>();

  constructor(readonly groupId: string) {}

  /** The epoch of the member owning the partition, or -1 when nobody owns it. */
  currentPartitionEpoch(topicId: string, partition: number): number {
    return this.#partitionEpochs.get(topicId)?.get(partition) ?? -1;
  }

  /** Number of partitions with an owner (for invariant checks). */
  ownedPartitionCount(): number {
    let count = 0;
    for (const partitions of this.#partitionEpochs.values()) count += partitions.size;
    return count;
  }

  /** The static member holding `instanceId`, if any. */
  staticMember(instanceId: string | null): ConsumerGroupMember | undefined {
    if (instanceId === null) return undefined;
    const memberId = this.staticMembers.get(instanceId);
    return memberId === undefined ? undefined : this.members.get(memberId);
  }

  /** Adds or replaces a member, moving partition ownership from its old to its new epoch. */
  updateMember(member: ConsumerGroupMember): void {
    const old = this.members.get(member.memberId);
    if (old) this.#releasePartitions(old);
    this.members.set(member.memberId, member);
    this.#claimPartitions(member);
    if (member.instanceId !== null) this.staticMembers.set(member.instanceId, member.memberId);
  }

  /** Removes a member and releases what it owned. */
  removeMember(memberId: string): void {
    const old = this.members.get(memberId);
    if (!old) return;
    this.#releasePartitions(old);
    this.members.delete(memberId);
    if (old.instanceId !== null && this.staticMembers.get(old.instanceId) === memberId) {
      this.staticMembers.delete(old.instanceId);
    }
  }

  /** The group state, derived as Kafka derives it. */
  state(): ConsumerGroupStateName {
    if (this.members.size === 0) return ConsumerGroupState.EMPTY;
    if (this.groupEpoch > this.assignmentEpoch) return ConsumerGroupState.ASSIGNING;
    for (const member of this.members.values()) {
      if (!isReconciledTo(member, this.assignmentEpoch)) return ConsumerGroupState.RECONCILING;
    }
    return ConsumerGroupState.STABLE;
  }

  #claimPartitions(member: ConsumerGroupMember): void {
    for (const assignment of [member.assignedPartitions, member.partitionsPendingRevocation]) {
      for (const [topicId, partitions] of assignment) {
        let epochs = this.#partitionEpochs.get(topicId);
        if (!epochs) this.#partitionEpochs.set(topicId, epochs = new Map());
        for (const partition of partitions) {
          const owner = epochs.get(partition);
          if (owner !== undefined) {
            throw new Error(
              `group ${this.groupId}: ${topicId}-${partition} given to ${member.memberId} at epoch ` +
                `${member.memberEpoch} while still owned at epoch ${owner}`,
            );
          }
          epochs.set(partition, member.memberEpoch);
        }
      }
    }
  }

  #releasePartitions(member: ConsumerGroupMember): void {
    for (const assignment of [member.assignedPartitions, member.partitionsPendingRevocation]) {
      for (const [topicId, partitions] of assignment) {
        const epochs = this.#partitionEpochs.get(topicId);
        for (const partition of partitions) {
          const owner = epochs?.get(partition);
          if (owner !== member.memberEpoch) {
            throw new Error(
              `group ${this.groupId}: ${member.memberId} releases ${topicId}-${partition} at epoch ` +
                `${member.memberEpoch} but it is owned at epoch ${owner}`,
            );
          }
          epochs!.delete(partition);
        }
        if (epochs?.size === 0) this.#partitionEpochs.delete(topicId);
      }
    }
  }
}

/**
 * The server assignor most members asked for, or null when none asked.
 * Ties go to the name first in alphabetical order, so the choice is deterministic.
 */
export function preferredServerAssignor(members: Iterable<ConsumerGroupMember>): string | null {
  const counts = new Map<string, number>();
  for (const member of members) {
    if (member.serverAssignorName !== null) {
      counts.set(member.serverAssignorName, (counts.get(member.serverAssignorName) ?? 0) + 1);
    }
  }
  let best: string | null = null;
  let bestCount = 0;
  for (const name of [...counts.keys()].sort()) {
    const count = counts.get(name)!;
    if (count > bestCount) [best, bestCount] = [name, count];
  }
  return best;
}
