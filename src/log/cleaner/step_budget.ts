/**
 * How much one cleaning step may do: a number of bytes of work and, on a
 * real clock, a deadline. Bytes of work are bytes of batches read, with
 * compressed batches counted at their decompressed size (that is what costs),
 * and re-compressed ones counted again.
 *
 * The deadline is what keeps request latency flat on a real broker: a step
 * ends once it has run `maxStepMs`, whatever its bytes. On the simulator's
 * clock time does not move during a step, so only bytes count and runs stay
 * deterministic. The first unit of work of a step is always done, so every
 * step makes progress.
 */
import type { Clock } from "../../io/mod.ts";

export class StepBudget {
  readonly #clock: Clock;
  readonly #deadlineMs: number;
  #used = 0;

  constructor(readonly bytes: number, clock: Clock, maxStepMs = Number.POSITIVE_INFINITY) {
    this.#clock = clock;
    this.#deadlineMs = clock.monotonicMs() + maxStepMs;
  }

  /** Bytes of work done so far. */
  get used(): number {
    return this.#used;
  }

  /** Records work done. */
  use(bytes: number): void {
    this.#used += bytes;
  }

  /** Whether the step should end: some work is done and the bytes or the time are spent. */
  get exhausted(): boolean {
    return this.#used > 0 && (this.#used >= this.bytes || this.#clock.monotonicMs() >= this.#deadlineMs);
  }

  /** Ends the step here (after a costly operation such as a swap). */
  spendAll(): void {
    this.#used = Math.max(this.#used, this.bytes, 1);
  }
}
