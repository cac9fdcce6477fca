/**
 * Kafka's broker and topic settings: the config tables with their types, defaults and update modes, parsing
 * and validation, the typed BrokerConfig, topic settings resolved through their broker synonyms, and how
 * DescribeConfigs names values and synonyms.
 *
 * This file is the folder's public face: other folders import from it, not from its files.
 */
export { inertKeyWarning } from "./acted_on.ts";
export { BrokerConfig, type ListenerConfig } from "./broker_config.ts";
export { BROKER_CONFIGS, type BrokerKeyOfType } from "./broker_configs.ts";
export { parseArguments } from "./command_line.ts";
export {
  type BrokerConfigSources,
  describeBrokerConfigs,
  type DescribedConfig,
  describeTopicConfigs,
} from "./config_synonyms.ts";
export { ConfigError, isDynamic, parseConfigValue } from "./config_types.ts";
export {
  type BootstrapServer,
  type DynamicQuorumConfig,
  parseBootstrapServers,
  type QuorumConfig,
  quorumConfigOf,
  type VoterAddress,
} from "./quorum_config.ts";
export { ConfigSource, TopicConfigResolver } from "./topic_config_resolver.ts";
export { type NumericTopicKey, TOPIC_CONFIGS, type TopicKey } from "./topic_configs.ts";
