/**
 * One cluster simulation run, from a seed: three Dafka nodes (broker and
 * controller each, the real `startNode`) and a client host in one
 * SimCluster, and two phases, as TigerBeetle's VOPR:
 *
 * 1. safety: the workload sends metadata changes to random nodes while
 *    partitions, connection resets, crashes (power loss or killed
 *    process, restarted later) and pauses (a stopped process) hit the
 *    cluster; the invariants are checked after every scheduler step and
 *    every applied batch;
 * 2. liveness: faults stop, everything heals, stopped nodes start; within
 *    a bound every node must serve with an active controller, a
 *    CreateTopics sent to each node must succeed, and every node must reach
 *    the same applied offset and the same image. Then every acknowledged
 *    change must show in that image.
 */
import type { RaftBatch, Snapshot } from "../../../src/raft/mod.ts";
import type { MetadataQuorum } from "../../../src/server/raft_driver/mod.ts";
import { type InvariantViolation, Violations } from "../../checkers/violation.ts";
import { SimCluster } from "../../../src/io/sim/mod.ts";
import { ActiveControllers } from "../../checkers/cluster/active_controllers.ts";
import { AppliedHistory } from "../../checkers/cluster/applied_history.ts";
import { checkFinalImages } from "../../checkers/cluster/final_images.ts";
import { ClusterNode, CONTROLLER_PORT, type NodeObserver } from "./cluster_node.ts";
import { ClusterFaults, type ClusterFaultStats } from "../../faults/cluster_faults.ts";
import type { MetadataChange } from "./metadata_requests.ts";
import { type ClusterPlantedBugs, type ClusterSimOptions, clusterSimOptions } from "./options.ts";
import { plantBugs } from "../../faults/cluster_planted_bugs.ts";
import { MetadataWorkload, type WorkloadStats } from "./workload.ts";

/** Events one stage of a run may take (a livelock guard). */
const EVENTS_MAX = 5_000_000;
const CLIENT_HOST = "client";
/** Pause between two CreateTopics attempts of the liveness phase. */
const LIVENESS_RETRY_MS = 100;

export interface ClusterRunStats {
  faults: ClusterFaultStats;
  workload: WorkloadStats;
  /** Epochs that had an active controller, and how many distinct nodes held the office. */
  controllerEpochs: number;
  controllerNodes: number;
  /** Batches in the common history, snapshots loaded by nodes, node starts. */
  batches: number;
  snapshotsLoaded: number;
  nodeStarts: number;
  stepsChecked: number;
}

export interface ClusterRunResult {
  seed: number;
  options: ClusterSimOptions;
  violation: InvariantViolation | null;
  cluster: SimCluster;
  virtualMs: number;
  events: number;
  fingerprint: number;
  stats: ClusterRunStats;
}

export interface ClusterRunOptions {
  bugs?: ClusterPlantedBugs;
  /** Progress lines; silent by default. */
  log?: (line: string) => void;
  /** Changes the options derived from the seed (tests). */
  adjust?: (options: ClusterSimOptions) => ClusterSimOptions;
}

class ClusterRun implements NodeObserver {
  readonly options: ClusterSimOptions;
  readonly cluster: SimCluster;
  readonly violations = new Violations();
  readonly history = new AppliedHistory();
  readonly controllers = new ActiveControllers();
  readonly nodes: ClusterNode[];
  readonly workload: MetadataWorkload;
  readonly faults: ClusterFaults;
  nodeStarts = 0;
  stepsChecked = 0;

  constructor(readonly seed: number, private readonly runOptions: ClusterRunOptions) {
    let options = clusterSimOptions(seed, runOptions.bugs);
    if (runOptions.adjust) options = runOptions.adjust(options);
    this.options = options;
    this.cluster = new SimCluster({
      seed,
      net: options.network,
      disk: options.disk,
      clockSkewMaxMs: options.clockSkewMaxMs,
    });
    const random = (label: string) => this.cluster.random.fork(label);
    this.nodes = options.nodeIds.map((id) => new ClusterNode(id, this.cluster, options, this));
    const hosts = this.nodes.map((node) => node.name);
    this.workload = new MetadataWorkload(
      this.cluster.start(CLIENT_HOST),
      random("cluster-workload"),
      options.workload,
      hosts,
    );
    this.faults = new ClusterFaults(
      this.cluster,
      random("cluster-faults"),
      options.faults,
      this.nodes,
      CLIENT_HOST,
      (line) => this.log(line),
    );
  }

  log(line: string): void {
    this.cluster.log.add(`${String(this.cluster.scheduler.nowMs).padStart(9)} ${line}`);
    this.runOptions.log?.(line);
  }

