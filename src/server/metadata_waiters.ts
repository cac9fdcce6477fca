/**
 * Requests waiting for this node's metadata image to show something: a
 * topic another node's controller just created, the node's own
 * registration. Woken after every applied metadata batch; each waiter
 * re-checks its condition, and gives up after its timeout.
 */
import type { Clock, Timer } from "../io/mod.ts";

interface Waiter {
  condition: () => boolean;
  finish: (met: boolean) => void;
}

export class MetadataWaiters {
  readonly #waiters = new Set<Waiter>();

  constructor(private readonly clock: Clock) {}

  /**
   * Resolves true once `condition` holds (at once if it does now), false
   * after `timeoutMs` (never, when it is Infinity).
   */
  wait(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    if (condition()) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer: Timer | null = null;
      const waiter: Waiter = {
        condition,
        finish: (met) => {
          timer?.cancel();
          this.#waiters.delete(waiter);
          resolve(met);
        },
      };
      this.#waiters.add(waiter);
      if (Number.isFinite(timeoutMs)) {
        timer = this.clock.setTimer(timeoutMs, () => waiter.finish(condition()));
      }
    });
  }

  /** The image changed: wakes the waiters whose condition now holds. */
  notify(): void {
    for (const waiter of [...this.#waiters]) if (waiter.condition()) waiter.finish(true);
  }

  /** Shutting down: every waiter gets its current answer. */
  wakeAll(): void {
    for (const waiter of [...this.#waiters]) waiter.finish(waiter.condition());
  }
}
