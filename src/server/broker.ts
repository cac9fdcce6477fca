/**
 * The broker's state: the metadata image and its log, the partitions this
 * node leads, producer ids, fetch sessions and long-poll waiters. Handlers
 * read and change the node only through this object.
 *
 * Every metadata change goes through `commit`: append to the metadata log
 * (synced), apply to the image, then open or remove partition logs to match.
 */
import type { BrokerConfig } from "../config/broker_config.ts";
import { TopicConfigResolver } from "../config/topic_config_resolver.ts";
import type { Clock, World } from "../io/types.ts";
import { cleanupPolicyIncludes, isStorageFailure, type LogManager } from "../log/mod.ts";
import { compactionConfigOf, LogCleaner, startCleanerTimer } from "../log/cleaner/mod.ts";
import {
  decideCreateTopic,
  decideProducerIdBlock,
  isRefusal,
  type PlacementContext,
  PRODUCER_ID_BLOCK_SIZE,
  type Refusal,
} from "../metadata/controller.ts";
import { MetadataImage } from "../metadata/image.ts";
import type { MetadataLog } from "../metadata/metadata_log.ts";
import { ConfigResourceType, type MetadataRecord, MetadataRecordType } from "../metadata/records.ts";
import { randomUuid, uuidToString } from "../metadata/uuid.ts";
import { ProducerIdManager } from "../txn/producer_ids.ts";
import { AppendWaiters } from "./append_waiters.ts";
import { FetchSessionCache } from "./fetch_sessions.ts";
import { GroupDriver } from "./group_driver.ts";
import type { ApiHandler } from "./handler.ts";
import { HANDLERS } from "./handlers/mod.ts";
import { Partition } from "./partition.ts";

export interface BrokerOptions {
  world: World;
  config: BrokerConfig;
  clusterId: string;
  metadataLog: MetadataLog;
  logs: LogManager;
}

export class Broker {
  readonly world: World;
  readonly config: BrokerConfig;
  readonly clock: Clock;
  readonly clusterId: string;
  readonly nodeId: number;
  readonly image = new MetadataImage();
  readonly topicConfigs: TopicConfigResolver;
  readonly producerIds: ProducerIdManager;
  readonly fetchSessions: FetchSessionCache;
  readonly appendWaiters: AppendWaiters;
  /** The consumer group coordinator (started by the node after `load`). */
  readonly groups: GroupDriver;
  /** Compacts the logs of topics whose cleanup.policy has "compact" (__consumer_offsets among them). */
  readonly cleaner: LogCleaner;
  #cleanerTimer: { stop(): void } | null = null;
  readonly #metadataLog: MetadataLog;
  readonly #logs: LogManager;
  /** Partitions led here, by "topic:partition". */
  readonly #partitions = new Map<string, Partition>();

  constructor(options: BrokerOptions) {
    this.world = options.world;
    this.config = options.config;
    this.clock = options.world.clock;
    this.clusterId = options.clusterId;
    this.nodeId = options.config.nodeId;
    this.#metadataLog = options.metadataLog;
    this.#logs = options.logs;
    this.topicConfigs = new TopicConfigResolver(options.config, () => this.dynamicBrokerConfigs());
    this.fetchSessions = new FetchSessionCache(
      options.config.int("max.incremental.fetch.session.cache.slots"),
    );
    this.appendWaiters = new AppendWaiters(this.clock);
    this.producerIds = new ProducerIdManager({
      reserveBlock: () => {
        const block = decideProducerIdBlock(this.image, this.nodeId);
        this.commit(block.records);
        return { firstId: block.firstId, size: PRODUCER_ID_BLOCK_SIZE };
      },
    });
    this.groups = new GroupDriver(this, options.logs);
    this.cleaner = new LogCleaner({
      disk: options.world.disk,
      clock: this.clock,
      logDirectory: options.logs.directory,
      dedupeBufferBytes: options.config.int("log.cleaner.dedupe.buffer.size"),
      log: options.world.log,
    });
  }

