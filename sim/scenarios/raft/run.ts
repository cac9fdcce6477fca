/**
 * One Raft simulation run, from a seed: the nodes of a quorum on simulated
 * hosts, a workload proposing values, and two phases, as TigerBeetle's VOPR:
 *
 * 1. safety: faults throughout (loss, duplication, delay and reordering,
 *    partitions, crashes with lost writes, pauses, clock jumps, bad input),
 *    every invariant checked after every step;
 * 2. liveness: faults stop, everything heals, and within a bound a leader
 *    must be elected, a new proposal acknowledged, and every node (observers
 *    too) must have applied it.
 */
import type { PlantedBugs } from "../../../src/raft/mod.ts";
import { type InvariantViolation, Violations } from "../../checkers/violation.ts";
import { SimCluster } from "../../../src/io/sim/mod.ts";
import { BadInputInjector, STRANGER_ID } from "../../faults/raft_bad_input.ts";
import { RaftCheckers } from "../../checkers/raft/raft_checkers.ts";
import { FaultInjector, type FaultStats } from "../../faults/raft_faults.ts";
import { type NetworkStats, RaftNetwork } from "./network.ts";
import { type RaftSimOptions, raftSimOptions } from "./options.ts";
import { RaftHost, type SimTraceEntry } from "./raft_host.ts";
import { Workload } from "./workload.ts";

/** Events one run may take (a livelock guard). */
const EVENTS_MAX = 5_000_000;

export interface RaftRunResult {
  seed: number;
  options: RaftSimOptions;
  violation: InvariantViolation | null;
  cluster: SimCluster;
  virtualMs: number;
  events: number;
  stats: {
    network: NetworkStats;
    faults: FaultStats;
    proposed: number;
    acknowledged: number;
    committedBatches: number;
    leaders: number;
    badInputs: number;
    stepsChecked: number;
    voterChanges: number;
  };
}

export interface RaftRunOptions {
  bugs?: PlantedBugs;
  /** Progress lines; silent by default. */
  log?: (line: string) => void;
  /** Changes the options derived from the seed (tests). */
  adjust?: (options: RaftSimOptions) => RaftSimOptions;
  /** Receives every node's trace entries, in the order they happen (for trace validation). */
  trace?: (entry: SimTraceEntry) => void;
}

/** The parts of one run and the steps between them. */
class RaftRun {
  readonly options: RaftSimOptions;
  readonly cluster: SimCluster;
  readonly violations = new Violations();
  readonly checkers = new RaftCheckers();
  readonly hosts: RaftHost[] = [];
  readonly network: RaftNetwork;
  readonly badInput: BadInputInjector;
  readonly faults: FaultInjector;
  readonly workload: Workload;

  constructor(readonly seed: number, private readonly runOptions: RaftRunOptions) {
    let options = raftSimOptions(seed, runOptions.bugs);
    if (runOptions.adjust) options = runOptions.adjust(options);
    this.options = options;
    const cluster = new SimCluster({
      seed,
      disk: { tornWriteProbability: options.disk.tornWriteProbability },
    });
    this.cluster = cluster;
    this.badInput = new BadInputInjector(cluster.random.fork("bad-input"), options.voters);
    this.network = new RaftNetwork(
      cluster.scheduler,
      cluster.random.fork("raft-network"),
      options.network,
      (message) =>
        this.guard(() => {
          if (message.to === STRANGER_ID) return this.badInput.onResponse(message);
          this.hosts.find((host) => host.id === message.to)?.deliver(message);
        }),
    );
    for (const id of [...options.voters, ...options.observers]) {
      this.hosts.push(
        new RaftHost(id, cluster, this.network, options, this.checkers, runOptions.trace ?? null),
      );
    }
    this.checkers.hosts = this.hosts;
    const random = (label: string) => cluster.random.fork(label);
    this.faults = new FaultInjector(
      cluster.scheduler,
      random("raft-faults"),
      options.faults,
      this.network,
      this.hosts,
      (line) => this.log(line),
    );
    this.workload = new Workload(
      cluster.scheduler,
      random("raft-workload"),
      options.workload,
      this.hosts,
      this.checkers,
      seed,
    );
    this.workload.membership = options.membership;
  }

  log(line: string): void {
    this.cluster.log.add(`${String(this.cluster.scheduler.nowMs).padStart(9)} ${line}`);
    this.runOptions.log?.(line);
  }

