/**
 * The simulated clock for unit tests that drive time by hand: a scheduler
 * of its own, a wall clock starting at a fixed date, and `advance` that runs
 * the timers falling due on the way, in order, synchronously. It is the
 * simulator's clock (SimClock over Scheduler), not a second implementation.
 */
import type { Clock, Timer } from "../types.ts";
import { SimClock, WallClock } from "./clock.ts";
import { Scheduler } from "./scheduler.ts";

/** Where a ManualClock starts unless told otherwise (November 2023). */
export const MANUAL_CLOCK_START_MS = 1_700_000_000_000;

export class ManualClock implements Clock {
  readonly scheduler = new Scheduler();
  readonly #clock: SimClock;

  constructor(startMs = MANUAL_CLOCK_START_MS) {
    // Monotonic time reads as the wall clock here: these tests never step the clock.
    this.#clock = new SimClock(this.scheduler, new WallClock(this.scheduler, startMs), null, startMs);
  }

  /** The current time in milliseconds since the epoch. */
  get now(): number {
    return this.#clock.nowMs();
  }

  nowMs(): number {
    return this.#clock.nowMs();
  }

  monotonicMs(): number {
    return this.#clock.monotonicMs();
  }

  /** Moves time forward, firing the timers that fall due on the way, in order. */
  advance(deltaMs: number): void {
    this.scheduler.advance(deltaMs);
  }

  /** Timers set and not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.scheduler.pendingEvents;
  }

  setTimer(delayMs: number, callback: () => void): Timer {
    return this.#clock.setTimer(delayMs, callback);
  }

  sleep(delayMs: number): Promise<void> {
    return this.#clock.sleep(delayMs);
  }
}
