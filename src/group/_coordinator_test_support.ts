/**
 * A driver for the coordinator's tests: a manual clock, an in-memory
 * `__consumer_offsets` (records in order, per partition), replies collected
 * by reply id (each at most once), and helpers that speak the consumer
 * protocol's subscription and assignment bytes.
 */
import assert from "node:assert/strict";
import { Reader, Writer } from "../protocol/mod.ts";
import { GroupCoordinator, type GroupCoordinatorConfig } from "./coordinator.ts";
import type { OffsetsTopicRecord } from "./offsets_topic_records.ts";
import type {
  HeartbeatRequest,
  JoinGroupRequest,
  LeaveGroupRequest,
  OffsetCommitRequest,
  RequestContext,
  SyncGroupRequest,
} from "./requests.ts";
import type {
  HeartbeatResponse,
  JoinGroupResponse,
  LeaveGroupResponse,
  OffsetCommitResponse,
  SyncGroupResponse,
} from "./responses.ts";

export const START_MS = 1_700_000_000_000;

export const TEST_CONFIG: GroupCoordinatorConfig = {
  partitionCount: 4,
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1_800_000,
  initialRebalanceDelayMs: 3000,
  maxGroupSize: 1000,
  offsetsRetentionMs: 7 * 24 * 3600 * 1000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: 4096,
  newMemberJoinTimeoutMs: 300_000,
  newMemberIdSuffix: () => "unused",
};

/** A consumer protocol subscription (version 0) to `topics`. */
export function subscription(topics: string[]): Uint8Array {
  const writer = new Writer(64);
  writer.int16(0).int32(topics.length);
  for (const topic of topics) writer.nullableString(topic);
  writer.nullableBytes(null);
  return writer.finish();
}

/** A consumer protocol assignment (version 0). */
export function assignment(partitions: Record<string, number[]>): Uint8Array {
  const writer = new Writer(64);
  const topics = Object.entries(partitions);
  writer.int16(0).int32(topics.length);
  for (const [topic, indexes] of topics) {
    writer.nullableString(topic).int32(indexes.length);
    for (const index of indexes) writer.int32(index);
  }
  writer.nullableBytes(null);
  return writer.finish();
}

/** Reads an assignment made by `assignment`. */
export function readAssignment(bytes: Uint8Array): Record<string, number[]> {
  if (bytes.length === 0) return {};
  const reader = new Reader(bytes);
  reader.int16();
  const result: Record<string, number[]> = {};
  for (let count = reader.int32(); count > 0; count--) {
    const topic = reader.nullableString()!;
    const partitions: number[] = [];
    for (let partitionCount = reader.int32(); partitionCount > 0; partitionCount--) {
      partitions.push(reader.int32());
    }
    result[topic] = partitions;
  }
  return result;
}

export interface HarnessOptions {
  config?: Partial<GroupCoordinatorConfig>;
  /** Partitions to serve from the start (default: all, loaded empty). */
  activePartitions?: number[];
}

export class Harness {
  readonly coordinator: GroupCoordinator;
  nowMs = START_MS;
  /** What reached the log, per partition, in order. */
  readonly log = new Map<number, OffsetsTopicRecord[]>();
  readonly #replies = new Map<number, unknown>();
  #nextReplyId = 1;
  #nextSuffix = 1;
  /** The error code the next writes fail with (0: they succeed). */
  failWritesWith = 0;
  /** Replies delivered, in order. */
  readonly delivered: number[] = [];

  constructor(options: HarnessOptions = {}) {
    const config = { ...TEST_CONFIG, newMemberIdSuffix: () => `id${this.#nextSuffix++}`, ...options.config };
    this.coordinator = new GroupCoordinator(config);
    const partitions = options.activePartitions ??
      Array.from({ length: config.partitionCount }, (_, index) => index);
    for (const partition of partitions) {
      this.coordinator.beginLoading(partition);
      this.coordinator.finishLoading(partition, this.nowMs);
    }
    this.pump();
  }

  context(apiVersion: number, clientId = "client"): RequestContext {
    return { nowMs: this.nowMs, clientId, clientHost: "/127.0.0.1", apiVersion };
  }

  /** Drains the coordinator: persists writes (or fails them), then records replies. */
  pump(): void {
    for (let ready = this.coordinator.ready(); ready.writes.length + ready.replies.length > 0;) {
      for (const write of ready.writes) {
        if (this.failWritesWith === 0) {
          const records = this.log.get(write.partition) ?? [];
          records.push(...write.records);
          this.log.set(write.partition, records);
        }
        this.coordinator.writeCompleted(write.writeId, this.failWritesWith, this.nowMs);
      }
      for (const reply of ready.replies) {
        assert.ok(!this.#replies.has(reply.replyId), `reply ${reply.replyId} delivered twice`);
        this.#replies.set(reply.replyId, reply.response);
        this.delivered.push(reply.replyId);
      }
      ready = this.coordinator.ready();
    }
  }

  /** Moves time forward in steps, ticking the coordinator at every deadline on the way. */
  advance(deltaMs: number): void {
    const target = this.nowMs + deltaMs;
    for (let next = this.coordinator.nextDeadlineMs(); next !== null && next <= target;) {
      this.nowMs = Math.max(this.nowMs, next);
      this.coordinator.tick(this.nowMs);
      this.pump();
      next = this.coordinator.nextDeadlineMs();
    }
    this.nowMs = target;
  }

  /** Advances in steps of `stepMs` until `done` holds; fails after `maxMs`. */
  advanceUntil(done: () => boolean, maxMs = 120_000, stepMs = 500): void {
    for (let elapsed = 0; !done(); elapsed += stepMs) {
      assert.ok(elapsed < maxMs, `still waiting after ${maxMs} ms`);
      this.advance(stepMs);
    }
  }

  #start(): number {
    return this.#nextReplyId++;
  }

