/**
 * Runs the group coordinator (src/group/) on a node: the shell around the
 * pure state machine. It
 *
 * - creates `__consumer_offsets` through the metadata log on first use
 *   (compacted, offsets.topic.num.partitions partitions), or adopts the
 *   partition folders of a log directory Kafka wrote;
 * - rebuilds the coordinator's state from the topic at start-up;
 * - feeds it requests and clock ticks, and drains its `Ready`: appends the
 *   records to the partition logs, syncs them (a single node has no
 *   replicas, so durability is the disk's), reports each write's outcome,
 *   and only then resolves the responses;
 * - keeps one Clock timer armed for the coordinator's earliest deadline;
 * - runs the KIP-848 consumer groups beside the classic ones
 *   (src/group/consumer_groups.ts), through the same outbox and timer.
 *
 * Group commit: requests handled in one turn of the event loop (a burst of
 * pipelined requests, several connections' reads) share one drain, so their
 * records cost one sync per partition log. Reads wait for a pending drain,
 * so that a client reads what it wrote before, even when pipelined.
 */
import type { Timer, World } from "../io/mod.ts";
import type { LogManager, PartitionLog } from "../log/mod.ts";
import { ConfigResourceType, type MetadataImage, type Refusal, type TopicToCreate } from "../metadata/mod.ts";
import {
  ConsumerGroups,
  consumerGroupSettings,
  DEFAULT_NEW_MEMBER_JOIN_TIMEOUT_MS,
  type DeleteGroupsResult,
  type DescribedGroup,
  encodeOffsetsTopicRecord,
  GroupCoordinator,
  type GroupCoordinatorOptions,
  heartbeatError,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type LeaveGroupRequest,
  type LeaveGroupResponse,
  type ListGroupsResponse,
  type OffsetCommitRequest,
  type OffsetCommitResponse,
  type OffsetDeleteRequest,
  type OffsetDeleteResponse,
  type OffsetFetchGroupRequest,
  type OffsetFetchGroupResponse,
  type RequestContext,
  type SyncGroupRequest,
  type SyncGroupResponse,
  type Write,
} from "../group/mod.ts";
import { buildBatch, ErrorCode, randomUuid, type RecordInput, uuidToString } from "../protocol/mod.ts";
import type { BrokerConfig, TopicConfigResolver } from "../config/mod.ts";
import type { AppendWaiters } from "./append_waiters.ts";
import type { Partition } from "./partition.ts";
import { readOffsetsPartition } from "./group_driver_load.ts";
import {
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponse,
  type DescribedGroup as DescribedConsumerGroup,
  topicsFromImage,
} from "../group/consumer/mod.ts";

/** The internal topic of committed offsets and group metadata. */
export const OFFSETS_TOPIC = "__consumer_offsets";
/** Batch framing beyond the records (Kafka's record batch overhead). */
const BATCH_OVERHEAD_BYTES = 61;
/** A bound on one record's framing (length, attributes, deltas, key and value lengths, header count). */
const RECORD_OVERHEAD_BYTES = 32;
/**
 * The longest the timer is set for. Deadlines can be far off (a rebalance
 * timeout may be 2^31 - 1 ms) and platform timers overflow beyond that; an
 * early wake-up only ticks and re-arms.
 */
const TIMER_DELAY_MAX_MS = 24 * 60 * 60 * 1000;

/** Who sent a request, as handlers know it. */
export interface GroupRequestSource {
  clientId: string;
  clientHost: string;
  apiVersion: number;
}

/** What the group coordinator needs from the node. */
export interface GroupDriverOptions {
  world: World;
  config: BrokerConfig;
  metadata: { readonly image: MetadataImage };
  partitions: { partition(topic: string, index: number): Partition | undefined };
  topicConfigs: TopicConfigResolver;
  appendWaiters: AppendWaiters;
  logs: LogManager;
  /** Creates `__consumer_offsets` through the active controller (a refusal says why not). */
  createTopic(topic: TopicToCreate): Promise<Refusal | null>;
}

