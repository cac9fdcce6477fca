/**
 * The fault phase of the single-node scenarios (node, groups): faults at
 * exponentially distributed intervals (a Poisson process per kind), each
 * kind with its mean interval and random source from the seed. Between two
 * faults the simulation runs until the next one is due or a checker stops
 * it; faults due at the same moment fire in the order they were added.
 */
import type { SeededRandom, SimCluster } from "../../src/io/sim/mod.ts";

/** A random delay with the given mean (exponentially distributed), at least 1 ms; Infinity never comes. */
export function exponentialMs(random: SeededRandom, meanMs: number): number {
  if (meanMs === Infinity) return Infinity;
  return Math.max(1, Math.round(-meanMs * Math.log(1 - random.next())));
}

interface Fault {
  random: SeededRandom;
  meanIntervalMs: number;
  fire: () => void | Promise<void>;
  nextMs: number;
}

export class FaultSchedule {
  readonly #faults: Fault[] = [];

  constructor(private readonly cluster: SimCluster) {}

  /** Adds a kind of fault, drawing when it first comes (Infinity: never). */
  add(random: SeededRandom, meanIntervalMs: number, fire: () => void | Promise<void>): this {
    const nextMs = this.cluster.scheduler.nowMs + exponentialMs(random, meanIntervalMs);
    this.#faults.push({ random, meanIntervalMs, fire, nextMs });
    return this;
  }

  /**
   * Runs the simulation for `durationMs` with the faults; `stopped` ends it
   * early, as when a checker found a violation. `watch` is checked after
   * every event (a checker that looks at the node's state; `stopped` by
   * default).
   */
  async run(durationMs: number, stopped: () => boolean, watch: () => boolean = stopped): Promise<void> {
    const scheduler = this.cluster.scheduler;
    const endMs = scheduler.nowMs + durationMs;
    while (scheduler.nowMs < endMs && !stopped()) {
      const untilMs = Math.min(endMs, ...this.#faults.map((fault) => fault.nextMs));
      await this.cluster.runUntil(watch, { maxVirtualMs: untilMs - scheduler.nowMs });
      if (stopped() || scheduler.nowMs >= endMs) return;
      for (const fault of this.#faults) {
        if (scheduler.nowMs < fault.nextMs) continue;
        await fault.fire();
        fault.nextMs = scheduler.nowMs + exponentialMs(fault.random, fault.meanIntervalMs);
      }
    }
  }
}
