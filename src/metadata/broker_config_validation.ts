/**
 * Whether a change to a broker resource's dynamic configs may be made, checked as Kafka's brokers check it
 * (DynamicBrokerConfig.validateConfigs) before the controller stores it: read-only keys cannot change,
 * keystores and truststores change only per listener, values must parse, and per-broker keys need a broker
 * id. Keys Kafka does not know are accepted and stored, as Kafka does (custom reporters and plugins read
 * them). Kafka answers these refusals with INVALID_REQUEST.
 */
import { BROKER_CONFIGS, ConfigError, isDynamic, parseConfigValue } from "../config/mod.ts";
import { ErrorCode } from "../protocol/mod.ts";
import type { Refusal } from "./controller.ts";

/** Kafka's SslConfigs.RECONFIGURABLE_CONFIGS: only `listener.name.<listener>.<key>` may set these. */
const LISTENER_ONLY_KEYS: ReadonlySet<string> = new Set([
  "ssl.keystore.type",
  "ssl.keystore.location",
  "ssl.keystore.password",
  "ssl.key.password",
  "ssl.truststore.type",
  "ssl.truststore.location",
  "ssl.truststore.password",
  "ssl.keystore.certificate.chain",
  "ssl.keystore.key",
  "ssl.truststore.certificates",
]);

/** Listener settings that may be set cluster-wide under a listener prefix. */
const CLUSTER_LEVEL_LISTENER_KEYS: ReadonlySet<string> = new Set([
  "max.connections",
  "max.connection.creation.rate",
  "num.network.threads",
]);

/** Scala's rendering of a set of names, which Kafka's messages carry. */
function scalaSet(names: readonly string[]): string {
  return `Set(${names.join(", ")})`;
}

function refuse(message: string, names: readonly string[]): Refusal {
  return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `${message}: ${scalaSet(names)}` };
}

function needsBrokerId(name: string): boolean {
  const listenerKey = /^listener\.name\.[^.]*\.(.*)$/.exec(name)?.[1];
  if (listenerKey !== undefined) return !CLUSTER_LEVEL_LISTENER_KEYS.has(listenerKey);
  return BROKER_CONFIGS.get(name)?.mode === "per-broker";
}

/**
 * The refusal of setting `values` (null: removed) on one broker (`perBroker`) or as the cluster default,
 * or null when Kafka would accept them.
 */
export function validateBrokerConfigChange(
  values: readonly { name: string; value: string | null }[],
  perBroker: boolean,
): Refusal | null {
  const set = values.filter((entry) => entry.value !== null);
  const readOnly = set.filter((entry) => {
    const definition = BROKER_CONFIGS.get(entry.name);
    return definition !== undefined && !isDynamic(definition);
  });
  if (readOnly.length > 0) {
    return refuse(
      "Cannot update these configs dynamically",
      readOnly.map((e) => e.name),
    );
  }
  const unprefixed = set.filter((entry) => LISTENER_ONLY_KEYS.has(entry.name));
  if (unprefixed.length > 0) {
    return refuse(
      "These security configs can be dynamically updated only per-listener using the listener prefix",
      unprefixed.map((entry) => entry.name),
    );
  }
  for (const entry of set) {
    const definition = BROKER_CONFIGS.get(entry.name);
    if (!definition) continue;
    try {
      parseConfigValue(definition, entry.value!);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: error.message };
    }
  }
  const perBrokerOnly = set.filter((entry) => needsBrokerId(entry.name));
  if (!perBroker && perBrokerOnly.length > 0) {
    return refuse(
      "Cannot update these configs at default cluster level, broker id must be specified",
      perBrokerOnly.map((entry) => entry.name),
    );
  }
  return null;
}
