/**
 * Builds a node's parts in dependency order, each with what it needs in hand:
 * the log directory, the applied metadata, the Raft quorum that applies to
 * it, the controller channel and controller state over the quorum, and the
 * broker over all of them. Nothing starts here (see node.ts).
 */
import { type BrokerConfig, type QuorumConfig, quorumConfigOf } from "../config/mod.ts";
import type { World } from "../io/mod.ts";
import { LogManager } from "../log/mod.ts";
import { decompress } from "../protocol/compression/mod.ts";
import { randomUuid, uuidToString } from "../protocol/mod.ts";
import { AppliedMetadata } from "./applied_metadata.ts";
import { Broker } from "./broker.ts";
import { ControllerChannel, ControllerState } from "./controller/mod.ts";
import { MetadataQuorum, RaftPeers } from "./raft_driver/mod.ts";

/** Listener hosts that name no host another node could connect to. */
const WILDCARD_HOSTS = new Set(["", "0.0.0.0", "::"]);

/** A node's parts, built and not yet started. */
export interface NodeParts {
  quorumConfig: QuorumConfig;
  logs: LogManager;
  clusterId: string;
  directoryId: string;
  /** Whether partition folders the metadata log does not know are adopted as topics (see node.ts). */
  adoptFolders: boolean;
  metadata: AppliedMetadata;
  quorum: MetadataQuorum;
  channel: ControllerChannel;
  controller: ControllerState;
  broker: Broker;
}

/** Opens the log directory and builds the node's parts from `config`. */
export function wireNode(world: World, config: BrokerConfig): NodeParts {
  const quorumConfig = quorumConfigOf(config);
  const logs = LogManager.open({
    disk: world.disk,
    clock: world.clock,
    directory: config.logDirs[0]!,
    log: world.log,
    decompress,
  });
  const identity = logs.ensureMetaProperties({
    nodeId: config.nodeId,
    clusterId: config.string("cluster.id") ?? uuidToString(randomUuid(world.random)),
    directoryId: uuidToString(randomUuid(world.random)),
  });
  const dynamic = quorumConfig.dynamic;
  // A dynamic quorum's voters are found at run time, so it always needs the network.
  const otherVoters = dynamic !== null || quorumConfig.voterIds.some((id) => id !== config.nodeId);
  // One live address book for the Raft peers and the controller channel (the quorum keeps it current).
  const addresses = new Map(quorumConfig.voterAddresses);
  const metadataDirectory = `${config.string("metadata.log.dir") ?? config.logDirs[0]!}/__cluster_metadata-0`;
  const requestTimeoutMs = config.int("controller.socket.timeout.ms");
  const metadata = new AppliedMetadata(world.clock);
  const quorum = new MetadataQuorum({
    world,
    nodeId: config.nodeId,
    clusterId: identity.clusterId,
    voterIds: quorumConfig.voterIds,
    directory: metadataDirectory,
    timeouts: {
      electionTimeoutMs: config.int("controller.quorum.election.timeout.ms"),
      electionBackoffMaxMs: config.int("controller.quorum.election.backoff.max.ms"),
      fetchTimeoutMs: config.int("controller.quorum.fetch.timeout.ms"),
      requestTimeoutMs: config.int("controller.quorum.request.timeout.ms"),
      retryBackoffMs: config.int("controller.quorum.retry.backoff.ms"),
    },
    segmentBytes: config.int("metadata.log.segment.bytes"),
    snapshotEveryBytes: config.int("metadata.log.max.record.bytes.between.snapshots"),
    // A proposal that cannot commit within a request's deadline fails with it.
    proposalTimeoutMs: requestTimeoutMs,
    peers: otherVoters ? new RaftPeers(world.net, config.nodeId, addresses) : null,
    applier: metadata.applier,
    addresses,
    dynamic: dynamic === null ? null : {
      directoryId: identity.directoryId,
      endpoints: quorumConfig.controllerListeners.map((listener) => ({
        name: listener.name,
        host: WILDCARD_HOSTS.has(listener.host) ? "localhost" : listener.host,
        port: listener.port,
      })),
      standalone: dynamic.standalone,
      bootstrapServers: dynamic.bootstrapServers,
      listenerName: config.list("controller.listener.names")[0] ?? "CONTROLLER",
    },
  });
  const channel = new ControllerChannel({
    nodeId: config.nodeId,
    clock: world.clock,
    net: world.net,
    quorum,
    voterAddresses: addresses,
    retryBackoffMs: config.int("controller.quorum.retry.backoff.ms"),
    timeoutMs: requestTimeoutMs,
  });
  const controller = new ControllerState({
    clock: world.clock,
    quorum,
    channel,
    image: () => metadata.image,
    election: () => ({
      uncleanLeaderElectionEnable: config.bool("unclean.leader.election.enable"),
      minInsyncReplicas: config.int("min.insync.replicas"),
    }),
    sessionTimeoutMs: config.int("broker.session.timeout.ms"),
    leaderRebalance: {
      enabled: config.bool("auto.leader.rebalance.enable"),
      checkIntervalMs: config.int("leader.imbalance.check.interval.seconds") * 1000,
    },
    // Checked twice per heartbeat interval, so a lapsed session is seen within half an interval.
    checkIntervalMs: Math.max(10, Math.floor(config.int("broker.heartbeat.interval.ms") / 2)),
    log: world.log,
  });
  const broker = new Broker({
    world,
    config,
    clusterId: identity.clusterId,
    logs,
    quorumConfig,
    metadata,
    quorum,
    controllerChannel: channel,
    controller,
  });
  quorum.onChange = () => {
    controller.onQuorumChange();
    metadata.waiters.notify();
  };
  return {
    quorumConfig,
    logs,
    clusterId: identity.clusterId,
    directoryId: identity.directoryId,
    // Partition folders the metadata log does not know are adopted on a lone node, or from a log
    // directory without a metadata log (written by Kafka in ZooKeeper mode). Otherwise, in a
    // cluster, they are strays (topics deleted while this node was down) that adopting would revive.
    adoptFolders: !otherVoters || !world.disk.exists(metadataDirectory),
    metadata,
    quorum,
    channel,
    controller,
    broker,
  };
}
