/**
 * The effective value of a topic-level setting: the topic's own override, else
 * the broker's dynamic value of its synonym, else the broker's static value,
 * else Kafka's default. DescribeConfigs reports which of these applied.
 */
import type { BrokerConfig } from "./broker_config.ts";
import type { BrokerKey } from "./broker_configs.ts";
import { parseConfigValue } from "./config_types.ts";
import { type NumericTopicKey, TOPIC_CONFIGS, type TopicKey } from "./topic_configs.ts";

/** Where an effective value came from (DescribeConfigs ConfigSource codes). */
export const ConfigSource = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;

export interface ResolvedValue {
  value: string | null;
  source: number;
}

/** Broker-level values given in a derived form that topics see through their synonym. */
function staticBrokerValue(config: BrokerConfig, brokerKey: BrokerKey): string | null {
  if (brokerKey === "log.roll.ms") return String(config.logRollMs);
  if (brokerKey === "log.retention.ms") return String(config.logRetentionMs);
  if (brokerKey === "log.flush.interval.ms") return String(config.logFlushIntervalMs);
  if (!config.has(brokerKey)) return null;
  return config.given.get(brokerKey) ?? null;
}

export class TopicConfigResolver {
  constructor(
    private readonly config: BrokerConfig,
    private readonly dynamicBrokerConfigs: () => ReadonlyMap<string, string>,
  ) {}

  /** The effective string value of topic key `name` for a topic with `overrides`. */
  resolve(name: string, overrides: ReadonlyMap<string, string>): ResolvedValue {
    const override = overrides.get(name);
    if (override !== undefined) return { value: override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG };
    const definition = TOPIC_CONFIGS.get(name);
    if (!definition) return { value: null, source: ConfigSource.UNKNOWN };
    if (definition.brokerSynonym) {
      const dynamic = this.dynamicBrokerConfigs().get(definition.brokerSynonym);
      if (dynamic !== undefined) {
        return { value: dynamic, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG };
      }
      const fixed = staticBrokerValue(this.config, definition.brokerSynonym);
      const derived = ["log.roll.ms", "log.retention.ms", "log.flush.interval.ms"].includes(
        definition.brokerSynonym,
      );
      if (fixed !== null && (!derived || this.#derivedGiven(definition.brokerSynonym))) {
        return { value: fixed, source: ConfigSource.STATIC_BROKER_CONFIG };
      }
    }
    return { value: definition.defaultValue, source: ConfigSource.DEFAULT_CONFIG };
  }

  /** The effective typed value of a numeric or boolean topic key. */
  number(name: NumericTopicKey, overrides: ReadonlyMap<string, string>): number {
    const definition = TOPIC_CONFIGS.get(name)!;
    return parseConfigValue(definition, this.resolve(name, overrides).value ?? "0") as number;
  }

  string(name: TopicKey, overrides: ReadonlyMap<string, string>): string {
    return this.resolve(name, overrides).value ?? "";
  }

  #derivedGiven(brokerKey: BrokerKey): boolean {
    if (brokerKey === "log.roll.ms") {
      return this.config.has("log.roll.ms") || this.config.has("log.roll.hours");
    }
    if (brokerKey === "log.retention.ms") {
      return (["log.retention.ms", "log.retention.minutes", "log.retention.hours"] as const).some((key) =>
        this.config.has(key)
      );
    }
    return this.config.has("log.flush.interval.ms") || this.config.has("log.flush.scheduler.interval.ms");
  }
}