export class GroupDriver {
  readonly coordinator: GroupCoordinator;
  /** The KIP-848 consumer groups, the coordinator's extension. */
  readonly consumerGroups: ConsumerGroups;
  readonly #node: GroupDriverOptions;
  readonly #logs: LogManager;
  readonly #waiting = new Map<number, (response: unknown) => void>();
  #nextReplyId = 1;
  #timer: Timer | null = null;
  #armedForMs: number | null = null;
  #draining = false;
  /** A drain is queued for the end of the current turn; reads wait for it. */
  #drainQueued: Promise<void> | null = null;
  #closed = false;

  constructor(node: GroupDriverOptions) {
    this.#node = node;
    this.#logs = node.logs;
    const config = node.config;
    this.consumerGroups = new ConsumerGroups({
      settings: consumerGroupSettings(config, () => uuidToString(randomUuid(node.world.random))),
      topics: () => topicsFromImage(node.metadata.image),
      readPartition: (partition, apply) => {
        const served = node.partitions.partition(OFFSETS_TOPIC, partition);
        if (served) readOffsetsPartition(served.log, apply, (line) => node.world.log(line));
      },
      nowMs: () => this.#nowMs(),
      log: (line) => node.world.log(line),
    });
    const options: GroupCoordinatorOptions = {
      onOtherRecord: (partition, record) => this.consumerGroups.onOtherRecord(partition, record),
      extension: this.consumerGroups,
    };
    this.coordinator = new GroupCoordinator({
      partitionCount: config.int("offsets.topic.num.partitions"),
      minSessionTimeoutMs: config.int("group.min.session.timeout.ms"),
      maxSessionTimeoutMs: config.int("group.max.session.timeout.ms"),
      initialRebalanceDelayMs: config.int("group.initial.rebalance.delay.ms"),
      maxGroupSize: config.int("group.max.size"),
      offsetsRetentionMs: config.int("offsets.retention.minutes") * 60_000,
      offsetsRetentionCheckIntervalMs: config.int("offsets.retention.check.interval.ms"),
      offsetMetadataMaxBytes: config.int("offset.metadata.max.bytes"),
      newMemberJoinTimeoutMs: DEFAULT_NEW_MEMBER_JOIN_TIMEOUT_MS,
      newMemberIdSuffix: () => uuidToString(randomUuid(node.world.random)),
    }, options);
    this.consumerGroups.attach(this.coordinator);
  }