  /** Runs `action`, recording (not throwing) a broken invariant: it may run inside node code. */
  guard(action: () => void): void {
    if (this.violations.first !== null) return;
    try {
      action();
    } catch (error) {
      this.violations.record(error);
    }
  }

  started(node: ClusterNode): void {
    this.nodeStarts++;
    this.guard(() => this.history.started(node.id));
  }

  batchApplied(node: ClusterNode, quorum: MetadataQuorum, batch: RaftBatch): void {
    this.guard(() => {
      this.history.batchApplied(node.id, batch);
      if (quorum.isActiveController) this.controllers.observe(node.id, quorum.node.epoch);
    });
    if (this.options.bugs.acknowledgeCreateBeforeCommit) plantBugs(quorum, this.options.bugs);
  }

  snapshotLoaded(node: ClusterNode, snapshot: Snapshot): void {
    this.guard(() => this.history.snapshotLoaded(node.id, snapshot));
  }

  startFailed(node: ClusterNode, error: unknown): void {
    this.violations.report(
      "a node starts from whatever its disk holds",
      `${node.name} (start ${node.incarnation}): ${(error as Error)?.stack ?? String(error)}`,
    );
  }

  /** The checks after every scheduler step; true once an invariant broke. */
  #step(): boolean {
    this.guard(() => {
      this.stepsChecked++;
      for (const node of this.nodes) {
        const quorum = node.quorum;
        if (quorum?.isActiveController) this.controllers.observe(node.id, quorum.node.epoch);
      }
    });
    return this.violations.first !== null;
  }

  /** Runs the simulation until `done` holds (checking every step) or `deadlineMs`; false on timeout. */
  async #runUntil(done: () => boolean, deadlineMs: number): Promise<boolean> {
    try {
      return await this.cluster.runUntil(() => this.#step() || done(), {
        maxVirtualMs: Math.max(0, deadlineMs - this.cluster.scheduler.nowMs),
        maxEvents: EVENTS_MAX,
      });
    } catch (error) {
      this.violations.record(error);
      return true;
    }
  }

  async safetyPhase(): Promise<void> {
    for (const node of this.nodes) node.start();
    this.faults.start();
    this.workload.start();
    if (this.options.dynamicQuorum) this.#growQuorum();
    await this.#runUntil(() => false, this.cluster.scheduler.nowMs + this.options.safetyPhaseMs);
  }

  /**
   * Dynamic quorum: every 200 ms the active controller is asked to add a node
   * that is not a voter yet (it refuses while that node lags or the previous
   * change is uncommitted, and a crash may lose the request), until all are.
   */
  #growQuorum(): void {
    const scheduler = this.cluster.scheduler;
    const next = () => {
      this.guard(() => {
        const active = this.nodes.find((node) => node.up && node.quorum?.isActiveController);
        const quorum = active?.quorum;
        if (quorum === undefined || quorum === null) return;
        const voters = quorum.voters.map((voter) => voter.voterId);
        const candidate = this.nodes.find((node) => !voters.includes(node.id));
        if (candidate === undefined) return;
        const endpoints = [{ name: "CONTROLLER", host: candidate.name, port: CONTROLLER_PORT }];
        quorum.addVoter({ voterId: candidate.id, directoryId: null, endpoints }, 5000).then(
          () => this.log(`[sim] node ${candidate.id} added as a voter`),
          () => {},
        );
      });
      if (!this.#grown()) scheduler.schedule(200, next);
    };
    scheduler.schedule(200, next);
  }

  /** Whether every node is a voter in the active controller's view. */
  #grown(): boolean {
    const quorum = this.nodes.find((node) => node.up && node.quorum?.isActiveController)?.quorum;
    return quorum !== undefined && quorum !== null && quorum.voters.length === this.nodes.length;
  }

  async livenessPhase(): Promise<void> {
    this.log("[sim] liveness phase");
    this.workload.stop();
    this.faults.stop();
    const deadlineMs = this.cluster.scheduler.nowMs + this.options.livenessBoundMs;
    const stage = async (what: string, done: () => boolean): Promise<boolean> => {
      const reached = await this.#runUntil(done, deadlineMs);
      if (!reached && this.violations.first === null) {
        this.violations.report(
          "the healed cluster recovers within the bound",
          `not within ${this.options.livenessBoundMs} ms: ${what} (${this.#describeNodes()})`,
        );
      }
      return reached && this.violations.first === null;
    };
    const serving = () => this.nodes.every((node) => node.running !== null) && this.#activeController();
    if (!await stage("every node serves and a controller is active", serving)) return;
    if (this.options.dynamicQuorum && !await stage("every node is a voter", () => this.#grown())) return;
    let created = 0;
    for (const node of this.nodes) {
      this.#createThrough(node, deadlineMs).then((acknowledged) => created += acknowledged ? 1 : 0);
    }
    const allCreated = () => created === this.nodes.length;
    if (!await stage("a CreateTopics sent to each node succeeds", allCreated)) return;
    if (!await stage("every node applies the same history", () => this.#converged())) return;
    this.guard(() => checkFinalImages(this.nodes, this.history, this.workload.ledger));
  }

  #activeController(): boolean {
    return this.nodes.some((node) => node.quorum?.isActiveController === true);
  }

  /** Asks `node` to create a fresh topic until one is acknowledged or the bound passes. */
  async #createThrough(node: ClusterNode, deadlineMs: number): Promise<boolean> {
    for (let attempt = 1; this.cluster.scheduler.nowMs < deadlineMs; attempt++) {
      const change: MetadataChange = {
        kind: "create",
        topic: `live-${node.id}-${attempt}`,
        partitions: 1,
        replicationFactor: 1,
      };
      if (await this.workload.apply(change, node.name, 1)) return true;
      await this.workload.sleep(LIVENESS_RETRY_MS);
    }
    return false;
  }

  /** Every node has applied its whole log, the same length everywhere (nothing left uncommitted). */
  #converged(): boolean {
    const quorums = this.nodes.map((node) => node.running?.broker.quorum);
    const offset = quorums[0]?.appliedOffset;
    return quorums.every((quorum) =>
      quorum !== undefined && quorum.appliedOffset === offset && quorum.logEndOffset === offset
    );
  }

  #describeNodes(): string {
    return this.nodes.map((node) => {
      if (!node.up) return `${node.name} down`;
      const quorum = node.running?.broker.quorum ?? node.quorum;
      const serving = node.running === null ? "starting" : "serving";
      if (quorum === null) return `${node.name} ${serving}, nothing applied`;
      const raft = quorum.node;
      return `${node.name} ${serving}, ${raft.role} e${raft.epoch} leader ${raft.leaderId}` +
        `${quorum.isActiveController ? " (active)" : ""}, applied ${quorum.appliedOffset}, ` +
        `high watermark ${raft.highWatermark}, log end ${quorum.logEndOffset}`;
    }).join("; ");
  }

  result(): ClusterRunResult {
    const { cluster } = this;
    return {
      seed: this.seed,
      options: this.options,
      violation: this.violations.first,
      cluster,
      virtualMs: cluster.scheduler.nowMs,
      events: cluster.scheduler.eventsRun,
      fingerprint: cluster.scheduler.fingerprint,
      stats: {
        faults: this.faults.stats,
        workload: this.workload.stats,
        controllerEpochs: this.controllers.byEpoch.size,
        controllerNodes: this.controllers.distinctNodes,
        batches: this.history.size,
        snapshotsLoaded: this.history.snapshotsLoaded,
        nodeStarts: this.nodeStarts,
        stepsChecked: this.stepsChecked,
      },
    };
  }
}

