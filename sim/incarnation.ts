/**
 * One life of a simulated node, from start to crash.
 *
 * Everything a node's code can wait on (timers, socket reads, accepts,
 * connects) is tagged with the incarnation that asked for it. Once the
 * incarnation is dead, the simulator drops those callbacks instead of running
 * them, so the old node's code can never act after its crash: its pending
 * promises simply never settle.
 */
export class Incarnation {
  #alive = true;

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

  /** Ends this incarnation; callbacks tagged with it are dropped from now on. */
  kill(): void {
    this.#alive = false;
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

/** A promise that never settles: what a dead incarnation gets instead of a result. */
export function never<T>(): Promise<T> {
  return new Promise<T>(() => {});
}
