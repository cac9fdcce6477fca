/**
 * A simulated cluster: hosts that share one scheduler and one network, each
 * with its own disk and wall clock, started, crashed and restarted at will.
 *
 * Every start of a host is a new `Incarnation` with a fresh `World`. A crash
 * kills the incarnation (its timers, reads, accepts and connects are dropped,
 * so its code never runs again), closes its sockets for the peers and reverts
 * its disk to what was durable. A restart gives a new `World` over the same
 * disk, as a rebooted machine finds its files. A pause stops the running
 * incarnation without killing it (a long garbage collection, SIGSTOP): its
 * timers and the bytes sent to it wait, and all arrive at once on resume.
 */
import type { World } from "../types.ts";
import { SimClock, SIMULATION_EPOCH_MS, WallClock } from "./clock.ts";
import { SimDisk, type SimDiskOptions } from "./disk.ts";
import { Incarnation } from "./incarnation.ts";
import { LogRing } from "./log_ring.ts";
import { SimNet, type SimNetOptions } from "./net.ts";
import { SeededRandom } from "./random.ts";
import { type RunOptions, Scheduler } from "./scheduler.ts";

/** Everything a simulation is made of, derived from one seed. */
export interface SimClusterOptions {
  seed: number;
  net?: Partial<SimNetOptions>;
  disk?: Partial<SimDiskOptions>;
  /** Log lines kept for printing on failure. */
  logCapacity?: number;
  /** Largest difference of a host's wall clock from the cluster's (both ways); 0 by default. */
  clockSkewMaxMs?: number;
}

/**
 * How a host goes down: "power-loss" loses what was not synced (the machine
 * died), "process" keeps it (only the process was killed; the kernel still
 * holds the written pages).
 */
export type CrashMode = "power-loss" | "process";

/** Up to about eleven days after the fixed epoch, so that runs do not all share one start time. */
const EPOCH_OFFSET_MAX_MS = 1_000_000_000;
/** A new process's monotonic clock starts near zero (Deno's performance.now counts from process start). */
const MONOTONIC_START_MAX_MS = 1000;

interface HostContext {
  scheduler: Scheduler;
  net: SimNet;
  log: LogRing;
  random: SeededRandom;
  disk: Partial<SimDiskOptions>;
  wallClockStartMs: number;
}

/** One machine of the simulation. */
export class SimHost {
  /** The host's disk; it outlives every incarnation. */
  readonly disk: SimDisk;
  /** The host's wall clock; a restart does not fix it. */
  readonly wallClock: WallClock;
  #incarnation: Incarnation | null = null;
  #world: World | null = null;
  #starts = 0;
  /** Counts pauses, so that a timed resume ends only the pause that set it. */
  #pauses = 0;

  constructor(readonly name: string, private readonly context: HostContext) {
    this.wallClock = new WallClock(context.scheduler, context.wallClockStartMs);
    this.disk = new SimDisk(context.random.fork("disk"), context.disk, () => this.wallClock.nowMs());
  }

  /** Whether an incarnation is running. */
  get running(): boolean {
    return this.#incarnation !== null;
  }

  /** The running incarnation, if any. */
  get incarnation(): Incarnation | null {
    return this.#incarnation;
  }

  /** Whether the running incarnation is paused. */
  get paused(): boolean {
    return this.#incarnation?.paused ?? false;
  }

  /** The running incarnation's world, if any. */
  get world(): World | null {
    return this.#world;
  }

