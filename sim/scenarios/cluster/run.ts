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
 *
 * Beside the metadata changes, a replicated topic (RF 3, min.insync.replicas
 * 2) takes produce and fetch traffic (replicated_workload.ts), checked by
 * sim/checkers/replication/ after every step, at every scan interval, and at
 * the end of the liveness phase, once every partition has its whole ISR back
 * and equal logs.
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
import { type CheckedNode, ReplicationChecker } from "../../checkers/replication/replication_checker.ts";
import { plantReplicationBug } from "../../faults/replication_planted_bugs.ts";
import {
  MIN_INSYNC_REPLICAS,
  REPLICATED_TOPIC,
  ReplicatedWorkload,
  type ReplicatedWorkloadStats,
  REPLICATION_FACTOR,
} from "./replicated_workload.ts";
import { recordIdOfValue } from "./replicated_records.ts";

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
  replication: ReplicatedWorkloadStats & {
    leaderEpochs: number;
    scans: number;
    committedBatchesSeen: number;
    excusedOverwrites: number;
    dataLosses: number;
  };
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
  readonly replicated: ReplicatedWorkload;
  readonly replication: ReplicationChecker;
  nodeStarts = 0;
  stepsChecked = 0;
  #lastScanMs = 0;
  #lastReplicationCheckMs = -1;

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
    const clientWorld = this.cluster.start(CLIENT_HOST);
    this.workload = new MetadataWorkload(clientWorld, random("cluster-workload"), options.workload, hosts);
    this.replication = new ReplicationChecker({
      violations: this.violations,
      readId: recordIdOfValue,
      replicationFactor: REPLICATION_FACTOR,
      minInsyncReplicas: MIN_INSYNC_REPLICAS,
      nowMs: () => this.cluster.scheduler.nowMs,
    });
    this.replicated = new ReplicatedWorkload(
      clientWorld,
      random("cluster-replicated-workload"),
      options.replication,
      hosts,
      {
        nowMs: () => this.cluster.scheduler.nowMs,
        acknowledged: (ack) => this.guard(() => this.replication.acknowledged(ack)),
        consumed: (partition, batch, host) =>
          this.guard(() => this.replication.consumed(partition, batch, host)),
      },
    );
    this.faults = new ClusterFaults(
      this.cluster,
      random("cluster-faults"),
      options.faults,
      this.nodes,
      CLIENT_HOST,
      (line) => this.log(line),
    );
    this.faults.diskLossProbability = options.replication.diskLossProbability;
    this.faults.replicaFolders = () =>
      Array.from(
        { length: options.replication.partitions },
        (_, index) => `/data/${REPLICATED_TOPIC}-${index}`,
      );
    this.faults.onDataLoss = (node, kind) =>
      this.replication.losses.add({
        nodeId: node.id,
        atMs: this.cluster.scheduler.nowMs,
        kind,
        soleIsrOf: [],
      });
  }

  /** While a node that lost data is away, notes every partition whose committed ISR it alone is. */
  #watchSoleIsrs(): void {
    if (!this.replication.losses.anyOpen) return;
    for (const node of this.nodes) {
      if (node.running !== null) this.replication.losses.returned(node.id);
    }
    const topic = this.history.imageAt(this.history.endOffset).topicsByName.get(REPLICATED_TOPIC);
    for (const partition of topic?.partitions ?? []) {
      if (partition.isr.length === 1) this.replication.losses.soleIsr(partition.partition, partition.isr[0]!);
    }
  }

  /** The running nodes as the replication checker reads them. */
  #checkedNodes(): CheckedNode[] {
    const checked: CheckedNode[] = [];
    for (const node of this.nodes) {
      const broker = node.running?.broker;
      if (broker === undefined) continue;
      checked.push({
        id: node.id,
        incarnation: node.incarnation,
        replica: (partition) => broker.replica(REPLICATED_TOPIC, partition),
      });
    }
    return checked;
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
      // The replication invariants once per virtual millisecond: what they watch (roles, high
      // watermarks, ISRs) holds for longer, and many events share a millisecond.
      const nowMs = this.cluster.scheduler.nowMs;
      if (nowMs === this.#lastReplicationCheckMs) return;
      this.#lastReplicationCheckMs = nowMs;
      this.#watchSoleIsrs();
      if (!this.replicated.created) return;
      const checked = this.#checkedNodes();
      const partitions = this.options.replication.partitions;
      const image = this.history.imageAt(this.history.endOffset);
      const topic = image.topicsByName.get(REPLICATED_TOPIC);
      this.replication.observe(checked, partitions, (partition) => topic?.partitions[partition]?.isr);
      if (nowMs - this.#lastScanMs >= this.options.replication.scanIntervalMs) {
        this.#lastScanMs = nowMs;
        this.replication.scan(checked, partitions);
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
    this.replicated.start();
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
    this.replicated.stop();
    this.faults.stop();
    const deadlineMs = this.cluster.scheduler.nowMs + this.options.livenessBoundMs;
    const stage = async (what: string, done: () => boolean): Promise<boolean> => {
      const reached = await this.#runUntil(done, deadlineMs);
      if (!reached && this.violations.first === null) {
        this.violations.report(
          "the healed cluster recovers within the bound",
          `not within ${this.options.livenessBoundMs} ms: ${what} (${this.#describeNodes()}; ` +
            `${this.#describeReplicas()})`,
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
    const replicated = () => this.replicated.created && this.#replicasConverged();
    if (!await stage("every replicated partition has its whole ISR and equal logs", replicated)) return;
    this.guard(() => this.#checkFinalReplicas());
  }

  /** Every partition of the replicated topic: led as the controller says, ISR of 3, every log equal and committed. */
  #replicasConverged(): boolean {
    const image = this.nodes.find((node) => node.quorum?.isActiveController)?.running?.broker.image;
    const topic = image?.topicsByName.get(REPLICATED_TOPIC);
    if (topic === undefined) return false;
    return topic.partitions.every((wanted) => {
      if (wanted.isr.length !== REPLICATION_FACTOR || wanted.leader < 0) return false;
      const leader = this.nodes.find((node) => node.id === wanted.leader)?.running?.broker
        .replica(REPLICATED_TOPIC, wanted.partition);
      if (
        leader?.leaderState?.isr.length !== REPLICATION_FACTOR || leader.leaderEpoch !== wanted.leaderEpoch
      ) {
        return false;
      }
      const end = leader.log.logEndOffset;
      return wanted.replicas.every((id) => {
        const replica = this.nodes.find((node) => node.id === id)?.running?.broker
          .replica(REPLICATED_TOPIC, wanted.partition);
        return replica !== undefined && replica.log.logEndOffset === end && replica.highWatermark === end;
      });
    });
  }

  /** The replicated topic as the active controller and each node see it. */
  #describeReplicas(): string {
    const image = this.nodes.find((node) => node.quorum?.isActiveController)?.running?.broker.image;
    const topic = image?.topicsByName.get(REPLICATED_TOPIC);
    if (topic === undefined) return `${REPLICATED_TOPIC}: not in the active controller's image`;
    return topic.partitions.map((wanted) => {
      const views = this.nodes.map((node) => {
        const replica = node.running?.broker.replica(REPLICATED_TOPIC, wanted.partition);
        if (replica === undefined) return `${node.name} none`;
        const follower = replica.followerState;
        const role = replica.isLeader
          ? `leads e${replica.leaderEpoch} isr ${replica.leaderState!.isr}`
          : `follows ${follower?.leaderId} e${follower?.leaderEpoch}`;
        return `${node.name} ${role} end ${replica.log.logEndOffset} hw ${replica.highWatermark}`;
      });
      return `${REPLICATED_TOPIC}-${wanted.partition}: leader ${wanted.leader} e${wanted.leaderEpoch} ` +
        `isr ${wanted.isr} replicas ${wanted.replicas}; ${views.join(", ")}`;
    }).join("; ");
  }

  #checkFinalReplicas(): void {
    const image = this.nodes.find((node) => node.quorum?.isActiveController)!.running!.broker.image;
    for (const wanted of image.topicsByName.get(REPLICATED_TOPIC)!.partitions) {
      const replicas = wanted.replicas.map((nodeId) => ({
        nodeId,
        replica: this.nodes.find((node) => node.id === nodeId)!.running!.broker
          .replica(REPLICATED_TOPIC, wanted.partition)!,
      }));
      const leader = replicas.find((replica) => replica.nodeId === wanted.leader)!;
      this.replication.finalCheck(wanted.partition, leader, replicas.filter((replica) => replica !== leader));
    }
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
        replication: {
          ...this.replicated.stats,
          leaderEpochs: this.replication.leaders.size,
          scans: this.replication.scans,
          committedBatchesSeen: this.replication.history.batchesSeen,
          excusedOverwrites: this.replication.history.excusedOverwrites,
          dataLosses: this.replication.losses.count,
        },
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
  const bug = run.options.bugs.replication;
  const unplant = bug === undefined ? () => {} : plantReplicationBug(bug);
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
    unplant();
    run.workload.close();
    run.replicated.close();
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
    `${result.stats.snapshotsLoaded} snapshots loaded; ${result.virtualMs} virtual ms, ${result.events} events; ` +
    summarizeReplication(result.stats.replication);
}

function summarizeReplication(stats: ClusterRunStats["replication"]): string {
  const refusals = Object.entries(stats.refusals).map(([name, count]) => `${name} ${count}`).join(", ");
  return `replicated topic${stats.topicCreated ? "" : " never created"}: ${stats.batches} batches, ` +
    `${stats.acknowledgedAll} acknowledged with acks=all and ${stats.acknowledgedOne} with acks=1, ` +
    `${stats.retries} retries, ${stats.abandoned} given up, ${stats.newProducerIds} producer ids, ` +
    `refusals {${refusals}}, ${stats.consumedBatches} batches consumed; ${stats.leaderEpochs} leader epochs, ` +
    `${stats.dataLosses} data losses, ${stats.excusedOverwrites} excused overwrites, ` +
    `${stats.committedBatchesSeen} committed batches checked in ${stats.scans} scans`;
}
