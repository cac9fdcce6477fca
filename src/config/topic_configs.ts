/**
 * Kafka 4.0's topic-level settings, each with the broker key that supplies its default when the topic has
 * no override (Kafka's "synonym"; segment.ms falls back to log.roll.ms, then log.roll.hours, and so on:
 * see brokerSynonymsOf in config_synonyms.ts). Names, types, defaults and bounds are Kafka's; the table is
 * Dafka's own. Keys Kafka 4 removed (message.format.version, message.downconversion.enable,
 * message.timestamp.difference.max.ms) are unknown here, so AlterConfigs refuses them as Kafka 4 does.
 * `segment.bytes` keeps the minimum of 14 bytes from before Kafka 4.0 (see broker_configs_log.ts).
 */
import { type ConfigDefinition, type ConfigType, definitionsOf, type SettingSpec } from "./config_types.ts";
import type { BrokerKey } from "./broker_configs.ts";

export interface TopicSettingSpec extends SettingSpec {
  /** The broker key whose value is the default, if any. */
  brokerSynonym?: BrokerKey;
}

/** The table, keyed by setting name. */
export const TOPIC_SETTINGS = {
  "segment.bytes": { type: "int", default: "1073741824", min: 14, brokerSynonym: "log.segment.bytes" },
  "segment.ms": { type: "long", default: "604800000", min: 1, brokerSynonym: "log.roll.ms" },
  "segment.jitter.ms": { type: "long", default: "0", min: 0, brokerSynonym: "log.roll.jitter.ms" },
  "segment.index.bytes": {
    type: "int",
    default: "10485760",
    min: 4,
    brokerSynonym: "log.index.size.max.bytes",
  },
  "flush.messages": {
    type: "long",
    default: "9223372036854775807",
    min: 1,
    brokerSynonym: "log.flush.interval.messages",
  },
  "flush.ms": {
    type: "long",
    default: "9223372036854775807",
    min: 0,
    brokerSynonym: "log.flush.interval.ms",
  },
  "retention.bytes": { type: "long", default: "-1", brokerSynonym: "log.retention.bytes" },
  "retention.ms": { type: "long", default: "604800000", min: -1, brokerSynonym: "log.retention.ms" },
  "max.message.bytes": { type: "int", default: "1048588", min: 0, brokerSynonym: "message.max.bytes" },
  "index.interval.bytes": { type: "int", default: "4096", min: 0, brokerSynonym: "log.index.interval.bytes" },
  "delete.retention.ms": {
    type: "long",
    default: "86400000",
    min: 0,
    brokerSynonym: "log.cleaner.delete.retention.ms",
  },
  "min.compaction.lag.ms": {
    type: "long",
    default: "0",
    min: 0,
    brokerSynonym: "log.cleaner.min.compaction.lag.ms",
  },
  "max.compaction.lag.ms": {
    type: "long",
    default: "9223372036854775807",
    min: 1,
    brokerSynonym: "log.cleaner.max.compaction.lag.ms",
  },
  "file.delete.delay.ms": {
    type: "long",
    default: "60000",
    min: 0,
    brokerSynonym: "log.segment.delete.delay.ms",
  },
  "min.cleanable.dirty.ratio": {
    type: "double",
    default: "0.5",
    min: 0,
    max: 1,
    brokerSynonym: "log.cleaner.min.cleanable.ratio",
  },
  "cleanup.policy": {
    type: "list",
    default: "delete",
    oneOf: ["compact", "delete"],
    brokerSynonym: "log.cleanup.policy",
  },
  "unclean.leader.election.enable": {
    type: "boolean",
    default: "false",
    brokerSynonym: "unclean.leader.election.enable",
  },
  "min.insync.replicas": { type: "int", default: "1", min: 1, brokerSynonym: "min.insync.replicas" },
  "compression.type": {
    type: "string",
    default: "producer",
    oneOf: ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"],
    brokerSynonym: "compression.type",
  },
  "compression.gzip.level": {
    type: "int",
    default: "-1",
    min: -1,
    max: 9,
    brokerSynonym: "compression.gzip.level",
  },
  "compression.lz4.level": {
    type: "int",
    default: "9",
    min: 1,
    max: 17,
    brokerSynonym: "compression.lz4.level",
  },
  "compression.zstd.level": {
    type: "int",
    default: "3",
    min: -131072,
    max: 22,
    brokerSynonym: "compression.zstd.level",
  },
  "preallocate": { type: "boolean", default: "false", brokerSynonym: "log.preallocate" },
  "message.timestamp.type": {
    type: "string",
    default: "CreateTime",
    oneOf: ["CreateTime", "LogAppendTime"],
    brokerSynonym: "log.message.timestamp.type",
  },
  "message.timestamp.before.max.ms": {
    type: "long",
    default: "9223372036854775807",
    min: 0,
    brokerSynonym: "log.message.timestamp.before.max.ms",
  },
  "message.timestamp.after.max.ms": {
    type: "long",
    default: "3600000",
    min: 0,
    brokerSynonym: "log.message.timestamp.after.max.ms",
  },
  "leader.replication.throttled.replicas": { type: "list", default: "", check: "throttledReplicas" },
  "follower.replication.throttled.replicas": { type: "list", default: "", check: "throttledReplicas" },
  "remote.storage.enable": { type: "boolean", default: "false" },
  "local.retention.ms": { type: "long", default: "-2", min: -2, brokerSynonym: "log.local.retention.ms" },
  "local.retention.bytes": {
    type: "long",
    default: "-2",
    min: -2,
    brokerSynonym: "log.local.retention.bytes",
  },
  "remote.log.copy.disable": { type: "boolean", default: "false" },
  "remote.log.delete.on.disable": { type: "boolean", default: "false" },
} as const satisfies Readonly<Record<string, TopicSettingSpec>>;

/** The name of a topic setting. */
export type TopicKey = keyof typeof TOPIC_SETTINGS;

/** The topic keys whose type is one of `T`. */
export type TopicKeyOfType<T extends ConfigType> = {
  [K in TopicKey]: (typeof TOPIC_SETTINGS)[K]["type"] extends T ? K : never;
}[TopicKey];

/** The topic keys whose value is a number. */
export type NumericTopicKey = TopicKeyOfType<"int" | "short" | "long" | "double">;

export interface TopicConfigDefinition extends ConfigDefinition {
  brokerSynonym?: BrokerKey;
}

/** Every topic-level key, by name. */
export const TOPIC_CONFIGS: ReadonlyMap<string, TopicConfigDefinition> = definitionsOf(TOPIC_SETTINGS);
