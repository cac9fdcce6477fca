/**
 * The faults of the safety phase, each on its own seeded timer: partitions
 * (a node cut off, a pair cut both ways, or one way only), crashes (power
 * loss or killed process) with restarts, pauses, and wall-clock jumps.
 * `stop` ends them and heals everything for the liveness phase.
 */
import type { Timer } from "../../src/io/mod.ts";
import type { Scheduler, SeededRandom } from "../../src/io/sim/mod.ts";
import type { RaftNetwork } from "../scenarios/raft/network.ts";
import type { RaftSimOptions } from "../scenarios/raft/options.ts";
import type { RaftHost } from "../scenarios/raft/raft_host.ts";

export interface FaultStats {
  partitions: number;
  crashes: number;
  powerLosses: number;
  pauses: number;
  clockJumps: number;
}

export class FaultInjector {
  readonly stats: FaultStats = { partitions: 0, crashes: 0, powerLosses: 0, pauses: 0, clockJumps: 0 };
  #stopped = false;
  readonly #timers: Timer[] = [];

  constructor(
    private readonly scheduler: Scheduler,
    private readonly random: SeededRandom,
    private readonly options: RaftSimOptions["faults"],
    private readonly network: RaftNetwork,
    private readonly hosts: readonly RaftHost[],
    private readonly log: (line: string) => void,
  ) {}

  start(): void {
    this.#every(this.options.partitionIntervalMs, () => this.#partition());
    this.#every(this.options.crashIntervalMs, () => this.#crash());
    this.#every(this.options.pauseIntervalMs, () => this.#pause());
    this.#every(this.options.clockJumpIntervalMs, () => this.#jumpClock());
  }

  /** Ends the faults: links heal, stopped nodes restart (paused ones resume on their own). */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) timer.cancel();
    this.network.healAll();
    for (const host of this.hosts) if (!host.running) host.start();
    this.log("[sim] faults stopped, everything healed");
  }

  /** Runs `action` at seeded intervals averaging `meanMs`. */
  #every(meanMs: number, action: () => void): void {
    if (!Number.isFinite(meanMs)) return;
    const next = () => {
      if (this.#stopped) return;
      action();
      this.#timers.push(this.scheduler.schedule(1 + this.random.int(2 * meanMs), next));
    };
    this.#timers.push(this.scheduler.schedule(1 + this.random.int(2 * meanMs), next));
  }

  #later(delayMs: number, action: () => void): void {
    this.#timers.push(this.scheduler.schedule(delayMs, () => {
      if (!this.#stopped) action();
    }));
  }

  #partition(): void {
    const ids = this.hosts.map((host) => host.id);
    if (ids.length < 2) return;
    const kind = this.random.int(3);
    const first = this.random.pick(ids);
    const others = ids.filter((id) => id !== first);
    const second = this.random.pick(others);
    if (kind === 0) { for (const other of others) this.network.cutBoth(first, other); }
    else if (kind === 1) this.network.cutBoth(first, second);
    else this.network.cut(first, second);
    this.stats.partitions++;
    const what = ["isolated", "cut from", "cut one way towards"][kind];
    this.log(`[sim] partition: ${first} ${what}${kind === 0 ? "" : ` ${second}`}`);
    this.#later(1 + this.random.int(this.options.partitionDurationMaxMs), () => {
      this.network.healAll();
      this.log("[sim] partitions healed");
    });
  }

  #crash(): void {
    const running = this.hosts.filter((host) => host.running);
    if (running.length === 0) return;
    const host = this.random.pick(running);
    const powerLoss = this.random.chance(this.options.powerLossProbability);
    host.crash(powerLoss ? "power-loss" : "process");
    this.stats.crashes++;
    if (powerLoss) this.stats.powerLosses++;
    this.#later(1 + this.random.int(this.options.downtimeMaxMs), () => {
      if (!host.running) host.start();
    });
  }

  #pause(): void {
    const running = this.hosts.filter((host) => host.running && !host.paused);
    if (running.length === 0) return;
    this.random.pick(running).pause(1 + this.random.int(this.options.pauseMaxMs));
    this.stats.pauses++;
  }

  #jumpClock(): void {
    const host = this.random.pick(this.hosts);
    const deltaMs = this.random.range(-this.options.clockJumpMaxMs, this.options.clockJumpMaxMs);
    host.jumpWallClock(deltaMs);
    host.log(`[sim] wall clock jumps by ${deltaMs} ms`);
    this.stats.clockJumps++;
  }
}
