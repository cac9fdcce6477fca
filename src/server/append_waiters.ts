/**
 * Long-poll fetches wait here for an append to one of their partitions.
 *
 * A waiter is registered on each partition it watches and is woken by the
 * first append to any of them, or by its timer through the Clock seam. No
 * timer loop polls the logs. A consumer's fetch also wakes when the high
 * watermark moves (it reads only committed records); a follower's fetch
 * wakes only for new records, as Kafka's DelayedFetch for replicas: waking it
 * for every high watermark move would double the fetches per produced batch.
 */
import type { Clock, Timer } from "../io/mod.ts";

export interface Watchable {
  /** Identifies the partition (e.g. "topic:0"). */
  readonly key: string;
}

interface Waiter {
  wake: (appended: boolean) => void;
  keys: string[];
  /** Woken by new records only, not by a high watermark move. */
  recordsOnly: boolean;
}

export class AppendWaiters {
  readonly #byKey = new Map<string, Set<Waiter>>();

  constructor(private readonly clock: Clock) {}

  /** Resolves true when one of `partitions` is appended to, false after `timeoutMs`. */
  wait(partitions: Watchable[], timeoutMs: number, recordsOnly = false): Promise<boolean> {
    return new Promise((resolve) => {
      let timer: Timer | null = null;
      const waiter: Waiter = {
        keys: partitions.map((partition) => partition.key),
        recordsOnly,
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

  /** Wakes the waiters watching `key`: all for new records, consumers' only for a high watermark move. */
  notify(key: string, newRecords = true): void {
    const set = this.#byKey.get(key);
    if (!set || set.size === 0) return;
    for (const waiter of [...set]) if (newRecords || !waiter.recordsOnly) waiter.wake(true);
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
