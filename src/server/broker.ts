/**
 * The broker: the partitions this node leads, producer ids, fetch sessions,
 * long-poll waiters, the group coordinator and the log cleaner, over the
 * metadata the quorum applies (`AppliedMetadata`).
 *
 * Handlers never see this class: it implements the small interfaces of
 * `NodeServices` (handler.ts) and hands them out as `services`. It is built
 * with the quorum, the controller channel and the controller state in hand
 * (node_wiring.ts makes them first).
 *
 * Metadata changes are decided by the active controller and committed
 * through the Raft quorum; every node applies what the quorum commits, and
 * the broker then opens or removes partition logs to match, and gives each
 * partition its role: leader (followers fetch from it; it asks the
 * controller to change the ISR) or follower (the replica fetchers copy the
 * leader's log).
 */
import {
  type BrokerConfig,
  type NumericTopicKey,
  type QuorumConfig,
  TopicConfigResolver,
  type TopicKey,
} from "../config/mod.ts";
import type { Clock, World } from "../io/mod.ts";
import {
  cleanupPolicyIncludes,
  InconsistentTopicIdError,
  isStorageFailure,
  type LogManager,
  type PartitionLog,
  topicPartitionKey,
} from "../log/mod.ts";
import { compactionConfigOf, LogCleaner, startCleanerTimer } from "../log/cleaner/mod.ts";
import {
  type BrokerEndpoint,
  brokerEndpointsOf,
  ConfigResourceType,
  type MetadataImage,
  type PlacementContext,
  type Refusal,
  unfencedBrokerIds,
} from "../metadata/mod.ts";
import { ErrorCode, randomUuid, uuidToString } from "../protocol/mod.ts";
import { ProducerIdManager } from "../txn/mod.ts";
import type { AppliedMetadata, MetadataChange } from "./applied_metadata.ts";
import { AppendWaiters } from "./append_waiters.ts";
import { autoCreateTopic, createTopicThroughController, reserveProducerIds } from "./broker_requests.ts";
import { type ControllerChannel, type ControllerState, QuorumController } from "./controller/mod.ts";
import { FetchSessionCache } from "./fetch_sessions.ts";
import { GroupDriver, OFFSETS_TOPIC } from "./group_driver.ts";
import type { MetadataView, NodeServices, PartitionLookup, SettingsView } from "./handler.ts";
import { Partition, type PartitionRole } from "./partition.ts";
import { IsrUpdates } from "./isr_updates.ts";
import { ReplicaFetchers } from "./replica_fetcher.ts";
import type { LeaderSettings } from "../replication/mod.ts";
import type { PartitionImage } from "../metadata/mod.ts";
import type { MetadataQuorum } from "./raft_driver/mod.ts";

export interface BrokerOptions {
  world: World;
  config: BrokerConfig;
  clusterId: string;
  logs: LogManager;
  quorumConfig: QuorumConfig;
  metadata: AppliedMetadata;
  quorum: MetadataQuorum;
  controllerChannel: ControllerChannel;
  controller: ControllerState;
}

export class Broker implements MetadataView, PartitionLookup, SettingsView {
  readonly world: World;
  readonly config: BrokerConfig;
  readonly clock: Clock;
  readonly clusterId: string;
  readonly nodeId: number;
  readonly quorumConfig: QuorumConfig;
  readonly quorum: MetadataQuorum;
  readonly controllerChannel: ControllerChannel;
  readonly controller: ControllerState;
  /** This broker's epoch from its registration (-1 until registered). */
  brokerEpoch = -1;
  /** Whether partition logs follow the image yet (from the first catch-up with the quorum on). */
  #published = false;
  readonly topicConfigs: TopicConfigResolver;
  readonly producerIds: ProducerIdManager;
  readonly fetchSessions: FetchSessionCache;
  readonly appendWaiters: AppendWaiters;
  /** The consumer group coordinator (started by the node after `load`). */
  readonly groups: GroupDriver;
  /** Compacts the logs of topics whose cleanup.policy has "compact" (__consumer_offsets among them). */
  readonly cleaner: LogCleaner;
  /** What handlers are given: this broker's parts, one small interface each. */
  readonly services: NodeServices;
  /** Copies the logs of the partitions other nodes lead. */
  readonly replicaFetchers: ReplicaFetchers;
  /** Sends the leaders' AlterPartition requests. */
  readonly isrUpdates: IsrUpdates;
  #cleanerTimer: { stop(): void } | null = null;
  #replicationTimers: { cancel(): void }[] = [];
  /** `replication-offset-checkpoint` as found at start (high watermarks by "topic-partition"). */
  #checkpointedHighWatermarks: Map<string, number> | null = null;
  readonly #metadata: AppliedMetadata;
  readonly #logs: LogManager;
  /** Partitions led here, by "topic:partition". */
  readonly #partitions = new Map<string, Partition>();

