/**
 * One Dafka node of the cluster simulation: the real `startNode` on a
 * simulated host, crashed and started again at will. Every incarnation's
 * metadata quorum reports what it applies to the observer (through
 * `MetadataQuorum.observers`, keyed by the incarnation's world), from its
 * first snapshot load on, so the checkers see a node's start-up too.
 */
import { BrokerConfig } from "../../../src/config/mod.ts";
import type { RaftBatch, Snapshot } from "../../../src/raft/mod.ts";
import { MetadataQuorum } from "../../../src/server/raft_driver/mod.ts";
import { type RunningNode, startNode } from "../../../src/server/mod.ts";
import type { CrashMode, SimCluster } from "../../../src/io/sim/mod.ts";
import type { ClusterSimOptions } from "./options.ts";

export const CLUSTER_ID = "q1Sh2dX0TvqZc3bYVnzVJA";
export const CLIENT_PORT = 9092;
export const CONTROLLER_PORT = 9093;

/** What the checkers hear from the nodes. */
export interface NodeObserver {
  /** A new incarnation of `node` is starting from its disk. */
  started(node: ClusterNode): void;
  batchApplied(node: ClusterNode, quorum: MetadataQuorum, batch: RaftBatch): void;
  snapshotLoaded(node: ClusterNode, snapshot: Snapshot): void;
  /** `startNode` failed (threw): a node must start from whatever its disk holds. */
  startFailed(node: ClusterNode, error: unknown): void;
}

/** The host name of node `id`. */
export function nodeHostName(id: number): string {
  return `node-${id}`;
}

/** The configuration of node `id` in the run's cluster. */
export function nodeConfig(id: number, options: ClusterSimOptions): BrokerConfig {
  const voters = options.nodeIds.map((other) => `${other}@${nodeHostName(other)}:${CONTROLLER_PORT}`);
  const node = options.node;
  return new BrokerConfig(
    new Map([
      ["node.id", String(id)],
      ["cluster.id", CLUSTER_ID],
      ["process.roles", "broker,controller"],
      [
        "listeners",
        `PLAINTEXT://${nodeHostName(id)}:${CLIENT_PORT},CONTROLLER://${nodeHostName(id)}:${CONTROLLER_PORT}`,
      ],
      ["controller.listener.names", "CONTROLLER"],
      ["listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"],
      options.dynamicQuorum
        ? ["controller.quorum.bootstrap.servers", `${nodeHostName(1)}:${CONTROLLER_PORT}`]
        : ["controller.quorum.voters", voters.join(",")],
      ["controller.quorum.election.timeout.ms", String(node.electionTimeoutMs)],
      ["controller.quorum.fetch.timeout.ms", String(node.fetchTimeoutMs)],
      ["broker.heartbeat.interval.ms", String(node.heartbeatIntervalMs)],
      ["broker.session.timeout.ms", String(node.sessionTimeoutMs)],
      ["metadata.log.max.record.bytes.between.snapshots", String(node.snapshotEveryBytes)],
      ["metadata.log.segment.bytes", String(node.segmentBytes)],
      ["log.dirs", "/data"],
      ["offsets.topic.num.partitions", "3"],
      ["replica.lag.time.max.ms", String(options.replication.replicaLagTimeMaxMs)],
      ["replica.fetch.max.bytes", String(options.replication.replicaFetchMaxBytes)],
    ]),
  );
}

export class ClusterNode {
  /** The node once `startNode` resolved (serving clients), until it crashes. */
  running: RunningNode | null = null;
  /** The live incarnation's quorum, once it applied a batch. */
  quorum: MetadataQuorum | null = null;
  /** Counts starts; callbacks of an older start are ignored. */
  #incarnation = 0;
  readonly #config: BrokerConfig;

  constructor(
    readonly id: number,
    private readonly cluster: SimCluster,
    options: ClusterSimOptions,
    private readonly observer: NodeObserver,
  ) {
    this.#config = nodeConfig(id, options);
  }

  get name(): string {
    return nodeHostName(this.id);
  }

  /** Whether an incarnation runs (it may still be starting). */
  get up(): boolean {
    return this.cluster.host(this.name).running;
  }

  /** Which start this is (1 for the first). */
  get incarnation(): number {
    return this.#incarnation;
  }

  /** Boots a new incarnation over the host's disk. */
  start(): void {
    const world = this.cluster.start(this.name);
    const incarnation = ++this.#incarnation;
    const current = () => this.#incarnation === incarnation && this.up;
    this.running = null;
    this.quorum = null;
    MetadataQuorum.observers.set(world, {
      batchApplied: (quorum, batch) => {
        if (!current()) return;
        this.quorum = quorum;
        this.observer.batchApplied(this, quorum, batch);
      },
      snapshotLoaded: (_quorum, snapshot) => {
        if (current()) this.observer.snapshotLoaded(this, snapshot);
      },
    });
    this.observer.started(this);
    startNode(world, this.#config).then(
      (running) => {
        if (current()) this.running = running;
      },
      (error) => {
        if (current()) this.observer.startFailed(this, error);
      },
    );
  }

  /** Kills the running incarnation (see `SimHost.crash`). */
  crash(mode: CrashMode): void {
    this.cluster.crash(this.name, mode);
    this.#incarnation++;
    this.running = null;
    this.quorum = null;
  }
}
