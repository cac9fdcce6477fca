/**
 * A running Dafka node: opens its log directory, rebuilds the metadata image
 * from the metadata log, and serves clients on its listeners. The same code
 * runs on Deno's I/O (`dafka`) and on the simulator's.
 */
import type { BrokerConfig } from "../config/broker_config.ts";
import type { Listener, World } from "../io/types.ts";
import { LogManager } from "../log/mod.ts";
import { decompress } from "../protocol/compression/mod.ts";
import { startPeriodicJobs } from "./periodic_jobs.ts";
import { adoptUnknownPartitions } from "./adopt_log_dir.ts";
import { MetadataLog } from "../metadata/metadata_log.ts";
import { MetadataRecordType } from "../metadata/records.ts";
import { randomUuid, uuidToString } from "../metadata/uuid.ts";
import { Broker } from "./broker.ts";
import { ClientConnection } from "./connection.ts";
import { HANDLERS_BY_KEY } from "./handlers/mod.ts";

/** The metadata.version Dafka's records correspond to (Kafka 3.9's level). */
const METADATA_VERSION_LEVEL = 21;

export interface RunningNode {
  broker: Broker;
  /** The bound listeners (their ports, when 0 was asked for). */
  listeners: Listener[];
  /** Stops serving and closes the logs cleanly. */
  close(): Promise<void>;
}

/** Starts a node on `world` with `config`. */
export async function startNode(world: World, config: BrokerConfig): Promise<RunningNode> {
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
  const metadataLog = new MetadataLog(logs.openMetadataLog(), world.clock, world.disk);
  metadataLog.onSkip = (reason) => world.log(`skipped ${reason}`);
  const broker = new Broker({ world, config, clusterId: identity.clusterId, metadataLog, logs });
  broker.load();
  if (!broker.image.features.has("metadata.version")) {
    broker.commit([{
      type: MetadataRecordType.FeatureLevel,
      name: "metadata.version",
      featureLevel: METADATA_VERSION_LEVEL,
    }]);
  }
  broker.groups.start();
  adoptUnknownPartitions(world, logs, broker);
  const listeners: Listener[] = [];
  for (const listener of config.listeners) {
    listeners.push(await world.net.listen({ host: listener.host || "0.0.0.0", port: listener.port }));
  }
  const jobs = startPeriodicJobs(world.clock, logs, config, world.log);
  const connections = new Set<ClientConnection>();
  let nextConnectionId = 1;
  const accepting = listeners.map(async (listener) => {
    while (true) {
      const connection = await listener.accept();
      if (!connection) return;
      const client = new ClientConnection(connection, {
        broker,
        handlers: HANDLERS_BY_KEY,
        connectionId: nextConnectionId++,
        maxRequestBytes: config.int("socket.request.max.bytes"),
        log: world.log,
      });
      connections.add(client);
      client.serve().finally(() => connections.delete(client));
    }
  });
  world.log(
    `Dafka node ${config.nodeId} of cluster ${identity.clusterId} listening on ${
      listeners.map((listener) => `${listener.host}:${listener.port}`).join(", ")
    }, log dir ${config.logDirs[0]}`,
  );
  return {
    broker,
    listeners,
    async close() {
      jobs.stop();
      for (const listener of listeners) listener.close();
      for (const client of connections) client.close();
      await Promise.all(accepting);
      broker.close();
    },
  };
}
