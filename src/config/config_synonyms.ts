/**
 * DescribeConfigs' entries as Kafka builds them: each value with its source, read-only and sensitive flags,
 * type, and synonyms in the order of precedence (per-broker dynamic, cluster-wide dynamic, static
 * server.properties, Kafka's default). A topic key's synonyms are named after the broker keys that
 * supply its default (`log.retention.ms`, `log.retention.minutes`, ...), after its own override if any;
 * a broker key with no default gives no default synonym. Pure: the caller passes the values it holds.
 */
import { BROKER_CONFIGS } from "./broker_configs.ts";
import { type ConfigDefinition, type ConfigType, isDynamic, parseConfigValue } from "./config_types.ts";
import { ConfigSource } from "./topic_config_resolver.ts";
import { TOPIC_CONFIGS } from "./topic_configs.ts";

/** The broker values a node holds, by where they came from. */
export interface BrokerConfigSources {
  /** server.properties and --override values, as given. */
  staticValues: ReadonlyMap<string, string>;
  /** Dynamic cluster-wide defaults (broker resource ""). */
  clusterDefaults: ReadonlyMap<string, string>;
  /** This broker's own dynamic values (broker resource "<node id>"). */
  perBroker: ReadonlyMap<string, string>;
}

export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: number;
}

export interface DescribedConfig {
  name: string;
  value: string | null;
  readOnly: boolean;
  source: number;
  isSensitive: boolean;
  configType: number;
  synonyms: ConfigSynonym[];
}

/** DescribeConfigs v3 configType codes. */
const CONFIG_TYPE_CODES: Record<ConfigType, number> = {
  boolean: 1,
  string: 2,
  int: 3,
  short: 4,
  long: 5,
  double: 6,
  list: 7,
  class: 8,
  password: 9,
};
const UNKNOWN_TYPE = 0;

/** A per-listener override (`listener.name.<listener>.<key>`) and the key it overrides. */
const LISTENER_OVERRIDE = /^listener\.name\.[^.]*\.(.*)$/;

/**
 * The broker keys that set the same value, highest precedence first (Kafka's brokerConfigSynonyms):
 * a time in ms, minutes or hours, a listener's override and the base key.
 */
export function brokerSynonymsOf(name: string): string[] {
  switch (name) {
    case "log.roll.ms":
    case "log.roll.hours":
      return ["log.roll.ms", "log.roll.hours"];
    case "log.roll.jitter.ms":
    case "log.roll.jitter.hours":
      return ["log.roll.jitter.ms", "log.roll.jitter.hours"];
    case "log.flush.interval.ms":
      return ["log.flush.interval.ms", "log.flush.scheduler.interval.ms"];
    case "log.retention.ms":
    case "log.retention.minutes":
    case "log.retention.hours":
      return ["log.retention.ms", "log.retention.minutes", "log.retention.hours"];
  }
  const override = LISTENER_OVERRIDE.exec(name);
  return override ? [name, override[1]!] : [name];
}

/** Kafka's DynamicBrokerConfig.isPasswordConfig, and unknown keys, whose type Kafka cannot tell. */
function isSensitive(definition: ConfigDefinition | undefined): boolean {
  return definition === undefined || definition.type === "password";
}

/**
 * The synonyms of broker key `name`: every one of `names` found per-broker, then cluster-wide, then
 * static, then as a non-null default; leading entries for other keys (a listener override when the base
 * key is described, the minutes or hours behind an unset log.retention.ms) are dropped, as in Kafka.
 */
