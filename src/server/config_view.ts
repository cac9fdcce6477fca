/**
 * The effective configuration of a topic or of this broker, as
 * DescribeConfigs and CreateTopics (v5+) report it: value, source,
 * read-only and sensitive flags, and synonyms in Kafka's order of precedence.
 */
import { BROKER_CONFIGS } from "../config/broker_configs.ts";
import type { ConfigType } from "../config/config_types.ts";
import { ConfigSource } from "../config/topic_config_resolver.ts";
import { TOPIC_CONFIGS } from "../config/topic_configs.ts";
import { ConfigResourceType } from "../metadata/records.ts";
import type { Broker } from "./broker.ts";

export interface ConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  source: number;
  isSensitive: boolean;
  configType: number;
  synonyms: { name: string; value: string | null; source: number }[];
}

/** DescribeConfigs v3 configType codes. */
const CONFIG_TYPE_CODES: Record<ConfigType, number> = {
  boolean: 1,
  string: 2,
  int: 3,
  long: 5,
  double: 6,
  list: 7,
  class: 8,
  password: 9,
};

/** Every topic-level key of `topicName`, with its effective value. */
export function topicConfigEntries(broker: Broker, topicName: string): ConfigEntry[] {
  const overrides = broker.image.configsOf(ConfigResourceType.Topic, topicName);
  const entries: ConfigEntry[] = [];
  for (const definition of TOPIC_CONFIGS.values()) {
    const resolved = broker.topicConfigs.resolve(definition.name, overrides);
    const synonyms: ConfigEntry["synonyms"] = [];
    const override = overrides.get(definition.name);
    if (override !== undefined) {
      synonyms.push({ name: definition.name, value: override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    }
    if (definition.brokerSynonym) {
      const dynamic = broker.dynamicBrokerConfigs().get(definition.brokerSynonym);
      if (dynamic !== undefined) {
        synonyms.push({
          name: definition.brokerSynonym,
          value: dynamic,
          source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
        });
      }
      if (broker.config.has(definition.brokerSynonym)) {
        synonyms.push({
          name: definition.brokerSynonym,
          value: broker.config.given.get(definition.brokerSynonym) ?? null,
          source: ConfigSource.STATIC_BROKER_CONFIG,
        });
      }
    }
    synonyms.push({
      name: definition.name,
      value: definition.defaultValue,
      source: ConfigSource.DEFAULT_CONFIG,
    });
    entries.push({
      name: definition.name,
      value: resolved.value,
      readOnly: false,
      source: resolved.source,
      isSensitive: false,
      configType: CONFIG_TYPE_CODES[definition.type],
      synonyms,
    });
  }
  return entries;
}

/** Every broker key, with its effective value for this node. */
export function brokerConfigEntries(broker: Broker): ConfigEntry[] {
  const dynamic = broker.dynamicBrokerConfigs();
  const perBroker = broker.image.configsOf(ConfigResourceType.Broker, String(broker.nodeId));
  const entries: ConfigEntry[] = [];
  for (const definition of BROKER_CONFIGS.values()) {
    const synonyms: ConfigEntry["synonyms"] = [];
    let value: string | null = definition.defaultValue;
    let source: number = ConfigSource.DEFAULT_CONFIG;
    if (dynamic.has(definition.name)) {
      value = dynamic.get(definition.name)!;
      source = perBroker.has(definition.name)
        ? ConfigSource.DYNAMIC_BROKER_CONFIG
        : ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG;
      synonyms.push({ name: definition.name, value, source });
    } else if (broker.config.has(definition.name)) {
      value = broker.config.given.get(definition.name) ?? null;
      source = ConfigSource.STATIC_BROKER_CONFIG;
      synonyms.push({ name: definition.name, value, source });
    }
    if (definition.defaultValue !== null) {
      synonyms.push({
        name: definition.name,
        value: definition.defaultValue,
        source: ConfigSource.DEFAULT_CONFIG,
      });
    }
    const sensitive = definition.type === "password";
    entries.push({
      name: definition.name,
      value: sensitive ? null : value,
      readOnly: !definition.dynamic,
      source,
      isSensitive: sensitive,
      configType: CONFIG_TYPE_CODES[definition.type],
      synonyms,
    });
  }
  return entries;
}