  /** The reply to `replyId`, or undefined while it is owed. */
  reply<T>(replyId: number): T | undefined {
    return this.#replies.get(replyId) as T | undefined;
  }

  /** The reply to `replyId`, which must have been delivered. */
  answered<T>(replyId: number): T {
    assert.ok(this.#replies.has(replyId), `request ${replyId} is still waiting`);
    return this.#replies.get(replyId) as T;
  }

  join(
    request: Partial<JoinGroupRequest> & { groupId: string },
    apiVersion = 9,
    clientId = "client",
  ): number {
    const replyId = this.#start();
    const protocols = request.protocols ?? [{ name: "range", metadata: subscription(["topic"]) }];
    this.coordinator.joinGroup(replyId, {
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 30_000,
      memberId: "",
      groupInstanceId: null,
      protocolType: "consumer",
      reason: null,
      ...request,
      protocols,
    }, this.context(apiVersion, clientId));
    this.pump();
    return replyId;
  }

  /** A new dynamic member's two JoinGroups (KIP-394); returns the second one's reply id and the member id. */
  joinNew(
    request: Partial<JoinGroupRequest> & { groupId: string },
    apiVersion = 9,
  ): { replyId: number; memberId: string } {
    const first = this.answered<JoinGroupResponse>(this.join(request, apiVersion));
    assert.equal(first.errorCode, 79, "MEMBER_ID_REQUIRED first");
    return {
      replyId: this.join({ ...request, memberId: first.memberId }, apiVersion),
      memberId: first.memberId,
    };
  }

  sync(
    request: Partial<SyncGroupRequest> & { groupId: string; memberId: string; generationId: number },
    apiVersion = 5,
  ): number {
    const replyId = this.#start();
    this.coordinator.syncGroup(replyId, {
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: [],
      ...request,
    }, this.context(apiVersion));
    this.pump();
    return replyId;
  }

  heartbeat(
    request: Partial<HeartbeatRequest> & { groupId: string; memberId: string; generationId: number },
  ): HeartbeatResponse {
    const response = this.coordinator.heartbeat({ groupInstanceId: null, ...request }, this.context(4));
    this.pump();
    return response;
  }

  leave(request: LeaveGroupRequest): LeaveGroupResponse {
    const replyId = this.#start();
    this.coordinator.leaveGroup(replyId, request, this.context(5));
    this.pump();
    return this.answered(replyId);
  }

  commit(
    request: Partial<OffsetCommitRequest> & { groupId: string },
    offsets: Record<string, number>,
    apiVersion = 8,
  ): OffsetCommitResponse {
    const replyId = this.#start();
    const byTopic = new Map<string, OffsetCommitRequest["topics"][number]>();
    for (const [key, offset] of Object.entries(offsets)) {
      const [topic, partition] = key.split(":") as [string, string];
      const entry = byTopic.get(topic) ?? { name: topic, partitions: [] };
      entry.partitions.push({
        partitionIndex: Number(partition),
        committedOffset: offset,
        committedLeaderEpoch: -1,
        commitTimestamp: -1,
        committedMetadata: `meta-${offset}`,
      });
      byTopic.set(topic, entry);
    }
    this.coordinator.commitOffsets(replyId, {
      generationIdOrMemberEpoch: -1,
      memberId: "",
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [...byTopic.values()],
      ...request,
    }, this.context(apiVersion));
    this.pump();
    return this.answered(replyId);
  }

  /** The committed offset of `topic:partition`, or -1. */
  committed(groupId: string, key: string): number {
    const [topic, partition] = key.split(":") as [string, string];
    const response = this.coordinator.fetchOffsets({
      groupId,
      memberId: null,
      memberEpoch: -1,
      topics: [{ name: topic, partitionIndexes: [Number(partition)] }],
    }, this.nowMs);
    return response.topics[0]!.partitions[0]!.committedOffset;
  }

  /**
   * Forms a group of `count` dynamic members from scratch: joins, waits out
   * the initial delay, syncs with `assign` computing the leader's assignment.
   */
  formGroup(groupId: string, count: number, assign?: (memberIds: string[]) => Uint8Array[]): FormedGroup {
    const joins = Array.from({ length: count }, () => this.joinNew({ groupId }));
    this.advanceUntil(() => joins.every((join) => this.reply(join.replyId) !== undefined));
    const responses = joins.map((join) => this.answered<JoinGroupResponse>(join.replyId));
    const leader = responses.find((response) => response.members.length > 0)!;
    const memberIds = leader.members.map((member) => member.memberId);
    const assignments = assign
      ? assign(memberIds)
      : memberIds.map((_, index) => assignment({ topic: [index] }));
    const syncs = responses.map((response) =>
      this.sync({
        groupId,
        memberId: response.memberId,
        generationId: response.generationId,
        assignments: response.memberId === leader.memberId
          ? memberIds.map((memberId, index) => ({ memberId, assignment: assignments[index]! }))
          : [],
      })
    );
    const synced = syncs.map((replyId) => this.answered<SyncGroupResponse>(replyId));
    return {
      generationId: leader.generationId,
      leaderId: leader.leader,
      memberIds: responses.map((response) => response.memberId),
      assignments: synced.map((response) => response.assignment),
    };
  }
}

export interface FormedGroup {
  generationId: number;
  leaderId: string;
  /** In join order. */
  memberIds: string[];
  assignments: Uint8Array[];
}
