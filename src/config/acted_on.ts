/**
 * The settings Dafka acts on today. Every other key of Kafka's tables is accepted, validated, stored
 * (server.properties, AlterConfigs, CreateTopics) and reported by DescribeConfigs, but has no effect yet;
 * the node warns once at start for such a key given in server.properties, and once per change made
 * through AlterConfigs or IncrementalAlterConfigs (where only BROKER_KEYS_ACTED_ON_DYNAMICALLY count).
 * docs/configuration.md lists the same keys.
 */
import { BROKER_CONFIGS, type BrokerKey } from "./broker_configs.ts";
import { TOPIC_CONFIGS, type TopicKey } from "./topic_configs.ts";

export const BROKER_KEYS_ACTED_ON: ReadonlySet<BrokerKey> = new Set<BrokerKey>([
  // Identity, roles, listeners and the metadata quorum.
  "node.id",
  "broker.id",
  "process.roles",
  "listeners",
  "advertised.listeners",
  "listener.security.protocol.map",
  "controller.listener.names",
  "controller.quorum.voters",
  "controller.quorum.bootstrap.servers",
  "controller.quorum.election.timeout.ms",
  "controller.quorum.election.backoff.max.ms",
  "controller.quorum.fetch.timeout.ms",
  "controller.quorum.request.timeout.ms",
  "controller.quorum.retry.backoff.ms",
  "broker.session.timeout.ms",
  "broker.heartbeat.interval.ms",
  "broker.rack",
  "metadata.log.dir",
  "metadata.log.segment.bytes",
  "metadata.log.max.record.bytes.between.snapshots",
  "socket.request.max.bytes",
  // Topics and logs.
  "log.dirs",
  "log.dir",
  "num.partitions",
  "default.replication.factor",
  "unclean.leader.election.enable",
  "auto.leader.rebalance.enable",
  "leader.imbalance.check.interval.seconds",
  "auto.create.topics.enable",
  "delete.topic.enable",
  "message.max.bytes",
  "log.segment.bytes",
  "log.roll.ms",
  "log.roll.hours",
  "log.index.interval.bytes",
  "log.flush.interval.messages",
  "log.flush.interval.ms",
  "log.flush.scheduler.interval.ms",
  "log.flush.offset.checkpoint.interval.ms",
  "log.retention.ms",
  "log.retention.minutes",
  "log.retention.hours",
  "log.retention.bytes",
  "log.retention.check.interval.ms",
  "log.segment.delete.delay.ms",
  "log.cleanup.policy",
  "log.message.timestamp.type",
  "log.message.timestamp.before.max.ms",
  "log.message.timestamp.after.max.ms",
  "log.cleaner.enable",
  "log.cleaner.dedupe.buffer.size",
  "log.cleaner.backoff.ms",
  "log.cleaner.delete.retention.ms",
  "log.cleaner.min.compaction.lag.ms",
  "log.cleaner.max.compaction.lag.ms",
  "log.cleaner.min.cleanable.ratio",
  "max.incremental.fetch.session.cache.slots",
  // Replication.
  "min.insync.replicas",
  "replica.lag.time.max.ms",
  "replica.socket.timeout.ms",
  "replica.fetch.max.bytes",
  "replica.fetch.wait.max.ms",
  "replica.fetch.backoff.ms",
  "replica.fetch.min.bytes",
  "replica.fetch.response.max.bytes",
  "replica.high.watermark.checkpoint.interval.ms",
  "inter.broker.listener.name",
  "max.request.partition.size.limit",
  // Fetch from follower (KIP-392).
  "replica.selector.class",
  // Consumer groups.
  "offsets.topic.num.partitions",
  "offsets.topic.replication.factor",
  "offsets.topic.segment.bytes",
  "offsets.commit.timeout.ms",
  "offsets.retention.minutes",
  "offsets.retention.check.interval.ms",
  "offset.metadata.max.bytes",
  "group.initial.rebalance.delay.ms",
  "group.min.session.timeout.ms",
  "group.max.session.timeout.ms",
  "group.max.size",
  "group.coordinator.rebalance.protocols",
  "group.consumer.session.timeout.ms",
  "group.consumer.heartbeat.interval.ms",
  "group.consumer.assignors",
  "group.consumer.max.size",
]);

export const TOPIC_KEYS_ACTED_ON: ReadonlySet<TopicKey> = new Set<TopicKey>([
  "cleanup.policy",
  "segment.bytes",
  "segment.ms",
  "index.interval.bytes",
  "flush.messages",
  "flush.ms",
  "retention.ms",
  "retention.bytes",
  "file.delete.delay.ms",
  "max.message.bytes",
  "message.timestamp.type",
  "message.timestamp.before.max.ms",
  "message.timestamp.after.max.ms",
  "delete.retention.ms",
  "min.compaction.lag.ms",
  "max.compaction.lag.ms",
  "min.cleanable.dirty.ratio",
  "unclean.leader.election.enable",
  "min.insync.replicas",
]);

/**
 * The broker keys whose dynamic value (AlterConfigs) takes effect at once: the defaults of the topic keys
 * Dafka acts on, which every partition reads through its topic's configuration. Other broker keys are read
 * from server.properties at start only.
 */
export const BROKER_KEYS_ACTED_ON_DYNAMICALLY: ReadonlySet<BrokerKey> = new Set(
  [...TOPIC_CONFIGS.values()].filter((definition) => TOPIC_KEYS_ACTED_ON.has(definition.name as TopicKey))
    .flatMap((definition) => definition.brokerSynonym ? [definition.brokerSynonym] : []),
);

/**
 * The warning for a known key Dafka does not act on, or null when it does (or the key is not Kafka's).
 * `dynamic`: the key was changed at runtime, where fewer broker keys take effect.
 */
export function inertKeyWarning(
  scope: "broker" | "topic",
  key: string,
  where: string,
  dynamic = false,
): string | null {
  const actedOn: ReadonlySet<string> = scope === "topic"
    ? TOPIC_KEYS_ACTED_ON
    : dynamic
    ? BROKER_KEYS_ACTED_ON_DYNAMICALLY
    : BROKER_KEYS_ACTED_ON;
  const known = scope === "broker" ? BROKER_CONFIGS : TOPIC_CONFIGS;
  if (actedOn.has(key) || !known.has(key)) return null;
  return `The ${scope} configuration '${key}' (${where}) is Kafka's but Dafka does not act on it yet: ` +
    "it is stored and reported, without effect.";
}
