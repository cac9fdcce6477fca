/**
 * Outstanding requests per destination (KRaft's RequestManager): at most
 * one request in flight to a node, a timeout after which it is given up,
 * and a backoff after a failure. A response is handled only while its
 * request is still the one expected; everything is forgotten on a change of
 * state, so late answers to an earlier role are ignored.
 */

/** A request waiting for its answer. */
export interface InflightRequest {
  destination: number;
  correlationId: number;
  sentAtMs: number;
}

export class RequestTracker {
  readonly #inflight = new Map<number, InflightRequest>();
  readonly #backoffUntilMs = new Map<number, number>();

  constructor(private readonly requestTimeoutMs: number, private readonly retryBackoffMs: number) {}

  /** Whether a new request may go to `destination` now. */
  isReady(destination: number, nowMs: number): boolean {
    this.#expire(destination, nowMs);
    return !this.#inflight.has(destination) && !this.isBackingOff(destination, nowMs);
  }

  isBackingOff(destination: number, nowMs: number): boolean {
    const until = this.#backoffUntilMs.get(destination);
    if (until === undefined) return false;
    if (until > nowMs) return true;
    this.#backoffUntilMs.delete(destination);
    return false;
  }

  /** Whether the request in flight to `destination` has gone unanswered too long. */
  hasTimedOut(destination: number, nowMs: number): boolean {
    const request = this.#inflight.get(destination);
    return request !== undefined && nowMs >= request.sentAtMs + this.requestTimeoutMs;
  }

  /** Whether any request is in flight (and not timed out). */
  hasAnyInflight(nowMs: number): boolean {
    for (const destination of [...this.#inflight.keys()]) this.#expire(destination, nowMs);
    return this.#inflight.size > 0;
  }

  onSent(destination: number, correlationId: number, nowMs: number): void {
    this.#inflight.set(destination, { destination, correlationId, sentAtMs: nowMs });
    this.#backoffUntilMs.delete(destination);
  }

  isExpected(destination: number, correlationId: number): boolean {
    return this.#inflight.get(destination)?.correlationId === correlationId;
  }

  /** The answer arrived; a failed one starts the backoff. */
  onResponse(destination: number, succeeded: boolean, nowMs: number): void {
    this.#inflight.delete(destination);
    if (succeeded) this.#backoffUntilMs.delete(destination);
    else this.#backoffUntilMs.set(destination, nowMs + this.retryBackoffMs);
  }

  /** Forgets the request to `destination` (timed out): backs off before the next one. */
  reset(destination: number, nowMs: number): void {
    this.#inflight.delete(destination);
    this.#backoffUntilMs.set(destination, nowMs + this.retryBackoffMs);
  }

  /** Forgets everything, as on a change of state. */
  resetAll(): void {
    this.#inflight.clear();
    this.#backoffUntilMs.clear();
  }

  /** The earliest time after `nowMs` at which something here changes (a timeout or a backoff end). */
  nextDeadlineMs(nowMs: number): number {
    let deadline = Infinity;
    for (const destination of [...this.#inflight.keys()]) this.#expire(destination, nowMs);
    for (const request of this.#inflight.values()) {
      deadline = Math.min(deadline, request.sentAtMs + this.requestTimeoutMs);
    }
    for (const [destination, until] of [...this.#backoffUntilMs]) {
      if (until <= nowMs) this.#backoffUntilMs.delete(destination);
      else deadline = Math.min(deadline, until);
    }
    return deadline;
  }

  /** The requests in flight, for observing the state. */
  inflight(): InflightRequest[] {
    return [...this.#inflight.values()].sort((left, right) => left.destination - right.destination);
  }

  #expire(destination: number, nowMs: number): void {
    if (this.hasTimedOut(destination, nowMs)) this.reset(destination, nowMs);
  }
}