  #nowMs(): number {
    return this.#node.world.clock.nowMs();
  }

  #context(source: GroupRequestSource): RequestContext {
    return { nowMs: this.#nowMs(), ...source };
  }

  // ---------------------------------------------------------------- start-up and the topic

  /**
   * Loads the groups at start-up. A log directory written by Kafka has
   * `__consumer_offsets-N` folders but no Dafka metadata for them: the topic
   * is then created over those folders, with as many partitions as Kafka
   * made, so that every group hashes to the partition that holds it.
   */
  async start(): Promise<void> {
    if (!this.#node.metadata.image.topicsByName.has(OFFSETS_TOPIC)) {
      const onDisk = this.#logs.partitionsOnDisk().filter((found) => found.topic === OFFSETS_TOPIC);
      if (onDisk.length === 0) return;
      const count = Math.max(...onDisk.map((found) => found.partition)) + 1;
      const refusal = await this.#createTopic(count);
      if (refusal !== null) {
        this.#node.world.log(`cannot adopt ${OFFSETS_TOPIC} from the log directory: ${refusal}`);
        return;
      }
    }
    this.#loadPartitions();
  }

  /**
   * FindCoordinator's side effect: the topic is created on first use, as
   * Kafka does. Returns 0, or COORDINATOR_NOT_AVAILABLE when it cannot be.
   */
  async ensureOffsetsTopic(): Promise<number> {
    if (this.#closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (!this.#node.metadata.image.topicsByName.has(OFFSETS_TOPIC)) {
      const refusal = await this.#createTopic(this.#node.config.int("offsets.topic.num.partitions"));
      if (refusal !== null) {
        this.#node.world.log(`cannot create ${OFFSETS_TOPIC}: ${refusal}`);
        return ErrorCode.COORDINATOR_NOT_AVAILABLE;
      }
      this.#loadPartitions();
    }
    return ErrorCode.NONE;
  }

  async #createTopic(partitionCount: number): Promise<string | null> {
    const node = this.#node;
    // As Kafka: with fewer live brokers than offsets.topic.replication.factor the creation is refused, and
    // FindCoordinator answers COORDINATOR_NOT_AVAILABLE until enough brokers have joined.
    const replicationFactor = node.config.int("offsets.topic.replication.factor");
    const refusal = await node.createTopic({
      name: OFFSETS_TOPIC,
      numPartitions: partitionCount,
      replicationFactor,
      configs: [
        { name: "cleanup.policy", value: "compact" },
        { name: "compression.type", value: "producer" },
        { name: "segment.bytes", value: String(node.config.int("offsets.topic.segment.bytes")) },
      ],
    });
    return refusal === null ? null : refusal.errorMessage ?? `error ${refusal.errorCode}`;
  }

  /** The image changed `__consumer_offsets`: start serving the partitions this node now leads. */
  onOffsetsTopicChanged(): void {
    if (this.#closed || !this.#node.metadata.image.topicsByName.has(OFFSETS_TOPIC)) return;
    this.#loadPartitions();
  }

  /**
   * Leadership of `__consumer_offsets` partitions moved: stop coordinating
   * the groups of partitions this node no longer leads (their clients get
   * NOT_COORDINATOR and find the new leader), and load those it now leads.
   */
  onOffsetsLeadershipChanged(): void {
    if (this.#closed) return;
    const nowMs = this.#nowMs();
    for (let partition = 0; partition < this.coordinator.partitionCount; partition++) {
      if (!this.coordinator.isActive(partition)) continue;
      if (this.#node.partitions.partition(OFFSETS_TOPIC, partition)) continue;
      this.#node.world.log(`no longer leading ${OFFSETS_TOPIC}-${partition}: unloading its groups`);
      this.coordinator.unloadPartition(partition, nowMs);
      this.consumerGroups.unloadPartition(partition);
    }
    this.onOffsetsTopicChanged();
  }

  /** Reads every `__consumer_offsets` partition this node leads and starts serving it. */
  #loadPartitions(): void {
    const topic = this.#node.metadata.image.topicsByName.get(OFFSETS_TOPIC)!;
    this.coordinator.setPartitionCount(topic.partitions.length);
    for (const partition of topic.partitions) {
      if (!partition || this.coordinator.isActive(partition.partition)) continue;
      const served = this.#node.partitions.partition(OFFSETS_TOPIC, partition.partition);
      if (!served) continue;
      this.coordinator.beginLoading(partition.partition);
      this.consumerGroups.beginLoading(partition.partition);
      const summary = readOffsetsPartition(
        served.log,
        (record) => this.coordinator.replay(partition.partition, record),
        (line) => this.#node.world.log(line),
      );
      if (summary.records > 0) {
        this.#node.world.log(
          `loaded ${summary.records} records of ${OFFSETS_TOPIC}-${partition.partition}` +
            (summary.skipped > 0 ? ` (${summary.skipped} skipped)` : ""),
        );
      }
      this.coordinator.finishLoading(partition.partition, this.#nowMs());
      this.consumerGroups.finishLoading(partition.partition, this.#nowMs());
    }
    this.#drain();
  }

  /** A topic was deleted: the committed offsets of its partitions are deleted too. */
  onTopicDeleted(topic: string, partitionCount: number): void {
    if (this.#closed || topic === OFFSETS_TOPIC) return;
    const partitions = new Set(Array.from({ length: partitionCount }, (_, index) => index));
    this.coordinator.deleteTopicOffsets(topic, partitions, this.#nowMs());
    this.#drain();
  }

  // ---------------------------------------------------------------- requests

  /**
   * Runs a request that answers through the coordinator's `ready()`: `start`
   * gets a fresh reply id and the time (for the hooks of other group kinds,
   * such as a ConsumerGroupHeartbeat handler that calls `coordinator.persist`
   * and `coordinator.reply`).
   */
  submit<T>(start: (replyId: number, nowMs: number) => void): Promise<T> {
    return this.#call((replyId) => start(replyId, this.#nowMs()));
  }

  /** Answers a read once the writes queued before it are durable. */
  read<T>(answer: (nowMs: number) => T): T | Promise<T> {
    return this.#read(() => answer(this.#nowMs()));
  }

  #call<T>(start: (replyId: number) => void): Promise<T> {
    const replyId = this.#nextReplyId++;
    const promise = new Promise<T>((resolve) =>
      this.#waiting.set(replyId, resolve as (response: unknown) => void)
    );
    start(replyId);
    this.#queueDrain();
    return promise;
  }

  /** Drains once the current turn's requests are all in (a microtask, not a timer). */
  #queueDrain(): void {
    this.#drainQueued ??= Promise.resolve().then(() => {
      this.#drainQueued = null;
      this.#drain();
    });
  }

  /** Answers a read now, or after the queued drain when writes are pending (read your writes). */
  #read<T>(answer: () => T): T | Promise<T> {
    if (this.#drainQueued === null) return answer();
    return this.#drainQueued.then(answer);
  }

  joinGroup(request: JoinGroupRequest, source: GroupRequestSource): Promise<JoinGroupResponse> {
    return this.#call((replyId) => this.coordinator.joinGroup(replyId, request, this.#context(source)));
  }

  syncGroup(request: SyncGroupRequest, source: GroupRequestSource): Promise<SyncGroupResponse> {
    return this.#call((replyId) => this.coordinator.syncGroup(replyId, request, this.#context(source)));
  }

  heartbeat(request: HeartbeatRequest, source: GroupRequestSource): HeartbeatResponse {
    const response = this.coordinator.heartbeat(request, this.#context(source));
    this.#queueDrain();
    return response;
  }

  leaveGroup(request: LeaveGroupRequest, source: GroupRequestSource): Promise<LeaveGroupResponse> {
    return this.#call((replyId) => this.coordinator.leaveGroup(replyId, request, this.#context(source)));
  }

  commitOffsets(request: OffsetCommitRequest, source: GroupRequestSource): Promise<OffsetCommitResponse> {
    return this.#call((replyId) => this.coordinator.commitOffsets(replyId, request, this.#context(source)));
  }

  fetchOffsets(
    request: OffsetFetchGroupRequest,
  ): OffsetFetchGroupResponse | Promise<OffsetFetchGroupResponse> {
    return this.#read(() => this.coordinator.fetchOffsets(request, this.#nowMs()));
  }

  deleteOffsets(request: OffsetDeleteRequest): Promise<OffsetDeleteResponse> {
    return this.#call((replyId) => this.coordinator.deleteOffsets(replyId, request, this.#nowMs()));
  }

  listGroups(
    statesFilter: readonly string[],
    typesFilter: readonly string[],
  ): ListGroupsResponse | Promise<ListGroupsResponse> {
    return this.#read(() => this.coordinator.listGroups(statesFilter, typesFilter, this.#nowMs()));
  }

  describeGroups(groupIds: readonly string[]): DescribedGroup[] | Promise<DescribedGroup[]> {
    return this.#read(() => this.coordinator.describeGroups(groupIds, this.#nowMs()));
  }

  deleteGroups(groupIds: readonly string[]): Promise<DeleteGroupsResult[]> {
    return this.#call((replyId) => this.coordinator.deleteGroups(replyId, groupIds, this.#nowMs()));
  }

  /**
   * ConsumerGroupHeartbeat (KIP-848). It runs once the writes queued before
   * it are durable: a deletion of the group in flight is then complete, so
   * the heartbeat never joins a group whose tombstones are being written.
   */
  consumerGroupHeartbeat(
    request: ConsumerGroupHeartbeatRequest,
    source: GroupRequestSource,
  ): Promise<ConsumerGroupHeartbeatResponse> {
    if (this.#closed) return Promise.resolve(heartbeatError(ErrorCode.NOT_COORDINATOR, null));
    return Promise.resolve(
      this.#read(() =>
        this.#call<ConsumerGroupHeartbeatResponse>((replyId) =>
          this.consumerGroups.heartbeat(replyId, request, { nowMs: this.#nowMs(), ...source })
        )
      ),
    );
  }

  /** ConsumerGroupDescribe (KIP-848); authorizedOperations is left to the handler. */
  describeConsumerGroups(
    groupIds: readonly string[],
  ): DescribedConsumerGroup[] | Promise<DescribedConsumerGroup[]> {
    return this.#read(() => this.consumerGroups.describe(groupIds));
  }

  // ---------------------------------------------------------------- outputs

  /** Persists writes, reports them, delivers responses; again until the coordinator has nothing more. */
  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let ready = this.coordinator.ready(); ready.writes.length + ready.replies.length > 0;) {
        this.#persist(ready.writes);
        for (const reply of ready.replies) this.#deliver(reply.replyId, reply.response);
        ready = this.coordinator.ready();
      }
    } finally {
      this.#draining = false;
    }
    this.#arm();
  }

  #deliver(replyId: number, response: unknown): void {
    const resolve = this.#waiting.get(replyId);
    if (!resolve) throw new Error(`the coordinator answered request ${replyId}, which nobody waits for`);
    this.#waiting.delete(replyId);
    resolve(response);
  }

  /**
   * Appends every write, syncs each touched log once, then reports each
   * outcome once the write is committed (Kafka's coordinators append with
   * acks=all): at once with no other replica in the ISR, else when the
   * followers have it, or REQUEST_TIMED_OUT after `offsets.commit.timeout.ms`.
   */
  #persist(writes: readonly Write[]): void {
    if (writes.length === 0) return;
    const outcomes = writes.map((write) => ({ write, ...this.#append(write) }));
    const failedLogs = new Set<PartitionLog>();
    for (const log of new Set(outcomes.map((outcome) => outcome.partition?.log ?? null))) {
      if (log === null) continue;
      try {
        log.flush(this.#nowMs());
      } catch (error) {
        this.#node.world.log(`syncing ${log.topic}-${log.partition} failed: ${(error as Error).message}`);
        failedLogs.add(log);
      }
    }
    const timeoutMs = this.#node.config.int("offsets.commit.timeout.ms");
    for (const outcome of outcomes) {
      const partition = outcome.partition;
      if (partition !== null && failedLogs.has(partition.log)) {
        this.coordinator.writeCompleted(outcome.write.writeId, ErrorCode.KAFKA_STORAGE_ERROR, this.#nowMs());
      } else if (partition === null || partition.highWatermark > outcome.lastOffset) {
        this.coordinator.writeCompleted(outcome.write.writeId, outcome.errorCode, this.#nowMs());
      } else {
        void partition.waitUntilCommitted(outcome.lastOffset, timeoutMs).then((committed) => {
          if (this.#closed) return;
          const errorCode = committed === "committed"
            ? ErrorCode.NONE
            : committed === "timeout"
            ? ErrorCode.REQUEST_TIMED_OUT
            : ErrorCode.NOT_LEADER_OR_FOLLOWER;
          this.coordinator.writeCompleted(outcome.write.writeId, errorCode, this.#nowMs());
          this.#drain();
        });
      }
    }
  }

  #append(write: Write): { errorCode: number; partition: Partition | null; lastOffset: number } {
    const partition = this.#node.partitions.partition(OFFSETS_TOPIC, write.partition);
    if (!partition) return { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, partition: null, lastOffset: -1 };
    const nowMs = this.#nowMs();
    const batches = this.#batches(write, nowMs);
    if (typeof batches === "number") return { errorCode: batches, partition: null, lastOffset: -1 };
    try {
      const appended = partition.appendAsLeader(batches, "coordinator", nowMs);
      if (appended.errorCode !== ErrorCode.NONE) {
        return { errorCode: appended.errorCode, partition: null, lastOffset: -1 };
      }
      return { errorCode: ErrorCode.NONE, partition, lastOffset: appended.lastOffset };
    } catch (error) {
      this.#node.world.log(`appending to ${partition.key} failed: ${(error as Error).message}`);
      return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, partition: null, lastOffset: -1 };
    }
  }

  /**
   * The write's records as v2 batches no larger than the topic's
   * max.message.bytes (a large deletion spans several batches, appended
   * together); MESSAGE_TOO_LARGE when one record alone is too large.
   */
  #batches(write: Write, nowMs: number): Uint8Array | number {
    const node = this.#node;
    const overrides = node.metadata.image.configsOf(ConfigResourceType.Topic, OFFSETS_TOPIC);
    const maxBytes = node.topicConfigs.number("max.message.bytes", overrides);
    const chunks: RecordInput[][] = [[]];
    let chunkBytes = BATCH_OVERHEAD_BYTES;
    for (const record of write.records) {
      const encoded = encodeOffsetsTopicRecord(record);
      const size = encoded.key.length + (encoded.value?.length ?? 0) + RECORD_OVERHEAD_BYTES;
      if (BATCH_OVERHEAD_BYTES + size > maxBytes) return ErrorCode.MESSAGE_TOO_LARGE;
      if (chunkBytes + size > maxBytes) {
        chunks.push([]);
        chunkBytes = BATCH_OVERHEAD_BYTES;
      }
      chunks[chunks.length - 1]!.push({ timestamp: nowMs, key: encoded.key, value: encoded.value });
      chunkBytes += size;
    }
    const built = chunks.map((records) => buildBatch({ records }));
    if (built.length === 1) return built[0]!;
    const total = built.reduce((sum, batch) => sum + batch.length, 0);
    const out = new Uint8Array(total);
    let position = 0;
    for (const batch of built) {
      out.set(batch, position);
      position += batch.length;
    }
    return out;
  }

  /**
   * Keeps one timer for the coordinator's earliest deadline. A later
   * deadline leaves an earlier timer alone (it fires, ticks, and re-arms),
   * so the many heartbeats that push sessions forward cost no timer churn.
   */
  #arm(): void {
    if (this.#closed) return;
    const next = this.coordinator.nextDeadlineMs();
    if (next === null) return;
    if (this.#armedForMs !== null && this.#armedForMs <= next) return;
    this.#timer?.cancel();
    this.#armedForMs = next;
    const delayMs = Math.min(TIMER_DELAY_MAX_MS, Math.max(0, next - this.#nowMs()));
    this.#timer = this.#node.world.clock.setTimer(delayMs, () => {
      this.#timer = null;
      this.#armedForMs = null;
      if (this.#closed) return;
      this.coordinator.tick(this.#nowMs());
      this.#drain();
    });
  }

  /** Stops the timer; responses still owed are answered with NOT_COORDINATOR as the partitions unload. */
  close(): void {
    if (this.#closed) return;
    const nowMs = this.#nowMs();
    for (let partition = 0; partition < this.coordinator.partitionCount; partition++) {
      if (!this.coordinator.isActive(partition)) continue;
      this.coordinator.unloadPartition(partition, nowMs);
      this.consumerGroups.unloadPartition(partition);
    }
    this.#drain();
    this.#closed = true;
    this.#timer?.cancel();
    this.#timer = null;
  }
}