function synonymsOf(
  sources: BrokerConfigSources,
  name: string,
  names: readonly string[],
  sensitive: boolean,
): ConfigSynonym[] {
  const defaults = new Map<string, string>();
  for (const each of names) {
    const defaultValue = BROKER_CONFIGS.get(each)?.defaultValue;
    if (defaultValue !== undefined && defaultValue !== null) defaults.set(each, defaultValue);
  }
  const levels: [ReadonlyMap<string, string>, number][] = [
    [sources.perBroker, ConfigSource.DYNAMIC_BROKER_CONFIG],
    [sources.clusterDefaults, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
    [sources.staticValues, ConfigSource.STATIC_BROKER_CONFIG],
    [defaults, ConfigSource.DEFAULT_CONFIG],
  ];
  const all: ConfigSynonym[] = [];
  for (const [values, source] of levels) {
    for (const each of names) {
      const value = values.get(each);
      if (value !== undefined) all.push({ name: each, value: sensitive ? null : value, source });
    }
  }
  const first = all.findIndex((synonym) => synonym.name === name);
  return first < 0 ? [] : all.slice(first);
}

/** The keys a broker resource lists: every known, non-internal key, and every key given or set. */
function describedBrokerKeys(sources: BrokerConfigSources): string[] {
  const names = new Set<string>();
  for (const definition of BROKER_CONFIGS.values()) {
    if (!definition.internal && !definition.dynamicOnly) names.add(definition.name);
  }
  for (const values of [sources.staticValues, sources.clusterDefaults, sources.perBroker]) {
    for (const name of values.keys()) names.add(name);
  }
  return [...names];
}

function brokerEntry(sources: BrokerConfigSources, name: string, synonyms: ConfigSynonym[]): DescribedConfig {
  const definition = BROKER_CONFIGS.get(name);
  const sensitive = isSensitive(definition);
  const value = sources.perBroker.get(name) ?? sources.clusterDefaults.get(name) ??
    sources.staticValues.get(name) ?? definition?.defaultValue ?? null;
  return {
    name,
    value: sensitive ? null : value,
    readOnly: definition === undefined || !isDynamic(definition),
    source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
    isSensitive: sensitive,
    configType: definition ? CONFIG_TYPE_CODES[definition.type] : UNKNOWN_TYPE,
    synonyms,
  };
}

/**
 * A broker resource's entries: for one broker (`perBrokerResource`) every key with its effective value;
 * for the cluster default (resource "") only the keys set there, with their cluster-wide synonyms.
 */
export function describeBrokerConfigs(
  sources: BrokerConfigSources,
  perBrokerResource: boolean,
): DescribedConfig[] {
  const names = perBrokerResource ? describedBrokerKeys(sources) : [...sources.clusterDefaults.keys()];
  return names.map((name) => {
    const synonyms = synonymsOf(sources, name, brokerSynonymsOf(name), isSensitive(BROKER_CONFIGS.get(name)))
      .filter((synonym) =>
        perBrokerResource || synonym.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG
      );
    const entry = brokerEntry(sources, name, synonyms);
    if (!perBrokerResource) entry.value = entry.isSensitive ? null : sources.clusterDefaults.get(name)!;
    return entry;
  });
}

/**
 * A topic value as Kafka prints it from its parsed form: lists joined by commas without spaces, booleans in
 * lower case. Numbers keep their text (Long.MAX_VALUE stays itself).
 */
function asKafkaPrints(definition: ConfigDefinition, value: string | null): string | null {
  if (value === null) return null;
  try {
    if (definition.type === "list") return (parseConfigValue(definition, value) as string[]).join(",");
    if (definition.type === "boolean") return String(parseConfigValue(definition, value));
  } catch {
    // A stored value that no longer parses (written by another version) is shown as stored.
  }
  return value.trim();
}

/**
 * A topic's entries: every topic key with its effective value (`effective`, from the topic's override or
 * the broker), synonyms its own override then its broker keys'.
 */
export function describeTopicConfigs(
  sources: BrokerConfigSources,
  overrides: ReadonlyMap<string, string>,
  effective: (name: string) => string | null,
): DescribedConfig[] {
  const entries: DescribedConfig[] = [];
  for (const definition of TOPIC_CONFIGS.values()) {
    if (definition.internal) continue;
    const sensitive = definition.type === "password";
    const value = asKafkaPrints(definition, effective(definition.name));
    const synonyms = definition.brokerSynonym
      ? synonymsOf(sources, definition.brokerSynonym, brokerSynonymsOf(definition.brokerSynonym), sensitive)
      : [];
    const override = asKafkaPrints(definition, overrides.get(definition.name) ?? null) ?? undefined;
    if (override !== undefined) {
      synonyms.unshift({
        name: definition.name,
        value: sensitive ? null : override,
        source: ConfigSource.DYNAMIC_TOPIC_CONFIG,
      });
    }
    entries.push({
      name: definition.name,
      value: sensitive ? null : value,
      readOnly: false,
      source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
      isSensitive: sensitive,
      configType: CONFIG_TYPE_CODES[definition.type],
      synonyms,
    });
  }
  return entries;
}
