/**
 * A consumer group seen through the `Group` interface of the group
 * coordinator (src/group/group.ts), so that OffsetCommit, OffsetFetch,
 * OffsetDelete, offset expiry, ListGroups, DescribeGroups and DeleteGroups
 * treat KIP-848 groups as they treat classic ones.
 *
 * The view reads the consumer group coordinator live: it holds no state of
 * its own besides having been marked dead.
 */
import type { Group, GroupType, OffsetCommitIdentity } from "../group.ts";
import type { OffsetCommitValue, OffsetsTopicRecord } from "../offsets_topic_records.ts";
import type { ConsumerGroupCoordinator } from "./coordinator.ts";
import { encodeConsumerGroupRecord } from "./records.ts";
import { ErrorCode } from "../../protocol/mod.ts";

/** The `Group` face of one consumer group of `coordinator`. */
export class ConsumerGroupView implements Group {
  readonly type: GroupType = "consumer";
  #dead = false;

  constructor(readonly groupId: string, private readonly coordinator: ConsumerGroupCoordinator) {}

  stateName(): string {
    return this.#dead ? "Dead" : this.coordinator.group(this.groupId)?.state() ?? "Dead";
  }

  protocolTypeName(): string {
    return "consumer";
  }

  isEmpty(): boolean {
    return (this.coordinator.group(this.groupId)?.members.size ?? 0) === 0;
  }

  isDead(): boolean {
    return this.#dead || !this.coordinator.hasGroup(this.groupId);
  }

  /**
   * OffsetCommit v9+ carries the member epoch. The identity does not say
   * whether the commit is transactional; a TxnOffsetCommit handler must skip
   * the version rule (Kafka does) by calling the coordinator directly.
   */
  validateOffsetCommit(identity: OffsetCommitIdentity): number {
    const error = this.coordinator.validateOffsetCommit(
      this.groupId,
      identity.memberId,
      identity.generationIdOrMemberEpoch,
      { apiVersion: identity.apiVersion, isTransactional: false },
    );
    return error?.code ?? ErrorCode.NONE;
  }

  validateOffsetFetch(memberId: string | null, memberEpoch: number): number {
    return this.coordinator.validateOffsetFetch(this.groupId, memberId, memberEpoch)?.code ?? ErrorCode.NONE;
  }

  validateOffsetDelete(): number {
    return ErrorCode.NONE;
  }

  validateDeleteGroup(): number {
    return this.isEmpty() ? ErrorCode.NONE : ErrorCode.NON_EMPTY_GROUP;
  }

  isSubscribedToTopic(topic: string): boolean {
    const group = this.coordinator.group(this.groupId);
    if (!group) return false;
    for (const member of group.members.values()) if (member.subscribedTopicNames.includes(topic)) return true;
    return false;
  }

  /** Consumer groups expire offsets by commit time (Kafka's rule for them). */
  offsetRetentionBaseMs(offset: OffsetCommitValue): number | null {
    return offset.commitTimestamp;
  }

  tombstones(): OffsetsTopicRecord[] {
    return this.coordinator.groupTombstones(this.groupId).map((record) => {
      const { key, value } = encodeConsumerGroupRecord(record);
      return { kind: "other", keyVersion: record.type, key, value };
    });
  }

  markDead(_errorCode: number): void {
    // No response is ever parked here: heartbeats are answered at once.
    this.#dead = true;
  }
}
