/**
 * A running Dafka node: opens its log directory, joins the metadata quorum
 * (src/raft through MetadataQuorum), catches up with the metadata log,
 * registers as a broker with the active controller, and serves clients on
 * its listeners once unfenced. The same code runs on Deno's I/O (`dafka`)
 * and on the simulator's.
 *
 * Start-up order, as Kafka's: controller listeners first (the other voters
 * need them to elect a leader), then catch up with the quorum, then publish
 * the image to the partition logs, register, and open the client
 * listeners only once the controller has unfenced this broker.
 */
import type { BrokerConfig, ListenerConfig } from "../config/broker_config.ts";
import { quorumConfigOf } from "../config/quorum_config.ts";
import type { Listener, World } from "../io/types.ts";
import { LogManager } from "../log/mod.ts";
import { decompress } from "../protocol/compression/mod.ts";
import { randomUuid, uuidFromString, uuidToString } from "../protocol/uuid.ts";
import { startPeriodicJobs } from "./periodic_jobs.ts";
import { adoptUnknownPartitions } from "./adopt_log_dir.ts";
import { Broker } from "./broker.ts";
import { BrokerLifecycle } from "./broker_lifecycle.ts";
import { ClientConnection } from "./connection.ts";
import { ControllerChannel } from "./controller/controller_channel.ts";
import { ControllerState } from "./controller/controller_state.ts";
import type { ApiHandler } from "./handler.ts";
import { CONTROLLER_HANDLERS_BY_KEY, HANDLERS_BY_KEY } from "./handlers/mod.ts";
import { MetadataQuorum } from "./raft_driver/metadata_quorum.ts";
import { RaftPeers } from "./raft_driver/raft_peers.ts";

/** How long a clean stop waits for the controller to move this broker's leaderships away. */
const CONTROLLED_SHUTDOWN_TIMEOUT_MS = 5000;

export interface RunningNode {
  broker: Broker;
  /** The bound client listeners (their ports, when 0 was asked for). */
  listeners: Listener[];
  /** The bound controller listeners. */
  controllerListeners: Listener[];
  /** Stops serving and closes the logs cleanly. */
  close(): Promise<void>;
}

/** Starts a node on `world` with `config`; resolves once it serves clients. */
export async function startNode(world: World, config: BrokerConfig): Promise<RunningNode> {
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
  const broker = new Broker({ world, config, clusterId: identity.clusterId, logs, quorumConfig });
  const otherVoters = quorumConfig.voterIds.some((id) => id !== config.nodeId);
  const metadataDirectory = `${config.string("metadata.log.dir") ?? config.logDirs[0]!}/__cluster_metadata-0`;
  // Partition folders the metadata log does not know are adopted on a lone node, or from a log
  // directory without a metadata log (written by Kafka in ZooKeeper mode). Otherwise, in a
  // cluster, they are strays (topics deleted while this node was down) that adopting would revive.
  const adoptFolders = !otherVoters || !world.disk.exists(metadataDirectory);
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
    proposalTimeoutMs: 30_000,
    peers: otherVoters ? new RaftPeers(world.net, config.nodeId, quorumConfig.voterAddresses) : null,
    applier: broker.applier,
  });
  const channel = new ControllerChannel({
    nodeId: config.nodeId,
    clock: world.clock,
    net: world.net,
    quorum,
    voterAddresses: quorumConfig.voterAddresses,
    retryBackoffMs: config.int("controller.quorum.retry.backoff.ms"),
    timeoutMs: 30_000,
  });
  const controller = new ControllerState({
    clock: world.clock,
    quorum,
    channel,
    image: () => broker.image,
    sessionTimeoutMs: config.int("broker.session.timeout.ms"),
    checkIntervalMs: Math.max(10, Math.floor(config.int("broker.heartbeat.interval.ms") / 2)),
    log: world.log,
  });
  broker.quorum = quorum;
  broker.controllerChannel = channel;
  broker.controller = controller;
  quorum.onChange = () => {
    controller.onQuorumChange();
    broker.metadataWaiters.notify();
  };

  const connections = new Set<ClientConnection>();
  let nextConnectionId = 1;
  const accepting: Promise<void>[] = [];
  const serve = async (
    specs: ListenerConfig[],
    handlers: ReadonlyMap<number, ApiHandler>,
    viaControllerListener: boolean,
  ): Promise<Listener[]> => {
    const bound: Listener[] = [];
    for (const spec of specs) {
      const listener = await world.net.listen({ host: spec.host || "0.0.0.0", port: spec.port });
      bound.push(listener);
      accepting.push((async () => {
        while (true) {
          const connection = await listener.accept();
          if (!connection) return;
          const client = new ClientConnection(connection, {
            broker,
            handlers,
            listenerName: spec.name,
            viaControllerListener,
            connectionId: nextConnectionId++,
            maxRequestBytes: config.int("socket.request.max.bytes"),
            log: world.log,
          });
          connections.add(client);
          client.serve().finally(() => connections.delete(client));
        }
      })());
    }
    return bound;
  };

  const controllerListeners = await serve(quorumConfig.controllerListeners, CONTROLLER_HANDLERS_BY_KEY, true);
  quorum.start();
  controller.start();
  await broker.metadataWaiters.wait(() => quorum.caughtUp, Infinity);
  broker.publish();
  let lifecycle: BrokerLifecycle | null = null;
  let listeners: Listener[] = [];
  let jobs: { stop(): void } | null = null;
  if (quorumConfig.isBroker) {
    broker.startBackgroundWork();
    lifecycle = new BrokerLifecycle(
      broker,
      world.clock,
      world.random,
      uuidFromString(identity.directoryId) ?? new Uint8Array(16),
    );
    lifecycle.start();
    await lifecycle.unfenced;
    // Creating topics over folders found on disk needs this broker registered (placement uses it).
    await broker.groups.start();
    if (adoptFolders) await adoptUnknownPartitions(world, logs, broker);
    else broker.setAsideStrayLogs();
    listeners = await serve(quorumConfig.brokerListeners, HANDLERS_BY_KEY, false);
    jobs = startPeriodicJobs(world.clock, logs, config, world.log);
  }
  const roles = [quorumConfig.isBroker ? "broker" : "", quorumConfig.isController ? "controller" : ""]
    .filter((role) => role !== "").join(" and ");
  world.log(
    `Dafka node ${config.nodeId} (${roles}) of cluster ${identity.clusterId} listening on ${
      [...listeners, ...controllerListeners].map((listener) => `${listener.host}:${listener.port}`).join(", ")
    }, log dir ${config.logDirs[0]}`,
  );
  return {
    broker,
    listeners,
    controllerListeners,
    async close() {
      await lifecycle?.shutDown(CONTROLLED_SHUTDOWN_TIMEOUT_MS);
      jobs?.stop();
      controller.close();
      for (const listener of listeners) listener.close();
      // The controller listener stays open while the quorum hands leadership over.
      await quorum.close();
      for (const listener of controllerListeners) listener.close();
      for (const client of connections) client.close();
      await Promise.all(accepting);
      channel.close();
      broker.close();
    },
  };
}
