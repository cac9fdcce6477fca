/**
 * Topic-level configuration keys, each with the broker key that supplies its
 * default (Kafka's "synonym"), as DescribeConfigs reports them.
 */
import type { ConfigDefinition } from "./config_types.ts";

export interface TopicConfigDefinition extends ConfigDefinition {
  /** The broker key whose value is the default, if any. */
  brokerSynonym?: string;
}

const LONG_MAX = "9223372036854775807";

const definitions: TopicConfigDefinition[] = [
  {
    name: "cleanup.policy",
    type: "list",
    defaultValue: "delete",
    oneOf: ["delete", "compact"],
    brokerSynonym: "log.cleanup.policy",
  },
  {
    name: "compression.type",
    type: "string",
    defaultValue: "producer",
    oneOf: ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"],
    brokerSynonym: "compression.type",
  },
  {
    name: "delete.retention.ms",
    type: "long",
    defaultValue: "86400000",
    min: 0,
    brokerSynonym: "log.cleaner.delete.retention.ms",
  },
  {
    name: "file.delete.delay.ms",
    type: "long",
    defaultValue: "60000",
    min: 0,
    brokerSynonym: "log.segment.delete.delay.ms",
  },
  {
    name: "flush.messages",
    type: "long",
    defaultValue: LONG_MAX,
    min: 1,
    brokerSynonym: "log.flush.interval.messages",
  },
  { name: "flush.ms", type: "long", defaultValue: LONG_MAX, min: 0, brokerSynonym: "log.flush.interval.ms" },
  {
    name: "index.interval.bytes",
    type: "int",
    defaultValue: "4096",
    min: 0,
    brokerSynonym: "log.index.interval.bytes",
  },
  {
    name: "max.compaction.lag.ms",
    type: "long",
    defaultValue: LONG_MAX,
    min: 1,
    brokerSynonym: "log.cleaner.max.compaction.lag.ms",
  },
  {
    name: "max.message.bytes",
    type: "int",
    defaultValue: "1048588",
    min: 0,
    brokerSynonym: "message.max.bytes",
  },
  {
    name: "message.downconversion.enable",
    type: "boolean",
    defaultValue: "true",
    brokerSynonym: "log.message.downconversion.enable",
  },
  {
    name: "message.timestamp.type",
    type: "string",
    defaultValue: "CreateTime",
    oneOf: ["CreateTime", "LogAppendTime"],
    brokerSynonym: "log.message.timestamp.type",
  },
  {
    name: "message.timestamp.before.max.ms",
    type: "long",
    defaultValue: LONG_MAX,
    min: 0,
    brokerSynonym: "log.message.timestamp.before.max.ms",
  },
  {
    name: "message.timestamp.after.max.ms",
    type: "long",
    defaultValue: "3600000",
    min: 0,
    brokerSynonym: "log.message.timestamp.after.max.ms",
  },
  {
    name: "message.timestamp.difference.max.ms",
    type: "long",
    defaultValue: LONG_MAX,
    min: 0,
    brokerSynonym: "log.message.timestamp.difference.max.ms",
  },
  {
    name: "min.cleanable.dirty.ratio",
    type: "double",
    defaultValue: "0.5",
    min: 0,
    max: 1,
    brokerSynonym: "log.cleaner.min.cleanable.ratio",
  },
  {
    name: "min.compaction.lag.ms",
    type: "long",
    defaultValue: "0",
    min: 0,
    brokerSynonym: "log.cleaner.min.compaction.lag.ms",
  },
  {
    name: "min.insync.replicas",
    type: "int",
    defaultValue: "1",
    min: 1,
    brokerSynonym: "min.insync.replicas",
  },
  { name: "preallocate", type: "boolean", defaultValue: "false", brokerSynonym: "log.preallocate" },
  { name: "retention.bytes", type: "long", defaultValue: "-1", brokerSynonym: "log.retention.bytes" },
  {
    name: "retention.ms",
    type: "long",
    defaultValue: "604800000",
    min: -1,
    brokerSynonym: "log.retention.ms",
  },
  {
    name: "segment.bytes",
    type: "int",
    defaultValue: "1073741824",
    min: 14,
    brokerSynonym: "log.segment.bytes",
  },
  {
    name: "segment.index.bytes",
    type: "int",
    defaultValue: "10485760",
    min: 4,
    brokerSynonym: "log.index.size.max.bytes",
  },
  { name: "segment.jitter.ms", type: "long", defaultValue: "0", min: 0, brokerSynonym: "log.roll.jitter.ms" },
  { name: "segment.ms", type: "long", defaultValue: "604800000", min: 1, brokerSynonym: "log.roll.ms" },
  {
    name: "unclean.leader.election.enable",
    type: "boolean",
    defaultValue: "false",
    brokerSynonym: "unclean.leader.election.enable",
  },
];

/** Every topic-level key, by name. */
export const TOPIC_CONFIGS: ReadonlyMap<string, TopicConfigDefinition> = new Map(
  definitions.map((definition) => [definition.name, definition]),
);
