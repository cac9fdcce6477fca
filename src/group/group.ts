/**
 * What the coordinator needs from any kind of group. Classic groups
 * (JoinGroup/SyncGroup) implement it in classic_group.ts; KIP-848 consumer
 * groups (src/group/consumer/) can implement it too, so that offsets,
 * ListGroups, DescribeGroups and DeleteGroups treat both kinds alike.
 *
 * Validations return Kafka error codes (0 for none): a refusal is data for
 * the client, not an exception.
 */
import type { OffsetCommitValue, OffsetsTopicRecord } from "./offsets_topic_records.ts";

/** The two kinds of groups a coordinator holds, as ListGroups names them (KIP-848). */
export type GroupType = "classic" | "consumer";

/** Who commits offsets, as OffsetCommit says. */
export interface OffsetCommitIdentity {
  memberId: string;
  groupInstanceId: string | null;
  /** The generation (classic) or member epoch (KIP-848); -1 for commits outside group management. */
  generationIdOrMemberEpoch: number;
  apiVersion: number;
}

/** A group as the offset and admin paths see it. */
export interface Group {
  readonly groupId: string;
  readonly type: GroupType;
  /** The state as ListGroups and DescribeGroups name it ("Empty", "Stable", ...). */
  stateName(): string;
  /** The protocol type ("consumer", "connect", ...); "" when none. */
  protocolTypeName(): string;
  /** Whether the group has no members (and so may be deleted). */
  isEmpty(): boolean;
  isDead(): boolean;
  /** Whether an OffsetCommit from `identity` is accepted; an error code when not. */
  validateOffsetCommit(identity: OffsetCommitIdentity): number;
  /** Whether an OffsetFetch from a (KIP-848) member is accepted; an error code when not. */
  validateOffsetFetch(memberId: string | null, memberEpoch: number): number;
  /** Whether OffsetDelete may run on this group; an error code when not. */
  validateOffsetDelete(): number;
  /** Whether DeleteGroups may delete this group; an error code when not. */
  validateDeleteGroup(): number;
  /** Whether a member subscribes to `topic` (its offsets are then kept and not deletable). */
  isSubscribedToTopic(topic: string): boolean;
  /**
   * The time from which an offset's retention counts, or null when the
   * group's offsets must not expire now (Kafka's OffsetExpirationCondition).
   */
  offsetRetentionBaseMs(offset: OffsetCommitValue): number | null;
  /** The records that delete the group itself (its offsets excepted). */
  tombstones(): OffsetsTopicRecord[];
  /** Marks the group gone; any response it still owes is answered with `errorCode`. */
  markDead(errorCode: number): void;
}
