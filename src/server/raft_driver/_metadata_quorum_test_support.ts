/**
 * MetadataQuorum on its own in the simulator: one to three voters, each a
 * simulated host with its metadata log folder on its disk and (with more
 * than one voter) a controller listener that serves only the Raft APIs,
 * over the same RaftPeers and handlers a real node uses. The image is a
 * map of broker configs, enough to see what was applied and to compare
 * the image rebuilt at start-up with the one before.
 */
import { type CrashMode, SimCluster } from "../../io/sim/mod.ts";
import type { VoterAddress } from "../../config/mod.ts";
import type { Listener, World } from "../../io/mod.ts";
import {
  type ConfigRecord,
  ConfigResourceType,
  type MetadataRecord,
  MetadataRecordType,
} from "../../metadata/mod.ts";
import { fakeServices } from "../_handler_test_support.ts";
import { ClientConnection } from "../connection.ts";
import type { ApiHandler } from "../handler.ts";
import {
  beginQuorumEpochHandler,
  endQuorumEpochHandler,
  fetchSnapshotHandler,
  raftFetchHandler,
  voteHandler,
} from "../handlers/controller/mod.ts";
import { type MetadataApplier, MetadataQuorum } from "./metadata_quorum.ts";
import { RaftPeers } from "./raft_peers.ts";

export const CONTROLLER_PORT = 9093;
export const METADATA_DIRECTORY = "/metadata/__cluster_metadata-0";
const CLUSTER_ID = "quorum-test-cluster";

const RAFT_HANDLERS: ReadonlyMap<number, ApiHandler> = new Map(
  [voteHandler, beginQuorumEpochHandler, endQuorumEpochHandler, raftFetchHandler, fetchSnapshotHandler].map(
    (handler) => [handler.schema.apiKey, handler],
  ),
);

/** A broker config change, the simplest metadata record. */
export function configRecord(name: string, value: string | null): ConfigRecord {
  return {
    type: MetadataRecordType.Config,
    resourceType: ConfigResourceType.Broker,
    resourceName: "",
    name,
    value,
  };
}

/** An image of broker configs, built from snapshots and committed batches. */
export class ConfigImage implements MetadataApplier {
  readonly values = new Map<string, string>();
  /** Snapshots loaded, at start-up or from the leader. */
  snapshotsLoaded = 0;
  /** The end offset of every batch applied with records, in order. */
  readonly appliedEndOffsets: number[] = [];

  loadSnapshot(records: MetadataRecord[]): void {
    this.values.clear();
    this.#applyAll(records);
    this.snapshotsLoaded++;
  }

  apply(records: MetadataRecord[], endOffset: number): void {
    this.#applyAll(records);
    this.appliedEndOffsets.push(endOffset);
  }

  snapshotRecords(): MetadataRecord[] {
    return [...this.values].sort(([left], [right]) => left < right ? -1 : 1).map(([name, value]) =>
      configRecord(name, value)
    );
  }

  #applyAll(records: MetadataRecord[]): void {
    for (const record of records) {
      if (record.type !== MetadataRecordType.Config) continue;
      if (record.value === null) this.values.delete(record.name);
      else this.values.set(record.name, record.value);
    }
  }
}

/** One running voter. */
export interface Voter {
  nodeId: number;
  host: string;
  world: World;
  quorum: MetadataQuorum;
  image: ConfigImage;
}

export interface QuorumHarnessOptions {
  seed: number;
  voterIds: number[];
  snapshotEveryBytes?: number;
  segmentBytes?: number;
  proposalTimeoutMs?: number;
}

/** Voters of one quorum in one SimCluster. */
export class QuorumHarness {
  readonly cluster: SimCluster;
  readonly #voters = new Map<number, Voter>();
  readonly #addresses: Map<number, VoterAddress>;

