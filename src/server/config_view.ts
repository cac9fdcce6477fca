/**
 * The effective configuration of a topic or of this broker, as DescribeConfigs and CreateTopics (v5+)
 * report it: this node's values handed to the pure builders of src/config/config_synonyms.ts.
 */
import {
  type BrokerConfigSources,
  describeBrokerConfigs,
  type DescribedConfig,
  describeTopicConfigs,
} from "../config/mod.ts";
import { ConfigResourceType } from "../metadata/mod.ts";
import type { NodeServices } from "./handler.ts";

export type ConfigEntry = DescribedConfig;

function sourcesOf(services: NodeServices): BrokerConfigSources {
  return {
    staticValues: services.settings.config.given,
    clusterDefaults: services.metadata.image.configsOf(ConfigResourceType.Broker, ""),
    perBroker: services.metadata.image.configsOf(ConfigResourceType.Broker, String(services.metadata.nodeId)),
  };
}

/** Every topic-level key of `topicName`, with its effective value. */
export function topicConfigEntries(services: NodeServices, topicName: string): ConfigEntry[] {
  const overrides = services.metadata.image.configsOf(ConfigResourceType.Topic, topicName);
  return describeTopicConfigs(
    sourcesOf(services),
    overrides,
    (name) => services.settings.topicConfigs.resolve(name, overrides).value,
  );
}

/** This broker's keys (`resourceName` its id), or the cluster-wide dynamic defaults (`resourceName` ""). */
export function brokerConfigEntries(services: NodeServices, resourceName: string): ConfigEntry[] {
  return describeBrokerConfigs(sourcesOf(services), resourceName !== "");
}
