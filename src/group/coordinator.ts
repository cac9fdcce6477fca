/**
 * The group coordinator as a pure state machine (etcd-raft style): inputs
 * are requests (each with the time it arrived), clock ticks and the outcomes
 * of writes; outputs come from `ready()`: records to append to
 * `__consumer_offsets` and responses to deliver, with the rule that a
 * `Ready`'s writes are persisted before its responses are sent. It has no
 * timers (`nextDeadlineMs()` says when to `tick`), no I/O and no clock.
 *
 * Requests whose answer may wait (JoinGroup waits for the rebalance,
 * SyncGroup for the leader's assignment, writes for durability) take a
 * `replyId` chosen by the driver and are answered through `ready()`; reads
 * and heartbeats are answered at once.
 *
 * Classic groups are served here. KIP-848 consumer groups plug in through
 * the `Group` interface and `onOtherRecord` (records with key version 3 and
 * later).
 */
import {
  CoordinatorCore,
  type CoordinatorCore as Core,
  type GroupCoordinatorConfig,
} from "./_coordinator_core.ts";
import type { ClassicGroup } from "./classic_group.ts";
import { joinGroup } from "./classic_join.ts";
import { heartbeat, leaveGroup, syncGroup } from "./classic_membership.ts";
import type { Group } from "./group.ts";
import { deleteGroups, describeGroup, listGroups } from "./group_admin.ts";
import { finishLoading, replayRecord, unloadPartition } from "./group_loader.ts";
import type { OffsetCommitValue, OffsetsTopicRecord } from "./offsets_topic_records.ts";
import { commitOffsets, deleteOffsets, deleteTopicOffsets, fetchOffsets } from "./offset_operations.ts";
import type { Ready } from "./outbox.ts";
import type {
  HeartbeatRequest,
  JoinGroupRequest,
  LeaveGroupRequest,
  OffsetCommitRequest,
  OffsetDeleteRequest,
  OffsetFetchGroupRequest,
  RequestContext,
  SyncGroupRequest,
} from "./requests.ts";
import type {
  DescribedGroup,
  HeartbeatResponse,
  ListGroupsResponse,
  OffsetFetchGroupResponse,
} from "./responses.ts";

export type { GroupCoordinatorConfig };

/**
 * Another kind of group served beside the classic ones (KIP-848 consumer
 * groups): its timers run with the coordinator's, and it writes and answers
 * through `persist` and `reply`, so the driver's order (persist before
 * responding) holds for it too. Its groups join the shared map through
 * `registerGroup`, where the offset and admin APIs find them.
 */
export interface GroupCoordinatorExtension {
  /** Its earliest deadline, or null. */
  nextDeadlineMs(): number | null;
  /** Runs its timers due at `nowMs`. */
  tick(nowMs: number): void;
}

/** Options beyond the broker configs. */
export interface GroupCoordinatorOptions {
  /** Receives records this coordinator does not own (KIP-848 and share group records) while loading. */
  onOtherRecord?: (partition: number, record: Extract<OffsetsTopicRecord, { kind: "other" }>) => void;
  /** Another kind of group to run beside the classic ones. */
  extension?: GroupCoordinatorExtension;
}

export class GroupCoordinator {
  readonly #core: Core;
  readonly #options: GroupCoordinatorOptions;

  constructor(config: GroupCoordinatorConfig, options: GroupCoordinatorOptions = {}) {
    this.#core = new CoordinatorCore(config);
    this.#options = options;
  }

