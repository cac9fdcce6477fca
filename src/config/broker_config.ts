/**
 * The broker's static configuration: a server.properties file plus
 * `--override key=value` arguments, as `kafka-server-start.sh` takes them.
 */
import { inertKeyWarning } from "./acted_on.ts";
import { BROKER_CONFIGS, type BrokerKey, type BrokerKeyOfType } from "./broker_configs.ts";
import { ConfigError, parseConfigValue } from "./config_types.ts";
import { TOPIC_CONFIGS } from "./topic_configs.ts";

/** One listener: `NAME://host:port`. */
export interface ListenerConfig {
  name: string;
  host: string;
  port: number;
  securityProtocol: string;
}

/** The settings a node uses when started without a properties file. */
export const EMBEDDED_DEFAULTS: Readonly<Record<string, string>> = {
  "node.id": "1",
  "process.roles": "broker,controller",
  "listeners": "PLAINTEXT://127.0.0.1:9092",
  "log.dirs": "dafka-data",
  // One node holds one copy: as in Kafka's quickstart server.properties, `__consumer_offsets` has one replica
  // (Kafka's default of 3 would refuse to create it, and no group could find its coordinator). Its
  // transaction.state.log.replication.factor=1 waits for a transaction-state topic (none is created yet).
  "offsets.topic.replication.factor": "1",
};

/** Parses Java properties text (`key=value` or `key: value`, `#`/`!` comments, `\` continuations). */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    let line = lines[index]!.trimStart();
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    while (line.endsWith("\\") && index + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++index]!.trimStart();
    }
    const match = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (match) out.set(match[1]!, match[2]!.trim());
    else out.set(line.trim(), "");
  }
  return out;
}

export type ConfigValue = string | number | boolean | string[] | null;

/** The resolved broker configuration. */
export class BrokerConfig {
  readonly #values = new Map<string, ConfigValue>();
  /** Messages about keys Kafka does not know (warned, as Kafka does) and Kafka's keys Dafka does not act on. */
  readonly warnings: string[] = [];
  readonly nodeId: number;
  readonly listeners: ListenerConfig[];
  readonly advertisedListeners: ListenerConfig[];
  readonly logDirs: string[];

  /** Validates every given key; throws ConfigError naming the first bad one. */
  constructor(readonly given: ReadonlyMap<string, string>) {
    for (const [key, raw] of given) {
      const definition = BROKER_CONFIGS.get(key);
      // Kafka's dynamic-only keys (replication throttles) are not server.properties keys.
      if (!definition || definition.dynamicOnly) {
        this.warnings.push(`The configuration '${key}' was supplied but isn't a known config.`);
        continue;
      }
      this.#values.set(key, parseConfigValue(definition, raw));
      const inert = inertKeyWarning("broker", key, "server.properties");
      if (inert) this.warnings.push(inert);
    }
    this.nodeId = this.#resolveNodeId();
    this.#checkRoles();
    const protocolMap = this.#securityProtocolMap();
    this.listeners = parseListeners("listeners", this.list("listeners"), protocolMap);
    this.advertisedListeners = this.has("advertised.listeners")
      ? parseListeners("advertised.listeners", this.list("advertised.listeners"), protocolMap)
      : this.listeners.map((listener) => ({ ...listener, host: advertiseHost(listener.host) }));
    this.logDirs = this.#resolveLogDirs();
  }

