/**
 * The metadata quorum as the configuration describes it: the node's roles,
 * the voters (`controller.quorum.voters`, `id@host:port`), and the
 * listeners that carry controller traffic (`controller.listener.names`).
 *
 * A node that is the only voter and has no controller listener needs no
 * network for its quorum: that is the embedded single-node default, so
 * `--override listeners=PLAINTEXT://127.0.0.1:PORT` alone starts a node.
 *
 * With `controller.quorum.bootstrap.servers` instead of voters the quorum is
 * dynamic (KIP-853, kraft.version 1): the voters live in the metadata log
 * and change through AddRaftVoter and RemoveRaftVoter. Dafka formats a node
 * on its first start, so the choice `kafka-storage format` makes there is
 * made from the configuration: a controller whose only bootstrap server is
 * its own controller listener starts the quorum as its only voter
 * (`format --standalone`); every other node starts with no voters
 * (`--no-initial-controllers`) and joins as an observer.
 */
import type { BrokerConfig, ListenerConfig } from "./broker_config.ts";
import { ConfigError } from "./config_types.ts";

export interface VoterAddress {
  nodeId: number;
  host: string;
  port: number;
}

/** A `controller.quorum.bootstrap.servers` entry. */
export interface BootstrapServer {
  host: string;
  port: number;
}

/** A dynamic quorum's settings (KIP-853). */
export interface DynamicQuorumConfig {
  bootstrapServers: BootstrapServer[];
  /** This node starts the quorum as its only voter (Kafka's `format --standalone`). */
  standalone: boolean;
}

export interface QuorumConfig {
  isBroker: boolean;
  isController: boolean;
  /** Set when the voters are dynamic (`controller.quorum.bootstrap.servers`); null for static voters. */
  dynamic: DynamicQuorumConfig | null;
  /** The voters' ids, sorted. */
  voterIds: number[];
  /** Where each voter's controller listener is; absent for the embedded single voter. */
  voterAddresses: Map<number, VoterAddress>;
  /** The listeners of this node that serve controller traffic. */
  controllerListeners: ListenerConfig[];
  /** The listeners of this node that serve clients. */
  brokerListeners: ListenerConfig[];
}

const VOTER_PATTERN = /^(\d+)@(\[[^\]]+\]|[^:@]*):(\d+)$/;
/** The characters Kafka accepts in a voter's host (names, IPv4, IPv6 with zone ids). */
const HOST_PATTERN = /^[0-9A-Za-z\-%._:]+$/;
/** Node ids are Java ints. */
const NODE_ID_MAX = 2147483647;

/** Parses `controller.quorum.voters` entries. */
export function parseVoters(entries: readonly string[]): Map<number, VoterAddress> {
  const voters = new Map<number, VoterAddress>();
  for (const entry of entries) {
    const match = VOTER_PATTERN.exec(entry.trim());
    if (!match) {
      throw new ConfigError("controller.quorum.voters", `'${entry}' is not of the form id@host:port`);
    }
    const nodeId = Number(match[1]);
    const host = match[2]!.replace(/^\[|\]$/g, "");
    const port = Number(match[3]);
    if (nodeId > NODE_ID_MAX) {
      throw new ConfigError("controller.quorum.voters", `voter id in '${entry}' is out of range`);
    }
    // The other voters connect to this address, so it must name a reachable host.
    if (!HOST_PATTERN.test(host) || host === "0.0.0.0" || host === "::") {
      throw new ConfigError("controller.quorum.voters", `'${entry}' does not name a routable host`);
    }
    if (port <= 0 || port > 65535) {
      throw new ConfigError("controller.quorum.voters", `bad port in '${entry}'`);
    }
    if (voters.has(nodeId)) {
      throw new ConfigError("controller.quorum.voters", `voter ${nodeId} appears twice`);
    }
    voters.set(nodeId, { nodeId, host, port });
  }
  return voters;
}

const BOOTSTRAP_PATTERN = /^(\[[^\]]+\]|[^:@]+):(\d+)$/;

/** Parses `controller.quorum.bootstrap.servers` entries (`host:port`). */
export function parseBootstrapServers(entries: readonly string[]): BootstrapServer[] {
  return entries.map((entry) => {
    const match = BOOTSTRAP_PATTERN.exec(entry.trim());
    const port = Number(match?.[2]);
    if (match === null || port <= 0 || port > 65535) {
      throw new ConfigError("controller.quorum.bootstrap.servers", `'${entry}' is not of the form host:port`);
    }
    return { host: match[1]!.replace(/^\[|\]$/g, ""), port };
  });
}

const LOCAL_HOSTS = new Set(["", "0.0.0.0", "::", "localhost", "127.0.0.1", "::1"]);

