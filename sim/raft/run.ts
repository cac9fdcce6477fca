/**
 * One Raft simulation run, from a seed: the nodes of a quorum on simulated
 * hosts, a workload proposing values, and two phases, as TigerBeetle's VOPR:
 *
 * 1. safety: faults throughout (loss, duplication, delay and reordering,
 *    partitions, crashes with lost writes, pauses, clock jumps, bad input),
 *    every invariant checked after every step;
 * 2. liveness: faults stop, everything heals, and within a bound a leader
 *    must be elected and a new proposal must be acknowledged.
 */
import type { PlantedBugs } from "../../src/raft/types.ts";
import type { InvariantViolation } from "../checkers/violation.ts";
import { Violations } from "../checkers/violation.ts";
import { SimCluster } from "../world.ts";
import { BadInputInjector, STRANGER_ID } from "./bad_input.ts";
import { RaftCheckers } from "./checkers/raft_checkers.ts";
import { FaultInjector, type FaultStats } from "./faults.ts";
import { type NetworkStats, RaftNetwork } from "./network.ts";
import { raftSimOptions, type RaftSimOptions } from "./options.ts";
import { RaftHost } from "./raft_host.ts";
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
  };
}

export interface RaftRunOptions {
  bugs?: PlantedBugs;
  /** Progress lines; silent by default. */
  log?: (line: string) => void;
  /** Changes the options derived from the seed (tests). */
  adjust?: (options: RaftSimOptions) => RaftSimOptions;
}

export async function runRaftSeed(seed: number, runOptions: RaftRunOptions = {}): Promise<RaftRunResult> {
  let options = raftSimOptions(seed, runOptions.bugs);
  if (runOptions.adjust) options = runOptions.adjust(options);
  const cluster = new SimCluster({ seed, disk: { tornWriteProbability: options.disk.tornWriteProbability } });
  const violations = new Violations();
  const checkers = new RaftCheckers();
  const badInput = new BadInputInjector(cluster.random.fork("bad-input"), options.voters);
  const hosts: RaftHost[] = [];
  const guard = (action: () => void) => {
    if (violations.first !== null) return;
    try {
      action();
    } catch (error) {
      violations.record(error);
    }
  };
  const network = new RaftNetwork(cluster.scheduler, cluster.random.fork("raft-network"), options.network, (message) =>
    guard(() => {
      if (message.to === STRANGER_ID) return badInput.onResponse(message);
      hosts.find((host) => host.id === message.to)?.deliver(message);
    }));
  for (const id of [...options.voters, ...options.observers]) hosts.push(new RaftHost(id, cluster, network, options, checkers));
  checkers.hosts = hosts;
  const log = (line: string) => {
    cluster.log.add(`${String(cluster.scheduler.nowMs).padStart(9)} ${line}`);
    runOptions.log?.(line);
  };
  const faults = new FaultInjector(cluster.scheduler, cluster.random.fork("raft-faults"), options.faults, network, hosts, log);
  const workload = new Workload(cluster.scheduler, cluster.random.fork("raft-workload"), options.workload, hosts, checkers, seed);
  const badInputRandom = cluster.random.fork("raft-bad-input-timing");
  const wrap = (scheduleEvery: number, action: () => void) => {
    if (!Number.isFinite(scheduleEvery)) return;
    const next = () => {
      guard(action);
      if (network.faulty) cluster.scheduler.schedule(1 + badInputRandom.int(2 * scheduleEvery), next);
    };
    cluster.scheduler.schedule(1 + badInputRandom.int(2 * scheduleEvery), next);
  };

  guard(() => {
    for (const host of hosts) host.start();
    faults.start();
    workload.start();
  });
  wrap(options.faults.badInputIntervalMs, () => {
    const running = hosts.filter((host) => host.running);
    if (running.length > 0) badInput.inject(badInputRandom.pick(running));
  });
  const safetyEnd = cluster.scheduler.nowMs + options.safetyPhaseMs;
  await cluster.runUntil(() => violations.first !== null, { maxVirtualMs: options.safetyPhaseMs, maxEvents: EVENTS_MAX })
    .catch((error) => violations.record(error));

  if (violations.first === null) {
    log("[sim] liveness phase");
    guard(() => {
      network.faulty = false;
      workload.allowResign = false;
      faults.stop();
      workload.markPhase();
    });
    const live = await cluster.runUntil(
      () => violations.first !== null || workload.acknowledgedSincePhase(),
      { maxVirtualMs: options.livenessBoundMs, maxEvents: EVENTS_MAX },
    ).catch((error) => {
      violations.record(error);
      return true;
    });
    if (!live && violations.first === null) {
      const states = hosts.map((host) =>
        host.node === null ? `${host.id}: down` : `${host.id}: ${host.node.role} e${host.node.epoch} leader ${host.node.leaderId}`
      );
      violations.report(
        "a leader is elected and commits within the bound",
        `no proposal acknowledged within ${options.livenessBoundMs} ms after healing (${states.join("; ")})`,
      );
    }
  }
  workload.stop();
  void safetyEnd;
  return {
    seed,
    options,
    violation: violations.first,
    cluster,
    virtualMs: cluster.scheduler.nowMs,
    events: cluster.scheduler.eventsRun,
    stats: {
      network: network.stats,
      faults: faults.stats,
      proposed: workload.proposed,
      acknowledged: checkers.acknowledged.length,
      committedBatches: checkers.history.size,
      leaders: checkers.leaders.size,
      badInputs: badInput.injected,
      stepsChecked: checkers.stepsChecked,
    },
  };
}