  /** Boots a new incarnation and returns its world. */
  start(): World {
    if (this.#incarnation !== null) throw new Error(`${this.name} is already running`);
    const incarnation = new Incarnation(this.name, ++this.#starts);
    const random = this.context.random.fork(`incarnation:${incarnation.number}`);
    const { scheduler, log } = this.context;
    const monotonicBaseMs = random.fork("monotonic").int(MONOTONIC_START_MAX_MS) - scheduler.nowMs;
    const world: World = {
      clock: new SimClock(scheduler, this.wallClock, incarnation, monotonicBaseMs),
      random,
      net: this.context.net.forHost(this.name, incarnation),
      disk: this.disk.view(incarnation),
      log: (line) => {
        if (incarnation.alive) log.add(`${String(scheduler.nowMs).padStart(9)} ${incarnation} ${line}`);
      },
    };
    this.#incarnation = incarnation;
    this.#world = world;
    log.add(`${String(scheduler.nowMs).padStart(9)} ${incarnation} [sim] start`);
    return world;
  }

  /**
   * Kills the running incarnation: its pending callbacks are dropped and its
   * listeners and connections close for the peers. On a power loss (the
   * default) the disk also reverts to what was durable, with tearing as the
   * disk's options say; a killed process ("process") leaves the operating
   * system's page cache, so every write survives.
   */
  crash(mode: CrashMode = "power-loss"): void {
    const incarnation = this.#incarnation;
    if (incarnation === null) throw new Error(`${this.name} is not running`);
    incarnation.kill();
    // What a paused process had waiting dies with it.
    this.context.scheduler.release(incarnation);
    this.context.net.crashHost(this.name);
    if (mode === "power-loss") this.disk.crash();
    this.#incarnation = null;
    this.#world = null;
    this.context.log.add(
      `${String(this.context.scheduler.nowMs).padStart(9)} ${incarnation} [sim] crash (${mode})`,
    );
  }

  /**
   * Fault: stops the running process, as a long garbage collection or a
   * SIGSTOP does. None of its timers fire and nothing reaches it (bytes,
   * accepted connections, resets wait in order, as in the kernel's buffers)
   * until `resume`, or until `durationMs` virtual ms have passed when given;
   * its peers go on meanwhile. It may crash while paused.
   */
  pause(durationMs?: number): void {
    const incarnation = this.#incarnation;
    if (incarnation === null) throw new Error(`${this.name} is not running`);
    if (incarnation.paused) return;
    incarnation.setPaused(true);
    const pause = ++this.#pauses;
    this.#logEvent(incarnation, `pause${durationMs === undefined ? "" : ` for ${durationMs} ms`}`);
    if (durationMs === undefined) return;
    // A simulator event, not the host's: its own timers are stopped. A crash in between ends the pause.
    this.context.scheduler.schedule(durationMs, () => {
      if (this.#pauses === pause && this.#incarnation === incarnation) this.resume();
    });
  }

  /** Continues a paused process: what waited for it runs first, in its original order. */
  resume(): void {
    const incarnation = this.#incarnation;
    if (incarnation === null || !incarnation.paused) return;
    incarnation.setPaused(false);
    this.context.scheduler.release(incarnation);
    this.#logEvent(incarnation, "resume");
  }

  #logEvent(incarnation: Incarnation, event: string): void {
    this.context.log.add(`${String(this.context.scheduler.nowMs).padStart(9)} ${incarnation} [sim] ${event}`);
  }

  /** Crashes the host if it runs, then starts a new incarnation over the same disk. */
  restart(mode: CrashMode = "power-loss"): World {
    if (this.#incarnation !== null) this.crash(mode);
    return this.start();
  }
}

/** Hosts sharing a scheduler and a network, all derived from one seed. */
export class SimCluster {
  readonly seed: number;
  readonly random: SeededRandom;
  readonly scheduler = new Scheduler();
  readonly net: SimNet;
  readonly log: LogRing;
  /** Wall-clock time at the start of the simulation. */
  readonly epochMs: number;
  readonly #hosts = new Map<string, SimHost>();

  constructor(private readonly options: SimClusterOptions) {
    this.seed = options.seed;
    this.random = new SeededRandom(options.seed);
    this.net = new SimNet(this.scheduler, this.random.fork("net"), options.net);
    this.log = new LogRing(options.logCapacity);
    this.epochMs = SIMULATION_EPOCH_MS + this.random.fork("epoch").int(EPOCH_OFFSET_MAX_MS);
  }

  /** The host called `name`, made on first use (not started). */
  host(name: string): SimHost {
    let host = this.#hosts.get(name);
    if (host === undefined) {
      const random = this.random.fork(`host:${name}`);
      const skewMaxMs = this.options.clockSkewMaxMs ?? 0;
      const skewMs = skewMaxMs > 0 ? random.fork("skew").range(-skewMaxMs, skewMaxMs) : 0;
      host = new SimHost(name, {
        scheduler: this.scheduler,
        net: this.net,
        log: this.log,
        random,
        disk: this.options.disk ?? {},
        wallClockStartMs: this.epochMs + this.scheduler.nowMs + skewMs,
      });
      this.#hosts.set(name, host);
    }
    return host;
  }

  /** Every host made so far, in the order they were made. */
  get hosts(): SimHost[] {
    return [...this.#hosts.values()];
  }

  /** Starts `name` (making it if needed) and returns its world. */
  start(name: string): World {
    return this.host(name).start();
  }

  /** See `SimHost.crash`. */
  crash(name: string, mode: CrashMode = "power-loss"): void {
    this.host(name).crash(mode);
  }

  /** See `SimHost.pause`. */
  pause(name: string, durationMs?: number): void {
    this.host(name).pause(durationMs);
  }

  /** See `SimHost.resume`. */
  resume(name: string): void {
    this.host(name).resume();
  }

  /** See `SimHost.restart`. */
  restart(name: string, mode: CrashMode = "power-loss"): World {
    return this.host(name).restart(mode);
  }

  /** See `Scheduler.runUntil`. */
  runUntil(predicate: () => boolean, options: RunOptions): Promise<boolean> {
    return this.scheduler.runUntil(predicate, options);
  }

  /** Prints the seed and the kept log lines: call when a run fails. */
  printLog(write: (line: string) => void = console.error): void {
    write(`seed ${this.seed}, virtual time ${this.scheduler.nowMs} ms, ${this.scheduler.eventsRun} events`);
    this.log.print(write);
  }
}
