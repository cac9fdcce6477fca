/**
 * Long-poll fetches wait here for an append to one of their partitions.
 *
 * A waiter is registered on each partition it watches and is woken by the
 * first append to any of them, or by its timer through the Clock seam. No
 * timer loop polls the logs.
 */
import type { Clock, Timer } from "../io/mod.ts";

export interface Watchable {
  /** Identifies the partition (e.g. "topic:0"). */
  readonly key: string;
}

interface Waiter {
  wake: (appended: boolean) => void;
  keys: string[];
}

export class AppendWaiters {
  readonly #byKey = new Map<string, Set<Waiter>>();

  constructor(private readonly clock: Clock) {}

  /** Resolves true when one of `partitions` is appended to, false after `timeoutMs`. */
  wait(partitions: Watchable[], timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      let timer: Timer | null = null;
      const waiter: Waiter = {
        keys: partitions.map((partition) => partition.key),
        wake: (appended) => {
          timer?.cancel();
          this.#forget(waiter);
          resolve(appended);
        },
      };
      for (const key of waiter.keys) {
        let set = this.#byKey.get(key);
        if (!set) this.#byKey.set(key, set = new Set());
        set.add(waiter);
      }
      timer = this.clock.setTimer(timeoutMs, () => waiter.wake(false));
    });
  }

  /** Wakes every waiter watching `key`. */
  notify(key: string): void {
    const set = this.#byKey.get(key);
    if (!set || set.size === 0) return;
    for (const waiter of [...set]) waiter.wake(true);
  }

  /** Wakes everyone (shutdown). */
  wakeAll(): void {
    for (const set of [...this.#byKey.values()]) for (const waiter of [...set]) waiter.wake(false);
  }

  #forget(waiter: Waiter): void {
    for (const key of waiter.keys) {
      const set = this.#byKey.get(key);
      set?.delete(waiter);
      if (set && set.size === 0) this.#byKey.delete(key);
    }
  }
}
