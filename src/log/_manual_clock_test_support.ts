/** A clock for the log's tests: time moves only when the test says so. */
import type { Clock, Timer } from "../io/types.ts";

export class ManualClock implements Clock {
  constructor(public now = 1_700_000_000_000) {}
  nowMs(): number {
    return this.now;
  }
  monotonicMs(): number {
    return this.now;
  }
  advance(deltaMs: number): void {
    this.now += deltaMs;
  }
  setTimer(_delayMs: number, _callback: () => void): Timer {
    throw new Error("the log's tests use no timers");
  }
  sleep(_delayMs: number): Promise<void> {
    throw new Error("the log's tests do not sleep");
  }
}