  constructor(private readonly options: QuorumHarnessOptions) {
    this.cluster = new SimCluster({ seed: options.seed });
    this.#addresses = new Map(
      options.voterIds.map((nodeId) => [nodeId, { nodeId, host: hostOf(nodeId), port: CONTROLLER_PORT }]),
    );
  }

  /** Starts every voter. */
  async startAll(): Promise<void> {
    for (const nodeId of this.options.voterIds) await this.start(nodeId);
  }

  /** The running voter `nodeId`. */
  voter(nodeId: number): Voter {
    const voter = this.#voters.get(nodeId);
    if (voter === undefined) throw new Error(`voter ${nodeId} is not running`);
    return voter;
  }

  /** The running voters. */
  get voters(): Voter[] {
    return [...this.#voters.values()];
  }

  /** The active controller, if one runs. */
  activeController(): Voter | undefined {
    return this.voters.find((voter) => voter.quorum.isActiveController);
  }

  /** Starts (or, after a crash, restarts) voter `nodeId` over its disk. */
  async start(nodeId: number): Promise<Voter> {
    const host = hostOf(nodeId);
    const world = this.cluster.start(host);
    const image = new ConfigImage();
    const several = this.options.voterIds.length > 1;
    const quorum = new MetadataQuorum({
      world,
      nodeId,
      clusterId: CLUSTER_ID,
      voterIds: this.options.voterIds,
      directory: METADATA_DIRECTORY,
      timeouts: {},
      segmentBytes: this.options.segmentBytes ?? 1024 * 1024,
      snapshotEveryBytes: this.options.snapshotEveryBytes ?? 1024 * 1024,
      proposalTimeoutMs: this.options.proposalTimeoutMs ?? 60_000,
      peers: several ? new RaftPeers(world.net, nodeId, this.#addresses) : null,
      applier: image,
    });
    if (several) serveRaft(await world.net.listen({ host, port: CONTROLLER_PORT }), quorum, world);
    quorum.start();
    const voter = { nodeId, host, world, quorum, image };
    this.#voters.set(nodeId, voter);
    return voter;
  }

  /** Crashes voter `nodeId` (its objects stay, but none of its code runs again). */
  crash(nodeId: number, mode: CrashMode): void {
    this.cluster.crash(hostOf(nodeId), mode);
    this.#voters.delete(nodeId);
  }

  /** Cuts voter `nodeId` off from every other voter. */
  isolate(nodeId: number): void {
    for (const other of this.options.voterIds) this.cluster.net.partition(hostOf(nodeId), hostOf(other));
  }

  healAll(): void {
    this.cluster.net.healAll();
  }

  /** Runs the simulation until `work` settles (at most `maxVirtualMs`). */
  run<T>(work: Promise<T>, maxVirtualMs = 30_000): Promise<T> {
    return this.cluster.scheduler.runUntilSettled(work, { maxVirtualMs });
  }

  /** Runs the simulation until `predicate` holds; throws naming `what` if it does not within the bound. */
  async runUntil(predicate: () => boolean, what: string, maxVirtualMs = 30_000): Promise<void> {
    const held = await this.cluster.runUntil(predicate, { maxVirtualMs });
    if (!held) {
      this.cluster.printLog();
      throw new Error(`${what}: not within ${maxVirtualMs} virtual ms`);
    }
  }

  /** Runs until one voter is the active controller, and returns it. */
  async waitForActiveController(): Promise<Voter> {
    await this.runUntil(() => this.activeController() !== undefined, "an active controller");
    return this.activeController()!;
  }
}

function hostOf(nodeId: number): string {
  return `voter-${nodeId}`;
}

/** Serves the Raft APIs on `listener` with the node's own handlers. */
function serveRaft(listener: Listener, quorum: MetadataQuorum, world: World): void {
  // The Raft handlers use nothing of the node but its quorum.
  const services = fakeServices({ raft: quorum });
  let connectionId = 0;
  void (async () => {
    while (true) {
      const connection = await listener.accept();
      if (connection === null) return;
      void new ClientConnection(connection, {
        services,
        handlers: RAFT_HANDLERS,
        listenerName: "CONTROLLER",
        viaControllerListener: true,
        connectionId: ++connectionId,
        maxRequestBytes: 100 * 1024 * 1024,
        log: world.log,
      }).serve();
    }
  })();
}
