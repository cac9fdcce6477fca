/**
 * The faults of the safety phase, each on its own seeded timer: network
 * partitions (one node isolated from the others, and sometimes from the
 * client too, or one link cut), connection resets between any two hosts,
 * crashes (power loss or killed process) with a restart later, a power
 * loss sometimes taking the replicated topic's folders with it (a replica's
 * disk lost), and pauses (the process stopped for a while, then resumed).
 * `stop` ends them, heals
 * the network, resumes paused nodes and restarts every stopped node.
 */
import type { Timer } from "../../src/io/mod.ts";
import type { SeededRandom, SimCluster } from "../../src/io/sim/mod.ts";
import type { ClusterNode } from "../scenarios/cluster/cluster_node.ts";
import type { ClusterSimOptions } from "../scenarios/cluster/options.ts";

export interface ClusterFaultStats {
  partitions: number;
  isolations: number;
  resets: number;
  powerLosses: number;
  processKills: number;
  restarts: number;
  pauses: number;
  /** Power losses that also lost the replicated topic's folders (a replica's disk). */
  diskLosses: number;
}

/** Hears of every crash that loses data, before the node restarts. */
export type DataLossListener = (node: ClusterNode, kind: "power-loss" | "disk-loss") => void;

export class ClusterFaults {
  readonly stats: ClusterFaultStats = {
    partitions: 0,
    isolations: 0,
    resets: 0,
    powerLosses: 0,
    processKills: 0,
    restarts: 0,
    pauses: 0,
    diskLosses: 0,
  };
  /** Told of power losses and disk losses (the replication checker counts them). */
  onDataLoss: DataLossListener = () => {};
  /** The folders of a replica's disk, by node: wiped on a disk loss. */
  replicaFolders: (node: ClusterNode) => string[] = () => [];
  /** Chance that a power loss also loses the replica folders. */
  diskLossProbability = 0;
  #stopped = false;
  readonly #timers = new Set<Timer>();
  /** Pauses draw from their own stream, so that seeds without them draw their other faults as before. */
  readonly #pauseRandom: SeededRandom;
  /** Disk losses draw from their own stream too. */
  readonly #diskRandom: SeededRandom;

  constructor(
    private readonly cluster: SimCluster,
    private readonly random: SeededRandom,
    private readonly options: ClusterSimOptions["faults"],
    private readonly nodes: readonly ClusterNode[],
    private readonly clientHost: string,
    private readonly log: (line: string) => void,
  ) {
    this.#pauseRandom = random.fork("pauses");
    this.#diskRandom = random.fork("disk-losses");
  }

  start(): void {
    this.#every(this.options.partitionIntervalMs, () => this.#partition());
    this.#every(this.options.resetIntervalMs, () => this.#reset());
    this.#every(this.options.crashIntervalMs, () => this.#crash());
    this.#every(this.options.pauseIntervalMs, () => this.#pause(), this.#pauseRandom);
  }

  /** Ends the faults: the network heals, paused nodes resume, stopped nodes start again. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) timer.cancel();
    this.#timers.clear();
    this.cluster.net.healAll();
    for (const node of this.nodes) this.cluster.host(node.name).resume();
    for (const node of this.nodes) if (!node.up) this.#restart(node);
    this.log("[sim] faults stopped, everything healed");
  }

  /** Runs `action` at seeded intervals averaging `meanMs`. */
  #every(meanMs: number, action: () => void, random = this.random): void {
    if (!Number.isFinite(meanMs)) return;
    const next = () => {
      if (this.#stopped) return;
      action();
      this.#later(1 + random.int(2 * meanMs), next);
    };
    this.#later(1 + random.int(2 * meanMs), next);
  }

  #later(delayMs: number, action: () => void): void {
    const timer = this.cluster.scheduler.schedule(delayMs, () => {
      this.#timers.delete(timer);
      if (!this.#stopped) action();
    });
    this.#timers.add(timer);
  }

  #partition(): void {
    const net = this.cluster.net;
    const node = this.random.pick(this.nodes);
    const others = this.nodes.filter((other) => other !== node).map((other) => other.name);
    if (this.random.chance(this.options.isolateProbability)) {
      const fromClient = this.random.chance(0.5);
      for (const other of others) net.partition(node.name, other);
      if (fromClient) net.partition(node.name, this.clientHost);
      this.stats.isolations++;
      this.log(`[sim] ${node.name} isolated${fromClient ? " (from the client too)" : ""}`);
    } else {
      const other = this.random.pick([...others, this.clientHost]);
      net.partition(node.name, other);
      this.stats.partitions++;
      this.log(`[sim] ${node.name} cut from ${other}`);
    }
    this.#later(1 + this.random.int(this.options.partitionDurationMaxMs), () => {
      net.healAll();
      this.log("[sim] partitions healed");
    });
  }

  #reset(): void {
    const hosts = [...this.nodes.map((node) => node.name), this.clientHost];
    const first = this.random.pick(hosts);
    const second = this.random.pick(hosts.filter((host) => host !== first));
    this.cluster.net.resetConnectionsBetween(first, second);
    this.stats.resets++;
  }

  #crash(): void {
    const up = this.nodes.filter((node) => node.up);
    if (up.length === 0) return;
    const node = this.random.pick(up);
    const powerLoss = this.random.chance(this.options.powerLossProbability);
    node.crash(powerLoss ? "power-loss" : "process");
    if (powerLoss) this.stats.powerLosses++;
    else this.stats.processKills++;
    if (powerLoss && this.#diskRandom.chance(this.diskLossProbability)) this.#loseReplicaDisk(node);
    else if (powerLoss) this.onDataLoss(node, "power-loss");
    this.#later(1 + this.random.int(this.options.downtimeMaxMs), () => {
      if (!node.up) this.#restart(node);
    });
  }

  /** Stops one running node's process for a while: it misses heartbeats and fetches, then acts on stale state. */
  #pause(): void {
    const candidates = this.nodes.filter((node) => node.up && !this.cluster.host(node.name).paused);
    if (candidates.length === 0) return;
    const random = this.#pauseRandom;
    const node = random.pick(candidates);
    const { pauseDurationMinMs, pauseDurationMaxMs } = this.options;
    // The host resumes itself; a crash meanwhile ends the pause (the restart runs normally).
    this.cluster.host(node.name).pause(random.range(pauseDurationMinMs, pauseDurationMaxMs));
    this.stats.pauses++;
  }

  /**
   * The node (down) loses its replica folders, as when the disk holding a
   * log directory is replaced: it comes back with empty logs for them (its
   * metadata log stays, which a real disk loss would take too; the KRaft
   * voter is not what this fault tests).
   */
  #loseReplicaDisk(node: ClusterNode): void {
    const disk = this.cluster.host(node.name).disk.view(null);
    for (const folder of this.replicaFolders(node)) {
      disk.remove(folder);
      disk.syncDirectory(folder.slice(0, folder.lastIndexOf("/")) || "/");
    }
    this.stats.diskLosses++;
    this.log(`[sim] ${node.name} lost its replica folders`);
    this.onDataLoss(node, "disk-loss");
  }

  #restart(node: ClusterNode): void {
    node.start();
    this.stats.restarts++;
  }
}