  constructor(options: BrokerOptions) {
    this.world = options.world;
    this.config = options.config;
    this.clock = options.world.clock;
    this.clusterId = options.clusterId;
    this.nodeId = options.config.nodeId;
    this.quorumConfig = options.quorumConfig;
    this.quorum = options.quorum;
    this.controllerChannel = options.controllerChannel;
    this.controller = options.controller;
    this.#metadata = options.metadata;
    this.#logs = options.logs;
    this.topicConfigs = new TopicConfigResolver(options.config, () => this.dynamicBrokerConfigs());
    this.fetchSessions = new FetchSessionCache(
      options.config.int("max.incremental.fetch.session.cache.slots"),
    );
    this.appendWaiters = new AppendWaiters(this.clock);
    this.services = this.#services();
    this.producerIds = new ProducerIdManager({
      reserveBlock: () => reserveProducerIds(this.services, this.nodeId, this.brokerEpoch),
    });
    this.groups = new GroupDriver({
      world: options.world,
      config: options.config,
      metadata: this,
      partitions: this,
      topicConfigs: this.topicConfigs,
      appendWaiters: this.appendWaiters,
      logs: options.logs,
      createTopic: (topic) => createTopicThroughController(this.services, topic),
    });
    this.cleaner = new LogCleaner({
      disk: options.world.disk,
      clock: this.clock,
      logDirectory: options.logs.directory,
      dedupeBufferBytes: options.config.int("log.cleaner.dedupe.buffer.size"),
      log: options.world.log,
    });
    this.replicaFetchers = new ReplicaFetchers({
      net: options.world.net,
      clock: this.clock,
      nodeId: this.nodeId,
      brokerEpoch: () => this.brokerEpoch,
      endpointOf: (brokerId) => this.#interBrokerEndpoint(brokerId),
      settings: () => ({
        maxWaitMs: this.config.int("replica.fetch.wait.max.ms"),
        minBytes: this.config.int("replica.fetch.min.bytes"),
        maxBytes: this.config.int("replica.fetch.response.max.bytes"),
        partitionMaxBytes: this.config.int("replica.fetch.max.bytes"),
        backoffMs: this.config.int("replica.fetch.backoff.ms"),
        socketTimeoutMs: this.config.int("replica.socket.timeout.ms"),
      }),
      log: options.world.log,
    });
    this.isrUpdates = new IsrUpdates({
      clock: this.clock,
      brokerId: this.nodeId,
      brokerEpoch: () => this.brokerEpoch,
      services: this.services,
      log: options.world.log,
    });
    options.metadata.onChange((change) => this.#onMetadataChange(change));
  }

  /** The endpoint of `brokerId` on the inter-broker listener (`inter.broker.listener.name`, else its first). */
  #interBrokerEndpoint(brokerId: number): { host: string; port: number } | null {
    const broker = this.image.brokers.get(brokerId);
    if (broker === undefined || broker.endPoints.length === 0) return null;
    const wanted = this.config.string("inter.broker.listener.name");
    return broker.endPoints.find((endpoint) => endpoint.name === wanted) ?? broker.endPoints[0]!;
  }