  /** Rebuilds the image from the metadata log, then opens the partitions it assigns here. */
  load(): void {
    for (const record of this.#metadataLog.replay()) this.image.apply(record);
    for (const topic of this.image.topicsByName.values()) {
      for (const partition of topic.partitions) {
        if (partition && partition.leader === this.nodeId) {
          this.#openPartition(topic.name, partition.partition);
        }
      }
    }
    if (this.config.bool("log.cleaner.enable")) {
      this.#cleanerTimer = startCleanerTimer({
        clock: this.clock,
        cleaner: this.cleaner,
        backoffMs: this.config.int("log.cleaner.backoff.ms"),
        log: this.world.log,
      });
    }
  }

  handlers(): readonly ApiHandler[] {
    return HANDLERS;
  }

  /** Makes a metadata change durable, applies it, and updates the partitions to match. */
  commit(records: MetadataRecord[]): void {
    this.#metadataLog.append(records);
    for (const record of records) {
      const removed = record.type === MetadataRecordType.RemoveTopic
        ? this.image.topicsById.get(uuidToString(record.topicId))
        : undefined;
      this.image.apply(record);
      if (record.type === MetadataRecordType.Partition && record.leader === this.nodeId) {
        const topic = this.image.topicsById.get(uuidToString(record.topicId))!;
        this.#openPartition(topic.name, record.partitionId);
      }
      if (removed) {
        this.#removeTopicPartitions(removed.name, removed.partitions.length);
        this.groups.onTopicDeleted(removed.name, removed.partitions.length);
      }
    }
  }

  /** Creates a topic with the broker's defaults (auto-creation); a refusal explains why not. */
  autoCreateTopic(name: string): Refusal | null {
    const decision = decideCreateTopic(this.image, {
      name,
      numPartitions: -1,
      replicationFactor: -1,
      assignments: [],
      configs: [],
    }, this.placementContext());
    if (isRefusal(decision)) return decision;
    this.commit(decision.records);
    return null;
  }

  placementContext(): PlacementContext {
    return {
      defaultPartitions: this.#dynamicInt("num.partitions"),
      defaultReplicationFactor: this.config.int("default.replication.factor"),
      brokerIds: [this.nodeId],
      newTopicId: () => randomUuid(this.world.random),
    };
  }

  partition(topic: string, index: number): Partition | undefined {
    return this.#partitions.get(`${topic}:${index}`);
  }

  /** Brokers as Metadata lists them: this node at its advertised address. */
  brokerEndpoints(): { nodeId: number; host: string; port: number; rack: string | null }[] {
    const listener = this.config.advertisedListeners[0]!;
    return [{
      nodeId: this.nodeId,
      host: listener.host,
      port: listener.port,
      rack: this.config.string("broker.rack"),
    }];
  }

  /** Dynamic broker configs: cluster-wide defaults overlaid by this node's own. */
  dynamicBrokerConfigs(): ReadonlyMap<string, string> {
    const merged = new Map(this.image.configsOf(ConfigResourceType.Broker, ""));
    for (const [key, value] of this.image.configsOf(ConfigResourceType.Broker, String(this.nodeId))) {
      merged.set(key, value);
    }
    return merged;
  }

  #dynamicInt(key: string): number {
    const dynamic = this.dynamicBrokerConfigs().get(key);
    return dynamic !== undefined ? Number(dynamic) : this.config.int(key);
  }

  #openPartition(topicName: string, index: number): void {
    const key = `${topicName}:${index}`;
    if (this.#partitions.has(key)) return;
    const topic = this.image.topicsByName.get(topicName)!;
    const overrides = () => this.image.configsOf(ConfigResourceType.Topic, topicName);
    const log = this.#logs.open({
      topic: topicName,
      partition: index,
      topicId: topic.topicId,
      config: () => this.#logConfig(overrides()),
    });
    this.cleaner.register(log, {
      config: () =>
        compactionConfigOf({
          number: (name) => this.topicConfigs.number(name, overrides()),
          string: (name) => this.topicConfigs.string(name, overrides()),
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
        onAppend: (partitionKey) => this.appendWaiters.notify(partitionKey),
      }),
    );
  }

  #logConfig(overrides: ReadonlyMap<string, string>) {
    const value = (name: string) => this.topicConfigs.number(name, overrides);
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

  #removeTopicPartitions(topicName: string, count: number): void {
    for (let index = 0; index < count; index++) {
      const key = `${topicName}:${index}`;
      const partition = this.#partitions.get(key);
      if (!partition) continue;
      this.#partitions.delete(key);
      this.cleaner.unregister(partition.log, true);
      this.#logs.remove(partition.log);
    }
  }

  /** Flushes and closes every log (clean shutdown). */
  close(): void {
    this.#cleanerTimer?.stop();
    this.cleaner.close();
    this.groups.close();
    this.appendWaiters.wakeAll();
    this.#logs.closeAll();
  }
}