  /** Runs `action`, recording (not throwing) a broken invariant; nothing runs after the first. */
  guard(action: () => void): void {
    if (this.violations.first !== null) return;
    try {
      action();
    } catch (error) {
      this.violations.record(error);
    }
  }

  /** Bad requests into random nodes at seeded intervals, while faults last. */
  #scheduleBadInput(): void {
    const meanMs = this.options.faults.badInputIntervalMs;
    // The bad input's expected answers are a static quorum's: with dynamic voters (KIP-853) a
    // request from a node outside the voter set is no longer refused (it may be a new voter).
    if (!Number.isFinite(meanMs) || this.options.membership !== null) return;
    const random = this.cluster.random.fork("raft-bad-input-timing");
    const next = () => {
      this.guard(() => {
        const running = this.hosts.filter((host) => host.running);
        if (running.length > 0) this.badInput.inject(random.pick(running));
      });
      if (this.network.faulty) this.cluster.scheduler.schedule(1 + random.int(2 * meanMs), next);
    };
    this.cluster.scheduler.schedule(1 + random.int(2 * meanMs), next);
  }

  async safetyPhase(): Promise<void> {
    this.guard(() => {
      for (const host of this.hosts) host.start();
      this.faults.start();
      this.workload.start();
    });
    this.#scheduleBadInput();
    await this.cluster.runUntil(() => this.violations.first !== null, {
      maxVirtualMs: this.options.safetyPhaseMs,
      maxEvents: EVENTS_MAX,
    }).catch((error) => this.violations.record(error));
  }

  /** Faults stop; a new proposal must be acknowledged and applied by every node (observers too) in time. */
  async livenessPhase(): Promise<void> {
    this.log("[sim] liveness phase");
    this.guard(() => {
      this.network.faulty = false;
      this.workload.allowResign = false;
      this.faults.stop();
      this.workload.markPhase();
    });
    const everyNodeApplied = (offset: number) =>
      this.hosts.every((host) => host.running && host.app.appliedOffset > offset);
    const live = await this.cluster.runUntil(() => {
      if (this.violations.first !== null) return true;
      const offset = this.workload.acknowledgedSincePhase();
      return offset !== null && everyNodeApplied(offset);
    }, { maxVirtualMs: this.options.livenessBoundMs, maxEvents: EVENTS_MAX }).catch((error) => {
      this.violations.record(error);
      return true;
    });
    if (!live && this.violations.first === null) {
      this.violations.report(
        "a leader is elected and commits within the bound",
        `no proposal acknowledged and applied everywhere within ${this.options.livenessBoundMs} ms after ` +
          `healing (${this.#describeNodes()})`,
      );
    }
  }

  #describeNodes(): string {
    const states = this.hosts.map((host) =>
      host.node === null
        ? `${host.id}: down`
        : `${host.id}: ${host.node.role} e${host.node.epoch} leader ${host.node.leaderId}, ` +
          `applied ${host.app.appliedOffset}, high watermark ${host.node.highWatermark}`
    );
    states.push(`acknowledged ${this.workload.acknowledgedSincePhase() ?? "none"}`);
    return states.join("; ");
  }

  result(): RaftRunResult {
    const { cluster, checkers } = this;
    return {
      seed: this.seed,
      options: this.options,
      violation: this.violations.first,
      cluster,
      virtualMs: cluster.scheduler.nowMs,
      events: cluster.scheduler.eventsRun,
      stats: {
        network: this.network.stats,
        faults: this.faults.stats,
        proposed: this.workload.proposed,
        acknowledged: checkers.acknowledged.length,
        committedBatches: checkers.history.size,
        leaders: checkers.leaders.size,
        badInputs: this.badInput.injected,
        stepsChecked: checkers.stepsChecked,
        voterChanges: this.workload.voterChanges,
      },
    };
  }
}

/** Runs one seed: the safety phase, then (if nothing broke) the liveness phase. */
export async function runRaftSeed(seed: number, runOptions: RaftRunOptions = {}): Promise<RaftRunResult> {
  const run = new RaftRun(seed, runOptions);
  await run.safetyPhase();
  if (run.violations.first === null) await run.livenessPhase();
  run.workload.stop();
  return run.result();
}
