/**
 * The simulation's event loop: virtual time and the queue of timers.
 *
 * `runUntil` alternates two steps: let every pending promise continuation
 * run (one real macrotask drains the whole microtask queue), then advance
 * virtual time to the earliest pending timer and run it. Nothing real is
 * pending in a simulation, so the interleaving depends only on the seed; real
 * time never passes for the simulated code, however long a run takes.
 *
 * An event whose owner is paused is set aside when it falls due and put
 * back, with its original time and sequence, when the owner resumes: those
 * events then run before anything else, in the order they would have run.
 */
import { setImmediate } from "node:timers";
import type { Timer } from "../types.ts";
import { type Incarnation, isAlive, isPaused } from "./incarnation.ts";
import { type ScheduledEvent, TimerQueue } from "./timer_queue.ts";

/** Bounds of one `runUntil`. */
export interface RunOptions {
  /** Virtual milliseconds the run may cover before it gives up. */
  maxVirtualMs: number;
  /** Events the run may execute; exceeding it means a livelock (for example a zero-delay timer loop). */
  maxEvents?: number;
}

const EVENTS_PER_RUN_DEFAULT_MAX = 10_000_000;

/** Lets every promise continuation that is already queued run to completion. */
export function settle(): Promise<void> {
  // setImmediate, not setTimeout(0): Deno clamps nested zero-delay timeouts to
  // milliseconds, which would make long simulations crawl.
  return new Promise((resolve) => setImmediate(resolve));
}

/** Virtual time and the timer queue shared by every host of a simulation. */
export class Scheduler {
  #nowMs = 0;
  #sequence = 0;
  #eventsRun = 0;
  #fingerprint = 0x811c9dc5;
  #running = false;
  readonly #queue = new TimerQueue();
  /** Due events of paused owners, until `release`. */
  readonly #held = new Map<Incarnation, ScheduledEvent[]>();

  /** Virtual milliseconds since the simulation began; never goes back. */
  get nowMs(): number {
    return this.#nowMs;
  }

  /** Events executed so far. */
  get eventsRun(): number {
    return this.#eventsRun;
  }

  /**
   * A running hash of every executed event's time and sequence number. Two
   * runs of the same seed must end with the same fingerprint.
   */
  get fingerprint(): number {
    return this.#fingerprint >>> 0;
  }

  /** Calls `callback` after `delayMs` virtual milliseconds (rounded up), unless `owner` has died by then. */
  schedule(delayMs: number, callback: () => void, owner: Incarnation | null = null): Timer {
    if (!Number.isFinite(delayMs)) throw new Error(`timer delay must be finite: ${delayMs}`);
    const event: ScheduledEvent = {
      timeMs: this.#nowMs + Math.max(0, Math.ceil(delayMs)),
      sequence: this.#sequence++,
      owner,
      callback,
      cancelled: false,
    };
    this.#queue.push(event);
    return { cancel: () => event.cancelled = true };
  }

