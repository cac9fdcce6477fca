/**
 * Every broker key of Kafka 4.0, by name, merged from the tables by area. `BrokerKey` is the union of
 * their names, so a misspelt key does not compile where code reads a setting (BrokerConfig.int and the
 * like); keys that arrive at runtime (server.properties, AlterConfigs) are looked up in BROKER_CONFIGS.
 */
import { type ConfigDefinition, type ConfigType, definitionsOf } from "./config_types.ts";
import { COORDINATOR_SETTINGS } from "./broker_configs_coordinators.ts";
import { DAFKA_SETTINGS } from "./broker_configs_dafka.ts";
import { LOG_SETTINGS } from "./broker_configs_log.ts";
import { SECURITY_SETTINGS } from "./broker_configs_security.ts";
import { SERVER_SETTINGS } from "./broker_configs_server.ts";

export const BROKER_SETTINGS = {
  ...SERVER_SETTINGS,
  ...LOG_SETTINGS,
  ...COORDINATOR_SETTINGS,
  ...SECURITY_SETTINGS,
  ...DAFKA_SETTINGS,
} as const;

/** The name of a broker setting. */
export type BrokerKey = keyof typeof BROKER_SETTINGS;

/** The broker keys whose type is one of `T`. */
export type BrokerKeyOfType<T extends ConfigType> = {
  [K in BrokerKey]: (typeof BROKER_SETTINGS)[K]["type"] extends T ? K : never;
}[BrokerKey];

/**
 * Lower bounds Dafka adds to keys it acts on where Kafka has none, because a zero or negative value would
 * stall a loop or a timer (Kafka fails later on most of them: a zero log.roll.ms becomes an invalid
 * segment.ms). A value below one stops start-up with the usual `Invalid value` message.
 */
const DAFKA_MINIMUMS: Readonly<Partial<Record<BrokerKey, number>>> = {
  "controller.quorum.election.timeout.ms": 1,
  "controller.quorum.election.backoff.max.ms": 1,
  "controller.quorum.fetch.timeout.ms": 1,
  "controller.quorum.request.timeout.ms": 1,
  "controller.quorum.retry.backoff.ms": 0,
  "broker.session.timeout.ms": 1,
  "broker.heartbeat.interval.ms": 1,
  "default.replication.factor": 1,
  "log.roll.ms": 1,
  "log.flush.interval.ms": 0,
  "log.cleaner.dedupe.buffer.size": 1048576,
  "offset.metadata.max.bytes": 0,
  "group.initial.rebalance.delay.ms": 0,
};

function withDafkaMinimums(definitions: Map<string, ConfigDefinition>): Map<string, ConfigDefinition> {
  for (const [name, min] of Object.entries(DAFKA_MINIMUMS)) {
    definitions.set(name, { ...definitions.get(name)!, min });
  }
  return definitions;
}

/** Every known broker key, by name. */
export const BROKER_CONFIGS: ReadonlyMap<string, ConfigDefinition> = withDafkaMinimums(
  definitionsOf(BROKER_SETTINGS),
);

/** Whether `key` names a broker setting (narrows a runtime string to BrokerKey). */
export function isBrokerKey(key: string): key is BrokerKey {
  return BROKER_CONFIGS.has(key);
}
