/**
 * One life of a simulated node, from start to crash.
 *
 * Everything a node's code can wait on (timers, socket reads, accepts,
 * connects) is tagged with the incarnation that asked for it. Once the
 * incarnation is dead, the simulator drops those callbacks instead of running
 * them, so the old node's code can never act after its crash: its pending
 * promises simply never settle.
 *
 * A paused incarnation (a stopped process: a long garbage collection, a
 * SIGSTOP) is alive but runs nothing: the scheduler holds its due callbacks
 * and runs them, in their order, once it resumes.
 */
export class Incarnation {
  #alive = true;
  #paused = false;

  constructor(
    /** The host this incarnation runs on. */
    readonly host: string,
    /** 1 for the first start of the host, 2 after the first restart, and so on. */
    readonly number: number,
  ) {}

  /** False once the host has crashed (or stopped) in this incarnation. */
  get alive(): boolean {
    return this.#alive;
  }

  /** True while the process is stopped; see `SimHost.pause`. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Ends this incarnation; callbacks tagged with it are dropped from now on. */
  kill(): void {
    this.#alive = false;
    this.#paused = false;
  }

  /** Stops (true) or continues (false) the process; `SimHost` also tells the scheduler. */
  setPaused(paused: boolean): void {
    this.#paused = paused && this.#alive;
  }

  /** "host#number", for logs. */
  toString(): string {
    return `${this.host}#${this.number}`;
  }
}

/** Whether work tagged with `owner` may still run; `null` is the simulator or workload itself, never dead. */
export function isAlive(owner: Incarnation | null): boolean {
  return owner === null || owner.alive;
}

/** Whether work tagged with `owner` must wait: its process is stopped. */
export function isPaused(owner: Incarnation | null): boolean {
  return owner !== null && owner.paused;
}

/** A promise that never settles: what a dead incarnation gets instead of a result. */
export function never<T>(): Promise<T> {
  return new Promise<T>(() => {});
}
