/**
 * The effective configuration of a topic or of this broker, as DescribeConfigs and CreateTopics (v5+)
 * report it: this node's values handed to the pure builders of src/config/config_synonyms.ts.
 */
import {
  type BrokerConfigSources,
  describeBrokerConfigs,
  describeTopicConfigs,
} from "../config/config_synonyms.ts";
import type { DescribedConfig } from "../config/config_synonyms.ts";
import { ConfigResourceType } from "../metadata/records.ts";
import type { Broker } from "./broker.ts";

export type ConfigEntry = DescribedConfig;

function sourcesOf(broker: Broker): BrokerConfigSources {
  return {
    staticValues: broker.config.given,
    clusterDefaults: broker.image.configsOf(ConfigResourceType.Broker, ""),
    perBroker: broker.image.configsOf(ConfigResourceType.Broker, String(broker.nodeId)),
  };
}

/** Every topic-level key of `topicName`, with its effective value. */
export function topicConfigEntries(broker: Broker, topicName: string): ConfigEntry[] {
  const overrides = broker.image.configsOf(ConfigResourceType.Topic, topicName);
  return describeTopicConfigs(
    sourcesOf(broker),
    overrides,
    (name) => broker.topicConfigs.resolve(name, overrides).value,
  );
}

/** This broker's keys (`resourceName` its id), or the cluster-wide dynamic defaults (`resourceName` ""). */
export function brokerConfigEntries(broker: Broker, resourceName: string): ConfigEntry[] {
  return describeBrokerConfigs(sourcesOf(broker), resourceName !== "");
}
