/**
 * Appends waiting for the high watermark (Kafka's DelayedProduce): an
 * acks=all produce, or a coordinator's offset commit, answers once every ISR
 * member has its records, once its timeout passes, or when leadership moves.
 * Released by the partition when its high watermark moves; timers go
 * through the Clock seam.
 */
import type { Clock, Timer } from "../io/mod.ts";

export type WaitOutcome = "committed" | "timeout" | "not-leader";

interface Waiter {
  /** Committed once the high watermark is past this offset. */
  offset: number;
  settle: (outcome: WaitOutcome) => void;
}

export class HighWatermarkWaiters {
  readonly #waiting = new Set<Waiter>();

  constructor(private readonly clock: Clock) {}

  wait(offset: number, timeoutMs: number): Promise<WaitOutcome> {
    return new Promise((resolve) => {
      let timer: Timer | null = null;
      const waiter: Waiter = {
        offset,
        settle: (outcome) => {
          timer?.cancel();
          this.#waiting.delete(waiter);
          resolve(outcome);
        },
      };
      this.#waiting.add(waiter);
      timer = this.clock.setTimer(Math.max(0, timeoutMs), () => waiter.settle("timeout"));
    });
  }

  /** The high watermark moved to `highWatermark`: everything below it is committed. */
  release(highWatermark: number): void {
    for (const waiter of [...this.#waiting]) if (waiter.offset < highWatermark) waiter.settle("committed");
  }

  /** Leadership moved: nobody's append will be committed by this leader. */
  failAll(): void {
    for (const waiter of [...this.#waiting]) waiter.settle("not-leader");
  }
}