/** Whether a bootstrap server is this listener (same port, and a host that reaches it). */
function isOwnListener(server: BootstrapServer, listener: ListenerConfig): boolean {
  if (server.port !== listener.port) return false;
  return server.host === listener.host || (LOCAL_HOSTS.has(server.host) && LOCAL_HOSTS.has(listener.host));
}

/** The quorum configuration of a node with bootstrap servers and no static voters (KIP-853). */
function dynamicQuorumConfig(
  config: BrokerConfig,
  base: Omit<QuorumConfig, "dynamic" | "voterIds" | "voterAddresses">,
): QuorumConfig {
  const bootstrapServers = parseBootstrapServers(config.list("controller.quorum.bootstrap.servers"));
  if (!config.has("cluster.id")) {
    throw new ConfigError(
      "cluster.id",
      "missing: every node of a dynamic quorum must be given the same cluster.id",
    );
  }
  if (base.isController && base.controllerListeners.length === 0) {
    throw new ConfigError(
      "controller.listener.names",
      "must name a listener in listeners that the other controllers reach this controller on",
    );
  }
  if (base.isBroker && base.brokerListeners.length === 0) {
    throw new ConfigError("listeners", "a broker needs a listener that is not a controller listener");
  }
  const standalone = base.isController && bootstrapServers.length === 1 &&
    base.controllerListeners.some((listener) => isOwnListener(bootstrapServers[0]!, listener));
  return {
    ...base,
    dynamic: { bootstrapServers, standalone },
    voterIds: standalone ? [config.nodeId] : [],
    voterAddresses: new Map(),
  };
}

/** The quorum configuration of `config`; throws ConfigError naming the key at fault. */
export function quorumConfigOf(config: BrokerConfig): QuorumConfig {
  const roles = config.list("process.roles");
  const isBroker = roles.includes("broker");
  const isController = roles.includes("controller");
  const voterAddresses = parseVoters(config.list("controller.quorum.voters"));
  const controllerNames = config.list("controller.listener.names");
  const controllerListeners = config.listeners.filter((listener) => controllerNames.includes(listener.name));
  const brokerListeners = config.listeners.filter((listener) => !controllerNames.includes(listener.name));
  if (voterAddresses.size === 0) {
    if (config.list("controller.quorum.bootstrap.servers").length > 0) {
      return dynamicQuorumConfig(config, { isBroker, isController, controllerListeners, brokerListeners });
    }
    if (!isController) {
      throw new ConfigError("controller.quorum.voters", "a broker-only node must list the controller voters");
    }
    // The embedded single voter serves clients itself; a controller-only one would serve nobody.
    if (!isBroker) {
      throw new ConfigError(
        "controller.quorum.voters",
        "a controller-only node must list the voters (itself among them) that brokers reach it at",
      );
    }
    return {
      isBroker,
      isController,
      dynamic: null,
      voterIds: [config.nodeId],
      voterAddresses,
      controllerListeners,
      brokerListeners,
    };
  }
  if (!config.has("cluster.id")) {
    throw new ConfigError(
      "cluster.id",
      "missing: every node of a multi-node quorum must be given the same cluster.id",
    );
  }
  if (isController && !voterAddresses.has(config.nodeId)) {
    throw new ConfigError(
      "controller.quorum.voters",
      `node ${config.nodeId} has the controller role but is not one of the voters`,
    );
  }
  if (!isController && voterAddresses.has(config.nodeId)) {
    throw new ConfigError(
      "process.roles",
      `node ${config.nodeId} is a voter, so it needs the controller role`,
    );
  }
  const needsListener = isController && voterAddresses.size > 1;
  if (needsListener && controllerListeners.length === 0) {
    throw new ConfigError(
      "controller.listener.names",
      "must name a listener in listeners that the other voters reach this controller on",
    );
  }
  if (!isBroker && brokerListeners.length > 0) {
    throw new ConfigError(
      "listeners",
      `a controller-only node serves only its controller listeners (${controllerNames.join(",")}); ` +
        `remove ${brokerListeners.map((listener) => listener.name).join(",")}`,
    );
  }
  if (!isBroker && controllerListeners.length === 0) {
    throw new ConfigError("controller.listener.names", "a controller-only node needs a controller listener");
  }
  if (isBroker && brokerListeners.length === 0) {
    throw new ConfigError("listeners", "a broker needs a listener that is not a controller listener");
  }
  return {
    isBroker,
    isController,
    dynamic: null,
    voterIds: [...voterAddresses.keys()].sort((left, right) => left - right),
    voterAddresses,
    controllerListeners,
    brokerListeners,
  };
}