  #at(nowMs: number): Core {
    this.#core.nowMs = nowMs;
    return this.#core;
  }

  // ---------------------------------------------------------------- partitions

  /** The `__consumer_offsets` partition count (the topic's, once it exists). */
  get partitionCount(): number {
    return this.#core.config.partitionCount;
  }

  setPartitionCount(count: number): void {
    if (this.#core.partitions.size > 0 && count !== this.#core.config.partitionCount) {
      throw new Error("the partition count cannot change while partitions are served");
    }
    this.#core.config.partitionCount = count;
  }

  /** The `__consumer_offsets` partition that holds `groupId`. */
  partitionFor(groupId: string): number {
    return this.#core.partitionOf(groupId);
  }

  /** Starts loading `partition`: its groups answer COORDINATOR_LOAD_IN_PROGRESS until `finishLoading`. */
  beginLoading(partition: number): void {
    this.#core.partitions.set(partition, "loading");
  }

  /** Applies one record of `partition`, in log order. */
  replay(partition: number, record: OffsetsTopicRecord): void {
    if (this.#core.partitions.get(partition) !== "loading") {
      throw new Error(`partition ${partition} is not loading`);
    }
    replayRecord(this.#core, record, (other) => this.#options.onOtherRecord?.(partition, other));
  }

  /** `partition` is loaded: its groups are served from `nowMs`. */
  finishLoading(partition: number, nowMs: number): void {
    finishLoading(this.#at(nowMs), partition);
  }

  /** This node no longer serves `partition`. */
  unloadPartition(partition: number, nowMs: number): void {
    unloadPartition(this.#at(nowMs), partition);
  }

  /** Whether `partition` is loaded and served. */
  isActive(partition: number): boolean {
    return this.#core.partitions.get(partition) === "active";
  }

  // ---------------------------------------------------------------- requests

  joinGroup(replyId: number, request: JoinGroupRequest, context: RequestContext): void {
    joinGroup(this.#at(context.nowMs), replyId, request, context);
  }

  syncGroup(replyId: number, request: SyncGroupRequest, context: RequestContext): void {
    syncGroup(this.#at(context.nowMs), replyId, request, context);
  }

  heartbeat(request: HeartbeatRequest, context: RequestContext): HeartbeatResponse {
    return heartbeat(this.#at(context.nowMs), request);
  }

  leaveGroup(replyId: number, request: LeaveGroupRequest, context: RequestContext): void {
    leaveGroup(this.#at(context.nowMs), replyId, request);
  }

  commitOffsets(replyId: number, request: OffsetCommitRequest, context: RequestContext): void {
    commitOffsets(this.#at(context.nowMs), replyId, request, context);
  }

  fetchOffsets(request: OffsetFetchGroupRequest, nowMs: number): OffsetFetchGroupResponse {
    return fetchOffsets(this.#at(nowMs), request);
  }

  deleteOffsets(replyId: number, request: OffsetDeleteRequest, nowMs: number): void {
    deleteOffsets(this.#at(nowMs), replyId, request);
  }

  listGroups(
    statesFilter: readonly string[],
    typesFilter: readonly string[],
    nowMs: number,
  ): ListGroupsResponse {
    return listGroups(this.#at(nowMs), statesFilter, typesFilter);
  }

  describeGroups(groupIds: readonly string[], nowMs: number): DescribedGroup[] {
    const core = this.#at(nowMs);
    return groupIds.map((groupId) => describeGroup(core, groupId));
  }

  /** DeleteGroups; answered through `ready()` with one result per group id, in order. */
  deleteGroups(replyId: number, groupIds: readonly string[], nowMs: number): void {
    deleteGroups(this.#at(nowMs), replyId, groupIds);
  }

  /** A topic's partitions were deleted: their committed offsets go too. */
  deleteTopicOffsets(topic: string, partitions: ReadonlySet<number>, nowMs: number): void {
    deleteTopicOffsets(this.#at(nowMs), topic, partitions);
  }

  // ---------------------------------------------------------------- time and outputs

  /** Runs every timer due at `nowMs` (session, rebalance and sync expiries, offset expiry). */
  tick(nowMs: number): void {
    this.#at(nowMs).deadlines.runDue(nowMs);
    this.#options.extension?.tick(nowMs);
  }

  /** When `tick` must next be called; null when no timer is set. */
  nextDeadlineMs(): number | null {
    const own = this.#core.deadlines.nextDeadlineMs();
    const other = this.#options.extension?.nextDeadlineMs() ?? null;
    if (own === null) return other;
    return other === null ? own : Math.min(own, other);
  }

  // ---------------------------------------------------------------- hooks for other group kinds

  /** Adds a group of another kind (a KIP-848 group's `Group` view); its id must be free. */
  registerGroup(group: Group): void {
    const existing = this.#core.groups.get(group.groupId);
    if (existing !== undefined && existing !== group) {
      throw new Error(`group ${group.groupId} exists already`);
    }
    this.#core.groups.set(group.groupId, group);
  }

  /**
   * Removes an empty classic group so that a group of another kind takes its
   * id: a KIP-848 heartbeat upgrades an empty classic group, and loading
   * replaces the simple group that earlier offset records made. Its offsets
   * stay. Returns the tombstones that delete it, for the caller to persist
   * with the new group's records.
   */
  removeEmptyClassicGroup(groupId: string): OffsetsTopicRecord[] {
    const group = this.#core.classicGroup(groupId);
    if (!group || !group.isEmpty()) throw new Error(`group ${groupId} is not an empty classic group`);
    const tombstones = group.tombstones();
    this.#core.removeGroup(groupId);
    return tombstones;
  }

  /** Removes a group of another kind from the shared map (its records are its owner's business). */
  unregisterGroup(groupId: string): void {
    const existing = this.#core.groups.get(groupId);
    if (existing !== undefined && existing.type === "classic") {
      throw new Error(`group ${groupId} is a classic group`);
    }
    this.#core.groups.delete(groupId);
  }

  /**
   * Queues records for a partition through the same outbox as the classic
   * groups' (any kind, "other" records pass through as they are); `then`
   * runs with the outcome once the driver has persisted them.
   */
  persist(partition: number, records: OffsetsTopicRecord[], then: (errorCode: number) => void): void {
    this.#core.outbox.write(partition, records, then);
  }

  /** Queues a response for `replyId`; it goes out after the writes queued before it. */
  reply(replyId: number, response: unknown): void {
    this.#core.outbox.reply(replyId, response);
  }

  /** 0 when this node serves `groupId`'s partition, else NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. */
  statusError(groupId: string): number {
    return this.#core.statusError(groupId);
  }

  /** Writes to persist, then responses to deliver (see outbox.ts for the order). */
  ready(): Ready {
    return this.#core.outbox.take();
  }

  /** Reports a write's outcome: 0 once durable, else the append's Kafka error code. */
  writeCompleted(writeId: number, errorCode: number, nowMs: number): void {
    this.#at(nowMs).outbox.complete(writeId, errorCode);
  }

  /** Writes handed out by `ready()` and not completed yet. */
  get writesInFlight(): number {
    return this.#core.outbox.writesInFlight;
  }

  // ---------------------------------------------------------------- inspection

  /** The group called `groupId`, for inspection (tests, invariant checkers, KIP-848 wiring). */
  group(groupId: string): Group | undefined {
    return this.#core.groups.get(groupId);
  }

  /** The classic group called `groupId`, for inspection. */
  classicGroup(groupId: string): ClassicGroup | undefined {
    return this.#core.classicGroup(groupId);
  }

  /** Every group id held (served or loading). */
  groupIds(): string[] {
    return [...this.#core.groups.keys()];
  }

  /** A committed offset, for inspection. */
  committedOffset(groupId: string, topic: string, partition: number): OffsetCommitValue | undefined {
    return this.#core.offsets.get(groupId, topic, partition);
  }

  /** How many timers are set (bounded by groups and members). */
  get timerCount(): number {
    return this.#core.deadlines.size;
  }
}