  /** The value of a broker key (given or default). */
  get(key: BrokerKey): ConfigValue {
    if (this.#values.has(key)) return this.#values.get(key)!;
    const definition = BROKER_CONFIGS.get(key);
    if (!definition || definition.defaultValue === null) return null;
    return parseConfigValue(definition, definition.defaultValue);
  }
  /** Whether the key was given explicitly. */
  has(key: BrokerKey): boolean {
    return this.#values.has(key);
  }
  /** An int, short or long key's value (longs are exact: see parseConfigValue). */
  int(key: BrokerKeyOfType<"int" | "short" | "long">): number {
    return this.get(key) as number;
  }
  bool(key: BrokerKeyOfType<"boolean">): boolean {
    return this.get(key) as boolean;
  }
  string(key: BrokerKeyOfType<"string" | "class">): string | null {
    return this.get(key) as string | null;
  }
  /** A list key's items; Kafka 4 types some lists as strings (listeners, log.dirs), split on commas here. */
  list(key: BrokerKeyOfType<"list" | "string">): string[] {
    const value = this.get(key) as string[] | string | null;
    if (typeof value !== "string") return value ?? [];
    return value.split(",").map((item) => item.trim()).filter((item) => item !== "");
  }

  /** log.roll.ms, else log.roll.hours. */
  get logRollMs(): number {
    return this.has("log.roll.ms") ? this.int("log.roll.ms") : this.int("log.roll.hours") * 3600000;
  }
  /** log.retention.ms, else minutes, else hours. */
  get logRetentionMs(): number {
    if (this.has("log.retention.ms")) return this.int("log.retention.ms");
    if (this.has("log.retention.minutes")) return this.int("log.retention.minutes") * 60000;
    return this.int("log.retention.hours") * 3600000;
  }
  /** log.flush.interval.ms, else the flush scheduler interval. */
  get logFlushIntervalMs(): number {
    return this.has("log.flush.interval.ms")
      ? this.int("log.flush.interval.ms")
      : this.int("log.flush.scheduler.interval.ms");
  }

  #resolveNodeId(): number {
    const nodeId = this.has("node.id") ? this.int("node.id") : this.int("broker.id");
    if (nodeId < 0) throw new ConfigError("node.id", "missing: node.id is required (a non-negative integer)");
    if (this.has("node.id") && this.has("broker.id") && this.int("broker.id") !== nodeId) {
      throw new ConfigError("broker.id", `must equal node.id (${nodeId}) when both are set`);
    }
    return nodeId;
  }

  #checkRoles(): void {
    // Kafka 4 no longer knows zookeeper.connect; a file that sets it was written for ZooKeeper mode.
    if (this.given.has("zookeeper.connect")) {
      throw new ConfigError(
        "zookeeper.connect",
        "ZooKeeper mode is not supported; set process.roles instead",
      );
    }
    const roles = this.list("process.roles");
    if (roles.length === 0) {
      throw new ConfigError("process.roles", "missing: set process.roles=broker,controller");
    }
  }

  #securityProtocolMap(): Map<string, string> {
    const map = new Map<string, string>();
    for (const entry of this.list("listener.security.protocol.map")) {
      const [name, protocol] = entry.split(":");
      if (!name || !protocol) throw new ConfigError("listener.security.protocol.map", `bad entry ${entry}`);
      map.set(name.toUpperCase(), protocol.toUpperCase());
    }
    // As Kafka does when the map is not given: controller listeners it does not name are PLAINTEXT.
    if (!this.has("listener.security.protocol.map")) {
      for (const name of this.list("controller.listener.names")) {
        if (!map.has(name.toUpperCase())) map.set(name.toUpperCase(), "PLAINTEXT");
      }
    }
    return map;
  }

  #resolveLogDirs(): string[] {
    const dirs = this.has("log.dirs") ? this.list("log.dirs") : [this.string("log.dir")!];
    if (dirs.length === 0 || dirs.some((dir) => dir === "")) {
      throw new ConfigError("log.dirs", "must name a folder");
    }
    if (dirs.length > 1) throw new ConfigError("log.dirs", "only one log directory is supported");
    return dirs;
  }
}

function advertiseHost(host: string): string {
  return host === "" || host === "0.0.0.0" || host === "::" ? "localhost" : host;
}

function parseListeners(key: string, entries: string[], protocols: Map<string, string>): ListenerConfig[] {
  const seen = new Set<string>();
  return entries.map((entry) => {
    const match = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:]*):(\d+)$/.exec(entry);
    if (!match) throw new ConfigError(key, `${JSON.stringify(entry)} is not NAME://host:port`);
    const name = match[1]!.toUpperCase();
    const port = Number(match[3]);
    if (port > 65535) throw new ConfigError(key, `port ${port} is out of range`);
    if (seen.has(name)) throw new ConfigError(key, `listener name ${name} appears twice`);
    seen.add(name);
    const securityProtocol = protocols.get(name);
    if (!securityProtocol) {
      throw new ConfigError(key, `listener ${name} is not in listener.security.protocol.map`);
    }
    if (securityProtocol !== "PLAINTEXT") {
      throw new ConfigError(key, `listener ${name} uses ${securityProtocol}; only PLAINTEXT is supported`);
    }
    return { name, host: match[2]!.replace(/^\[|\]$/g, ""), port, securityProtocol };
  });
}

/** Exposed for DescribeConfigs: whether a key is a topic-level key. */
export function isTopicConfig(key: string): boolean {
  return TOPIC_CONFIGS.has(key);
}