  /** What the leaders' replication state machines read at each step (`topic` for its min.insync.replicas). */
  #leaderSettings(topic: string): LeaderSettings {
    return {
      minInsyncReplicas: this.topicConfigs.number(
        "min.insync.replicas",
        this.image.configsOf(ConfigResourceType.Topic, topic),
      ),
      replicaLagTimeMaxMs: this.config.int("replica.lag.time.max.ms"),
      // The controller's rule for ISR members (KIP-841, KIP-903): registered, unfenced, not shutting down,
      // and fetching at the epoch it registered with (a replica that restarted has a new one).
      eligible: (brokerId, brokerEpoch) => {
        const broker = this.image.brokers.get(brokerId);
        return broker !== undefined && !broker.fenced && !broker.inControlledShutdown &&
          (brokerEpoch < 0 || broker.brokerEpoch === brokerEpoch);
      },
    };
  }

  #services(): NodeServices {
    const parts = {
      groups: (): GroupDriver => this.groups,
      producerIds: (): ProducerIdManager => this.producerIds,
    };
    return {
      clock: this.clock,
      settings: this,
      metadata: this,
      partitions: this,
      fetch: { appendWaiters: this.appendWaiters, sessions: this.fetchSessions },
      controller: this.controllerChannel,
      control: new QuorumController({
        metadata: this,
        quorum: this.quorum,
        sessions: this.controller,
        placementContext: () => this.placementContext(),
        log: this.world.log,
      }),
      topics: { autoCreateTopic: (name) => this.autoCreateTopic(name) },
      // Built after the services they use: read when a handler runs.
      get groups() {
        return parts.groups();
      },
      get producerIds() {
        return parts.producerIds();
      },
      raft: this.quorum,
    };
  }

  /** The metadata as this node applied it. */
  get image(): MetadataImage {
    return this.#metadata.image;
  }

  waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    return this.#metadata.waiters.wait(condition, timeoutMs);
  }

  /**
   * Starts the background work: the log cleaner, the leaders' ISR checks
   * (every half `replica.lag.time.max.ms`, a lagging follower leaves the
   * ISR), and `replication-offset-checkpoint`
   * (`replica.high.watermark.checkpoint.interval.ms`).
   */
  startBackgroundWork(): void {
    const every = (periodMs: number, job: () => void) => {
      const schedule = () => {
        const timer = this.clock.setTimer(periodMs, () => {
          this.#replicationTimers = this.#replicationTimers.filter((other) => other !== timer);
          try {
            job();
          } catch (error) {
            this.world.log(`replication job failed: ${(error as Error).message}`);
          }
          schedule();
        });
        this.#replicationTimers.push(timer);
      };
      schedule();
    };
    every(Math.max(1, Math.floor(this.config.int("replica.lag.time.max.ms") / 2)), () => {
      for (const partition of this.#partitions.values()) this.isrUpdates.maybeSend(partition);
    });
    every(
      Math.max(1, this.config.int("replica.high.watermark.checkpoint.interval.ms")),
      () => this.checkpointHighWatermarks(),
    );
    if (this.config.bool("log.cleaner.enable")) {
      this.#cleanerTimer = startCleanerTimer({
        clock: this.clock,
        cleaner: this.cleaner,
        backoffMs: this.config.int("log.cleaner.backoff.ms"),
        log: this.world.log,
      });
    }
  }

  #onMetadataChange(change: MetadataChange): void {
    if (!this.#published) return;
    for (const deleted of change.deleted) this.groups.onTopicDeleted(deleted.name, deleted.partitions);
    this.#reconcile(change.topics);
    // Offsets partitions this node now leads (the topic created through another node) start serving.
    if (!change.snapshot && change.topics.has(OFFSETS_TOPIC)) this.groups.onOffsetsTopicChanged();
  }

  /**
   * From now on partition logs follow the image: open the partitions with a
   * replica here, remove those the image no longer has. Called once the
   * node has caught up with the quorum, so that replaying old history (a
   * topic deleted and created again) never touches the current logs.
   */
  publish(): void {
    if (this.#published) return;
    this.#published = true;
    const names = new Set(this.image.topicsByName.keys());
    for (const partition of this.#partitions.values()) names.add(partition.topic);
    this.#reconcile(names);
  }

  /**
   * Sets aside the partition folders on disk that the image does not give
   * this node (topics deleted, or re-created elsewhere, while it was down):
   * renamed `-stray`, as Kafka does, rather than served or deleted.
   */
  setAsideStrayLogs(): void {
    for (const { topic, partition } of this.#logs.partitionsOnDisk()) {
      if (!this.#partitions.has(`${topic}:${partition}`)) this.#logs.markStray(topic, partition);
    }
  }

  /** Opens, updates or removes the partition logs of `topicNames` to match the image. */
  #reconcile(topicNames: Set<string>): void {
    for (const name of topicNames) {
      const topic = this.image.topicsByName.get(name);
      for (const [key, open] of this.#partitions) {
        if (open.topic !== name) continue;
        const wanted = topic?.partitions[open.partition];
        const stale = !topic || topic.topicIdString !== uuidToString(open.topicId) || !wanted ||
          !wanted.replicas.includes(this.nodeId);
        if (stale) {
          this.#partitions.delete(key);
          this.replicaFetchers.unfollow(open);
          open.makeFollower({ ...roleOf(wanted ?? null), leader: -1 });
          this.cleaner.unregister(open.log, true);
          this.#logs.remove(open.log);
        }
      }
      if (!topic) continue;
      for (const partition of topic.partitions) {
        if (partition && partition.replicas.includes(this.nodeId)) {
          this.#openPartition(name, partition.partition);
          this.#applyRole(this.#partitions.get(`${name}:${partition.partition}`)!, partition);
        }
      }
    }
    if (topicNames.has(OFFSETS_TOPIC)) this.groups.onOffsetsLeadershipChanged();
  }

  /** Makes `open` the leader or a follower, as the image's `wanted` says. */
  #applyRole(open: Partition, wanted: PartitionImage): void {
    const role = roleOf(wanted);
    if (wanted.leader === this.nodeId) {
      this.replicaFetchers.unfollow(open);
      open.makeLeader(role, this.clock.nowMs());
      this.isrUpdates.maybeSend(open);
    } else {
      open.makeFollower(role);
      this.replicaFetchers.follow(open, wanted.leader);
    }
  }

  /**
   * Creates a topic with the broker's defaults (auto-creation) through the
   * active controller, and waits until this node's image shows it. A
   * refusal explains why not.
   */
  autoCreateTopic(name: string): Promise<Refusal | null> {
    return autoCreateTopic(this.services, name);
  }

  placementContext(): PlacementContext {
    return {
      // num.partitions is read-only in Kafka 4 (no dynamic value to overlay).
      defaultPartitions: this.config.int("num.partitions"),
      defaultReplicationFactor: this.config.int("default.replication.factor"),
      brokerIds: unfencedBrokerIds(this.image),
      newTopicId: () => randomUuid(this.world.random),
    };
  }

  /** The partition if this node leads it (its log is open here). */
  partition(topic: string, index: number): Partition | undefined {
    const open = this.#partitions.get(`${topic}:${index}`);
    return open?.isLeader ? open : undefined;
  }

  /** The partition if it has a replica here, whatever its role. */
  replica(topic: string, index: number): Partition | undefined {
    return this.#partitions.get(`${topic}:${index}`);
  }

  afterReplicaFetch(partition: Partition): void {
    this.isrUpdates.maybeSend(partition);
  }

  /** Every partition with a replica here. */
  replicas(): IterableIterator<Partition> {
    return this.#partitions.values();
  }

  /** The error for a partition this node does not lead: another node leads it, or it does not exist. */
  partitionErrorCode(topic: string, index: number): number {
    return this.image.topicsByName.get(topic)?.partitions[index]
      ? ErrorCode.NOT_LEADER_OR_FOLLOWER
      : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  }

  /**
   * Brokers as Metadata lists them: the registered, unfenced brokers at
   * their endpoint for the listener the request came in on.
   */
  brokerEndpoints(listenerName: string): BrokerEndpoint[] {
    return brokerEndpointsOf(this.image, listenerName);
  }

  /**
   * The controller id Metadata and DescribeCluster report: this broker
   * itself, which the client has just reached and which forwards controller
   * requests to wherever the active controller is (KRaft brokers likewise
   * name a live broker, never the controller quorum). Naming the quorum's
   * leader instead would send clients to a node that may have just died:
   * for the election timeout after a kill -9 the survivors still take it
   * for the leader and an unfenced broker, and librdkafka's admin client
   * then waits its whole request timeout on that node. A broker that is
   * not listed (fenced) names one that is.
   */
  controllerIdForClients(): number {
    const listed = (id: number) => this.image.brokers.get(id)?.fenced === false;
    if (listed(this.nodeId)) return this.nodeId;
    if (listed(this.quorum.leaderId)) return this.quorum.leaderId;
    return unfencedBrokerIds(this.image)[0] ?? this.nodeId;
  }

  /** Dynamic broker configs: cluster-wide defaults overlaid by this node's own. */
  dynamicBrokerConfigs(): ReadonlyMap<string, string> {
    const merged = new Map(this.image.configsOf(ConfigResourceType.Broker, ""));
    for (const [key, value] of this.image.configsOf(ConfigResourceType.Broker, String(this.nodeId))) {
      merged.set(key, value);
    }
    return merged;
  }

  #openPartition(topicName: string, index: number): void {
    const key = `${topicName}:${index}`;
    if (this.#partitions.has(key)) return;
    const topic = this.image.topicsByName.get(topicName)!;
    const overrides = () => this.image.configsOf(ConfigResourceType.Topic, topicName);
    const log = this.#openLog(topicName, index, topic.topicId, overrides);
    this.cleaner.register(log, {
      config: () =>
        compactionConfigOf({
          number: (name: NumericTopicKey) => this.topicConfigs.number(name, overrides()),
          string: (name: TopicKey) => this.topicConfigs.string(name, overrides()),
        }),
    });
    this.#partitions.set(
      key,
      new Partition({
        topic: topicName,
        partition: index,
        topicId: topic.topicId,
        leaderEpoch: topic.partitions[index]?.leaderEpoch ?? 0,
        log,
        clock: this.clock,
        configs: this.topicConfigs,
        overrides,
        onAppend: (partitionKey, newRecords) => this.appendWaiters.notify(partitionKey, newRecords),
        highWatermark: this.#checkpointedHighWatermark(topicName, index),
        replication: () => this.#leaderSettings(topicName),
      }),
    );
  }

  #checkpointedHighWatermark(topic: string, partition: number): number {
    this.#checkpointedHighWatermarks ??= this.#logs.readReplicationOffsets();
    return this.#checkpointedHighWatermarks.get(topicPartitionKey(topic, partition)) ?? 0;
  }

  /** Writes `replication-offset-checkpoint`: every replica's high watermark. */
  checkpointHighWatermarks(): void {
    const entries = [...this.#partitions.values()]
      .filter((partition) => !partition.offline)
      .map((partition) => ({
        topic: partition.topic,
        partition: partition.partition,
        offset: partition.highWatermark,
      }));
    try {
      this.#logs.writeReplicationOffsets(entries);
    } catch (error) {
      if (!isStorageFailure(error)) throw error;
      this.world.log(`cannot write the high watermark checkpoint: ${error.message}`);
    }
  }

  /**
   * Opens a partition's log for the topic `topicId`. A folder of the same
   * name that belongs to another topic id is a stray (the topic was deleted
   * and created again while this node was away): as Kafka does, it is
   * removed and the new topic's log starts empty.
   */
  #openLog(
    topic: string,
    partition: number,
    topicId: Uint8Array,
    overrides: () => ReadonlyMap<string, string>,
  ): PartitionLog {
    const options = { topic, partition, topicId, config: () => this.#logConfig(overrides()) };
    try {
      return this.#logs.open(options);
    } catch (error) {
      if (!(error instanceof InconsistentTopicIdError)) throw error;
      this.world.log(`the log of ${topic}-${partition} belongs to another topic id: ${error.message}`);
      this.#logs.markStray(topic, partition);
      return this.#logs.open(options);
    }
  }

  #logConfig(overrides: ReadonlyMap<string, string>) {
    const value = (name: NumericTopicKey) => this.topicConfigs.number(name, overrides);
    return {
      segmentBytes: value("segment.bytes"),
      segmentMs: value("segment.ms"),
      indexIntervalBytes: value("index.interval.bytes"),
      flushMessages: value("flush.messages"),
      flushMs: value("flush.ms"),
      retentionMs: value("retention.ms"),
      retentionBytes: value("retention.bytes"),
      fileDeleteDelayMs: value("file.delete.delay.ms"),
      cleanupPolicyDelete: cleanupPolicyIncludes(
        this.topicConfigs.string("cleanup.policy", overrides),
        "delete",
      ),
    };
  }

  /**
   * Writes `log-start-offset-checkpoint` now (after DeleteRecords), so that a
   * crash does not bring deleted records back. Kafka waits for its periodic
   * checkpoint; writing at once costs one small file per request.
   */
  checkpointLogStartOffsets(): void {
    try {
      this.#logs.checkpointLogStartOffsets();
    } catch (error) {
      if (!isStorageFailure(error)) throw error;
      this.world.log(`cannot write the log start offset checkpoint: ${error.message}`);
    }
  }

  /** Flushes and closes every log (clean shutdown). */
  close(): void {
    this.#metadata.waiters.wakeAll();
    for (const timer of this.#replicationTimers) timer.cancel();
    this.#replicationTimers = [];
    this.replicaFetchers.close();
    if (this.#published) this.checkpointHighWatermarks();
    this.#cleanerTimer?.stop();
    this.cleaner.close();
    this.groups.close();
    this.appendWaiters.wakeAll();
    this.#logs.closeAll();
  }
}

/** A partition's state in the image as the role its replicas take. */
function roleOf(wanted: PartitionImage | null): PartitionRole {
  return {
    leader: wanted?.leader ?? -1,
    leaderEpoch: wanted?.leaderEpoch ?? -1,
    partitionEpoch: wanted?.partitionEpoch ?? -1,
    replicas: wanted?.replicas ?? [],
    isr: wanted?.isr ?? [],
    leaderRecoveryState: (wanted as { leaderRecoveryState?: number } | null)?.leaderRecoveryState,
  };
}
