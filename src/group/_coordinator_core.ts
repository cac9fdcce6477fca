/**
 * The coordinator's shared state and small helpers, used by the operation
 * modules (classic_join.ts, classic_membership.ts, offset_operations.ts,
 * group_admin.ts, group_loader.ts). Nothing here performs I/O: time comes in
 * as `nowMs` with every input, writes and responses go to the outbox.
 */
import { ErrorCode } from "../protocol/mod.ts";
import { ClassicGroup, type ReplySink } from "./classic_group.ts";
import { Deadlines } from "./deadlines.ts";
import type { Group } from "./group.ts";
import type { OffsetsTopicRecord } from "./offsets_topic_records.ts";
import { OffsetStore } from "./offset_store.ts";
import { Outbox } from "./outbox.ts";
import { partitionForGroup } from "./partition_for.ts";

/** The coordinator's settings (Kafka's broker configs, resolved by the driver). */
export interface GroupCoordinatorConfig {
  /** Partitions of `__consumer_offsets` (the topic's actual count once it exists). */
  partitionCount: number;
  /** group.min.session.timeout.ms */
  minSessionTimeoutMs: number;
  /** group.max.session.timeout.ms */
  maxSessionTimeoutMs: number;
  /** group.initial.rebalance.delay.ms */
  initialRebalanceDelayMs: number;
  /** group.max.size */
  maxGroupSize: number;
  /** offsets.retention.minutes, in milliseconds */
  offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms */
  offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes: the longest committed metadata string (in UTF-16 units, as Java counts). */
  offsetMetadataMaxBytes: number;
  /** How long a new member's first JoinGroup may wait (Kafka: 5 minutes). */
  newMemberJoinTimeoutMs: number;
  /** A fresh random suffix for member ids (Kafka uses a UUID). */
  newMemberIdSuffix: () => string;
}

/** Kafka's defaults for what broker configs do not set. */
export const DEFAULT_NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;
export const DEFAULT_OFFSET_METADATA_MAX_BYTES = 4096;

/** Whether this node serves a `__consumer_offsets` partition yet. */
export type PartitionStatus = "loading" | "active";

export class CoordinatorCore {
  readonly config: GroupCoordinatorConfig;
  readonly groups = new Map<string, Group>();
  readonly offsets = new OffsetStore();
  readonly deadlines = new Deadlines();
  readonly outbox = new Outbox();
  readonly partitions = new Map<number, PartitionStatus>();
  /** The time of the input being processed. */
  nowMs = 0;
  readonly sink: ReplySink;

  constructor(config: GroupCoordinatorConfig) {
    this.config = { ...config };
    this.sink = (pending, response) => this.outbox.reply(pending.replyId, response);
  }

  partitionOf(groupId: string): number {
    return partitionForGroup(groupId, this.config.partitionCount);
  }

  /** 0 when this node serves the group's partition, else NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. */
  statusError(groupId: string): number {
    const status = this.partitions.get(this.partitionOf(groupId));
    if (status === undefined) return ErrorCode.NOT_COORDINATOR;
    return status === "loading" ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE;
  }

  classicGroup(groupId: string): ClassicGroup | undefined {
    const group = this.groups.get(groupId);
    return group instanceof ClassicGroup ? group : undefined;
  }

  /** A new, empty classic group (a simple group until a member joins). */
  createClassicGroup(groupId: string): ClassicGroup {
    if (this.groups.has(groupId)) throw new Error(`group ${groupId} exists already`);
    const group = new ClassicGroup({ groupId, currentStateTimestampMs: this.nowMs }, this.sink);
    this.groups.set(groupId, group);
    return group;
  }

  /** Removes a group: it turns Dead, answers what it owes with `errorCode`, and its timers go. */
  removeGroup(groupId: string, errorCode: number = ErrorCode.COORDINATOR_NOT_AVAILABLE): void {
    const group = this.groups.get(groupId);
    if (!group) return;
    this.groups.delete(groupId);
    if (group instanceof ClassicGroup) {
      for (const memberId of [...group.members.keys(), ...group.pendingJoinMembers]) {
        this.deadlines.cancel(heartbeatKey(groupId, memberId));
      }
      this.deadlines.cancel(joinKey(groupId));
      this.deadlines.cancel(syncKey(groupId));
    }
    group.markDead(errorCode);
  }

  /** Schedules `action` `delayMs` after now under `name`. */
  after(name: string, delayMs: number, action: () => void): void {
    this.deadlines.schedule(name, this.nowMs + delayMs, action);
  }
}

/** Timer names. Lengths are part of the name so that no two group and member ids collide. */
export function heartbeatKey(groupId: string, memberId: string): string {
  return `heartbeat:${groupId.length}:${groupId}:${memberId}`;
}
export function joinKey(groupId: string): string {
  return `join:${groupId}`;
}
export function syncKey(groupId: string): string {
  return `sync:${groupId}`;
}
export const EXPIRATION_KEY = "offsets-expiration";

/** The GroupMetadata record of a classic group, with `assignments` for its members. */
export function groupMetadataRecord(
  group: ClassicGroup,
  assignments: ReadonlyMap<string, Uint8Array>,
): OffsetsTopicRecord {
  const members = [...group.members.values()].map((member) => {
    const assignment = assignments.get(member.memberId);
    if (assignment === undefined) throw new Error(`member ${member.memberId} has no assignment to store`);
    return {
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      rebalanceTimeout: member.rebalanceTimeoutMs,
      sessionTimeout: member.sessionTimeoutMs,
      subscription: member.metadataFor(group.protocolName!),
      assignment,
    };
  });
  return {
    kind: "group-metadata",
    groupId: group.groupId,
    value: {
      protocolType: group.protocolType ?? "",
      generation: group.generationId,
      protocol: group.protocolName,
      leader: group.leaderId,
      currentStateTimestamp: group.currentStateTimestampMs ?? -1,
      members,
    },
  };
}

/** The record Kafka writes for a group created by its first JoinGroup. */
export function emptyGroupMetadataRecord(group: ClassicGroup): OffsetsTopicRecord {
  return {
    kind: "group-metadata",
    groupId: group.groupId,
    value: {
      protocolType: "",
      generation: 0,
      protocol: null,
      leader: null,
      currentStateTimestamp: group.currentStateTimestampMs ?? -1,
      members: [],
    },
  };
}

/** What a failed append means for a group operation's client (Kafka's mapping). */
export function appendErrorToResponseError(errorCode: number): number {
  switch (errorCode) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return errorCode;
  }
}
