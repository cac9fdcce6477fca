/** A clock for the log's tests: time moves, and timers fire, only when the test says so. */
import type { Clock, Timer } from "../io/types.ts";

interface ManualTimer {
  dueMs: number;
  sequence: number;
  callback: () => void;
  cancelled: boolean;
}

/** Where a ManualClock starts unless told otherwise (November 2023). */
export const MANUAL_CLOCK_START_MS = 1_700_000_000_000;

export class ManualClock implements Clock {
  #timers: ManualTimer[] = [];
  #sequence = 0;

  constructor(public now = MANUAL_CLOCK_START_MS) {}
  nowMs(): number {
    return this.now;
  }
  monotonicMs(): number {
    return this.now;
  }
  /** Moves time forward, firing the timers that fall due on the way, in order. */
  advance(deltaMs: number): void {
    const target = this.now + deltaMs;
    for (let next = this.#nextDue(target); next !== null; next = this.#nextDue(target)) {
      this.#timers.splice(this.#timers.indexOf(next), 1);
      this.now = Math.max(this.now, next.dueMs);
      next.callback();
    }
    this.now = target;
  }
  /** Timers set and not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.#timers.filter((timer) => !timer.cancelled).length;
  }
  setTimer(delayMs: number, callback: () => void): Timer {
    const timer = {
      dueMs: this.now + Math.max(0, delayMs),
      sequence: this.#sequence++,
      callback,
      cancelled: false,
    };
    this.#timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
        this.#timers = this.#timers.filter((candidate) => candidate !== timer);
      },
    };
  }
  sleep(_delayMs: number): Promise<void> {
    throw new Error("the log's tests do not sleep");
  }

  #nextDue(target: number): ManualTimer | null {
    let best: ManualTimer | null = null;
    for (const timer of this.#timers) {
      if (timer.dueMs > target) continue;
      if (
        best === null || timer.dueMs < best.dueMs ||
        (timer.dueMs === best.dueMs && timer.sequence < best.sequence)
      ) {
        best = timer;
      }
    }
    return best;
  }
}
