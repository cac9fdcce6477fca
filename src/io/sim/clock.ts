/**
 * Simulated clocks over the scheduler's virtual time.
 *
 * A host has one wall clock for all its incarnations (a restart does not fix
 * a wrong clock): virtual time plus an offset that a fault can jump forwards
 * or backwards, as NTP steps or an operator can. Monotonic time and timers
 * never jump: they follow virtual time, as Deno's timers follow the
 * operating system's monotonic clock.
 */
import type { Clock, Timer } from "../types.ts";
import { type Incarnation, never } from "./incarnation.ts";
import type { Scheduler } from "./scheduler.ts";

/** 2023-11-14T22:13:20Z: a fixed, realistic start for wall-clock time. */
export const SIMULATION_EPOCH_MS = 1_700_000_000_000;

/** A host's wall clock: virtual time plus an offset that can jump. */
export class WallClock {
  #offsetMs: number;

  constructor(private readonly scheduler: Scheduler, startMs: number) {
    if (!Number.isSafeInteger(startMs)) throw new Error(`wall clock start must be an integer: ${startMs}`);
    this.#offsetMs = startMs - scheduler.nowMs;
  }

  /** Milliseconds since the Unix epoch as this host believes it. */
  nowMs(): number {
    return this.scheduler.nowMs + this.#offsetMs;
  }

  /** Fault: steps the wall clock by `deltaMs` (negative goes back in time). */
  jump(deltaMs: number): void {
    if (!Number.isSafeInteger(deltaMs)) throw new Error(`clock jump must be an integer: ${deltaMs}`);
    this.#offsetMs += deltaMs;
  }
}

/** The `Clock` of one incarnation: its timers die with it. */
export class SimClock implements Clock {
  constructor(
    private readonly scheduler: Scheduler,
    private readonly wallClock: WallClock,
    private readonly owner: Incarnation | null,
    /** Monotonic time at the start of the simulation, as this incarnation counts it. */
    private readonly monotonicBaseMs = 0,
  ) {}

  nowMs(): number {
    return this.wallClock.nowMs();
  }

  monotonicMs(): number {
    return this.scheduler.nowMs + this.monotonicBaseMs;
  }

  setTimer(delayMs: number, callback: () => void): Timer {
    return this.scheduler.schedule(delayMs, callback, this.owner);
  }

  sleep(delayMs: number): Promise<void> {
    if (this.owner !== null && !this.owner.alive) return never();
    return new Promise((resolve) => this.scheduler.schedule(delayMs, resolve, this.owner));
  }
}
