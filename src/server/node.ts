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
import type { BrokerConfig } from "../config/mod.ts";
import type { Listener, World } from "../io/mod.ts";
import { uuidFromString } from "../protocol/mod.ts";
import { adoptUnknownPartitions } from "./adopt_log_dir.ts";
import type { Broker } from "./broker.ts";
import { BrokerLifecycle } from "./broker_lifecycle.ts";
import { CONTROLLER_HANDLERS_BY_KEY, HANDLERS_BY_KEY } from "./handlers/mod.ts";
import { NodeListeners } from "./node_listeners.ts";
import { type NodeParts, wireNode } from "./node_wiring.ts";
import { startPeriodicJobs } from "./periodic_jobs.ts";

export interface RunningNode {
  broker: Broker;
  /** The bound client listeners (their ports, when 0 was asked for). */
  listeners: Listener[];
  /** The bound controller listeners. */
  controllerListeners: Listener[];
  /** Stops serving and closes the logs cleanly. */
  close(): Promise<void>;
}

/** What start-up has running, for the stop to undo in order. */
interface Started {
  lifecycle: BrokerLifecycle | null;
  jobs: { stop(): void } | null;
  listeners: Listener[];
  controllerListeners: Listener[];
}

/** Starts a node on `world` with `config`; resolves once it serves clients. */
export async function startNode(world: World, config: BrokerConfig): Promise<RunningNode> {
  const parts = wireNode(world, config);
  const serving = new NodeListeners(world, parts.broker.services, config.int("socket.request.max.bytes"));
  const started = await startUp(world, config, parts, serving);
  logListening(world, config, parts, started);
  return {
    broker: parts.broker,
    listeners: started.listeners,
    controllerListeners: started.controllerListeners,
    close: () => stop(config, parts, serving, started),
  };
}

/**
 * Kafka's start-up order: quorum first, then catch up, register, and publish
 * the image to the partitions only once the controller has this incarnation
 * (unfenced: caught up past its registration), then serve clients. A new
 * incarnation may have lost the unflushed tail of its logs; its registration
 * takes it out of the ISRs and moves its leaderships first. Published
 * earlier, it would lead again at its previous leader epoch with the shorter
 * log (followers truncate to it) and fetch as an ISR member of its previous
 * life (acks=all counted on it), which the cluster simulator caught losing
 * acknowledged records after a single power loss.
 */
async function startUp(
  world: World,
  config: BrokerConfig,
  parts: NodeParts,
  serving: NodeListeners,
): Promise<Started> {
  const { quorumConfig, quorum, controller, broker } = parts;
  const controllerListeners = await serving.serve(
    quorumConfig.controllerListeners,
    CONTROLLER_HANDLERS_BY_KEY,
    true,
  );
  quorum.start();
  controller.start();
  await broker.waitFor(() => quorum.caughtUp, Infinity);
  if (!quorumConfig.isBroker) {
    broker.publish();
    return { lifecycle: null, jobs: null, listeners: [], controllerListeners };
  }
  const lifecycle = new BrokerLifecycle(
    broker,
    world.clock,
    world.random,
    uuidFromString(parts.directoryId) ?? new Uint8Array(16),
  );
  lifecycle.start();
  await lifecycle.unfenced;
  // The broker epoch is the offset where the registration's batch (ISR clean-up first) begins, and the
  // controller may unfence on a heartbeat sent just before that batch is applied here: wait for it.
  await broker.waitFor(() => quorum.appliedOffset > broker.brokerEpoch, Infinity);
  broker.publish();
  broker.startBackgroundWork();
  // Creating topics over folders found on disk needs this broker registered (placement uses it).
  await broker.groups.start();
  if (parts.adoptFolders) await adoptUnknownPartitions(world, parts.logs, broker);
  else broker.setAsideStrayLogs();
  const listeners = await serving.serve(quorumConfig.brokerListeners, HANDLERS_BY_KEY, false);
  const jobs = startPeriodicJobs(
    world.clock,
    parts.logs,
    config,
    world.log,
    (log) => broker.replica(log.topic, log.partition)?.highWatermark,
  );
  return { lifecycle, jobs, listeners, controllerListeners };
}

function logListening(world: World, config: BrokerConfig, parts: NodeParts, started: Started): void {
  const { quorumConfig } = parts;
  const roles = [quorumConfig.isBroker ? "broker" : "", quorumConfig.isController ? "controller" : ""]
    .filter((role) => role !== "").join(" and ");
  const addresses = [...started.listeners, ...started.controllerListeners]
    .map((listener) => `${listener.host}:${listener.port}`).join(", ");
  world.log(
    `Dafka node ${config.nodeId} (${roles}) of cluster ${parts.clusterId} listening on ${addresses}, log dir ${
      config.logDirs[0]
    }`,
  );
}

/**
 * A clean stop: a controlled shutdown first (bounded by the broker session
 * timeout, after which the controller fences this broker anyway), then the
 * client listeners; the controller listener stays open while the quorum
 * hands leadership over.
 */
async function stop(
  config: BrokerConfig,
  parts: NodeParts,
  serving: NodeListeners,
  started: Started,
): Promise<void> {
  await started.lifecycle?.shutDown(config.int("broker.session.timeout.ms"));
  started.jobs?.stop();
  parts.controller.close();
  for (const listener of started.listeners) listener.close();
  await parts.quorum.close();
  for (const listener of started.controllerListeners) listener.close();
  await serving.closeConnections();
  parts.channel.close();
  parts.broker.close();
}