  /**
   * Runs the simulation until `predicate` holds (checked whenever the
   * microtask queue is empty) or `maxVirtualMs` has passed. Resolves to
   * whether the predicate held; when it did not, virtual time has reached
   * the deadline. An exception thrown by an event's callback ends the run.
   */
  async runUntil(predicate: () => boolean, options: RunOptions): Promise<boolean> {
    if (this.#running) throw new Error("the scheduler is already running");
    const deadlineMs = this.#nowMs + options.maxVirtualMs;
    const maxEvents = options.maxEvents ?? EVENTS_PER_RUN_DEFAULT_MAX;
    this.#running = true;
    try {
      for (let events = 0;; events++) {
        await settle();
        if (predicate()) return true;
        if (events >= maxEvents) throw new Error(`more than ${maxEvents} events in one run: livelock?`);
        const event = this.#nextLiveEvent(deadlineMs);
        if (event === undefined) {
          this.#nowMs = Math.max(this.#nowMs, deadlineMs);
          return false;
        }
        this.#run(event);
      }
    } finally {
      this.#running = false;
    }
  }

  /**
   * Runs the simulation until `work` settles and returns its result (or
   * throws its error). Throws when it has not settled within the bounds.
   */
  async runUntilSettled<T>(work: Promise<T>, options: RunOptions): Promise<T> {
    let outcome: { value: T } | { error: unknown } | null = null;
    work.then((value) => outcome = { value }, (error) => outcome = { error });
    const settled = await this.runUntil(() => outcome !== null, options);
    if (!settled) throw new Error(`work did not settle within ${options.maxVirtualMs} virtual ms`);
    const result = outcome as unknown as { value: T } | { error: unknown };
    if ("error" in result) throw result.error;
    return result.value;
  }

  /**
   * Runs every event due within `durationMs`, in order and without yielding
   * to promise continuations, then moves time to the end: for unit tests of
   * code whose timers do their work synchronously (the log's, through
   * `ManualClock`).
   */
  advance(durationMs: number): void {
    if (this.#running) throw new Error("the scheduler is already running");
    const deadlineMs = this.#nowMs + Math.max(0, durationMs);
    for (
      let event = this.#nextLiveEvent(deadlineMs);
      event !== undefined;
      event = this.#nextLiveEvent(deadlineMs)
    ) {
      this.#run(event);
    }
    this.#nowMs = Math.max(this.#nowMs, deadlineMs);
  }

  /** Runs the simulation for `durationMs` of virtual time. */
  async runFor(durationMs: number, maxEvents?: number): Promise<void> {
    await this.runUntil(() => false, { maxVirtualMs: durationMs, maxEvents });
  }

  /** Live events still queued or held (cancelled ones and those of dead incarnations excluded). */
  get pendingEvents(): number {
    const live = (event: ScheduledEvent) => !event.cancelled && isAlive(event.owner);
    let held = 0;
    for (const events of this.#held.values()) held += events.filter(live).length;
    return this.#queue.count(live) + held;
  }

  /**
   * `owner` resumed (or died): its held events go back into the queue. Being
   * overdue, they run next, in their original order; those of a dead owner
   * are dropped as usual.
   */
  release(owner: Incarnation): void {
    const held = this.#held.get(owner);
    if (held === undefined) return;
    this.#held.delete(owner);
    for (const event of held) this.#queue.push(event);
  }

  /**
   * Runs `callback` now, or, while `owner` is paused, once it resumes: for
   * results that reach a node outside its own events (an accept completed by
   * a peer's connect, a read ended by a reset).
   */
  deliver(owner: Incarnation | null, callback: () => void): void {
    if (isPaused(owner)) this.schedule(0, callback, owner);
    else if (isAlive(owner)) callback();
  }

  /**
   * Pops cancelled and dead events off the top, sets aside those of paused
   * owners, then pops the first live one due by `deadlineMs`.
   */
  #nextLiveEvent(deadlineMs: number): ScheduledEvent | undefined {
    for (let top = this.#queue.peek(); top !== undefined; top = this.#queue.peek()) {
      if (top.cancelled || !isAlive(top.owner)) {
        this.#queue.pop();
        continue;
      }
      if (top.timeMs > deadlineMs) return undefined;
      this.#queue.pop();
      if (top.owner !== null && top.owner.paused) {
        const held = this.#held.get(top.owner);
        if (held === undefined) this.#held.set(top.owner, [top]);
        else held.push(top);
        continue;
      }
      return top;
    }
    return undefined;
  }

  #run(event: ScheduledEvent): void {
    this.#nowMs = Math.max(this.#nowMs, event.timeMs);
    this.#eventsRun++;
    this.#fingerprint = Math.imul(this.#fingerprint ^ event.timeMs, 0x01000193) >>> 0;
    this.#fingerprint = Math.imul(this.#fingerprint ^ event.sequence, 0x01000193) >>> 0;
    event.callback();
  }
}