/** Runs one seed: the safety phase, then (if nothing broke) the liveness phase. */
export async function runClusterSeed(
  seed: number,
  runOptions: ClusterRunOptions = {},
): Promise<ClusterRunResult> {
  const run = new ClusterRun(seed, runOptions);
  // Node code that throws where nobody awaits (a connection's read loop) surfaces here.
  const onUnhandled = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    run.violations.record(event.reason, "no unhandled error");
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  try {
    await run.safetyPhase();
    if (run.violations.first === null) await run.livenessPhase();
  } catch (error) {
    run.violations.record(error, "the simulation runs");
  } finally {
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
    run.workload.close();
  }
  return run.result();
}

/** One line about a run. */
export function summarizeRun(result: ClusterRunResult): string {
  const { faults, workload } = result.stats;
  return `${faults.powerLosses} power losses, ${faults.processKills} killed processes, ` +
    `${faults.isolations} isolations, ${faults.partitions} cut links, ${faults.resets} resets, ` +
    `${faults.pauses} pauses; ` +
    `${result.stats.controllerEpochs} controller epochs on ${result.stats.controllerNodes} nodes; ` +
    `${workload.attempts} requests, ${workload.acknowledged} acknowledged, ${workload.timeouts} timed out, ` +
    `${workload.connectionErrors} connection errors; ${result.stats.batches} batches, ` +
    `${result.stats.snapshotsLoaded} snapshots loaded; ${result.virtualMs} virtual ms, ${result.events} events`;
}
