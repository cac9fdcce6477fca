/**
 * One end of a simulated TCP connection.
 *
 * Bytes written at one end reach the other after a seed-chosen latency, cut
 * into seed-chosen chunks so that readers see partial frames, and always in
 * order: each chunk arrives no earlier than the one before it. Closing sends
 * a FIN behind the data already in flight; a reset (a fault) ends both sides
 * at once and drops what is in flight.
 */
import type { Connection } from "../types.ts";
import { type Incarnation, isAlive, never } from "./incarnation.ts";
import type { Scheduler } from "./scheduler.ts";

/** A network failure, with a POSIX-style code such as "ECONNREFUSED" or "EPIPE". */
export class NetError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = "NetError";
  }
}

/** What a connection needs from the network it lives on. */
export interface Link {
  readonly scheduler: Scheduler;
  /** One-way delay of the next chunk. */
  latencyMs(): number;
  /** How to cut a write of `length` bytes into chunks (sizes summing to `length`). */
  chunkSizes(length: number): number[];
  /** Called once when an end is closed, so that faults stop looking at it. */
  forget(connection: SimConnection): void;
}

interface PendingRead {
  buffer: Uint8Array;
  resolve: (count: number | null) => void;
}

/** One end of a connection; `SimConnection.pair` makes both. */
export class SimConnection implements Connection {
  #peer!: SimConnection;
  readonly #inbox: Uint8Array[] = [];
  /** Bytes of the first inbox chunk already read. */
  #inboxOffset = 0;
  #finReceived = false;
  #closed = false;
  /** Arrival time of the last chunk sent, so that later chunks never overtake it. */
  #lastArrivalMs = 0;
  #pendingRead: PendingRead | null = null;

  private constructor(
    private readonly link: Link,
    /** The host this end belongs to. */
    readonly host: string,
    /** "host:port" of this end. */
    readonly local: string,
    /** "host:port" of the other end. */
    readonly remote: string,
    /** The incarnation that owns this end; its callbacks die with it. */
    readonly owner: Incarnation | null,
  ) {}

  /** Makes both ends of a new connection. */
  static pair(
    link: Link,
    client: { host: string; port: number; owner: Incarnation | null },
    server: { host: string; port: number; owner: Incarnation | null },
  ): { client: SimConnection; server: SimConnection } {
    const clientAddress = `${client.host}:${client.port}`;
    const serverAddress = `${server.host}:${server.port}`;
    const clientEnd = new SimConnection(link, client.host, clientAddress, serverAddress, client.owner);
    const serverEnd = new SimConnection(link, server.host, serverAddress, clientAddress, server.owner);
    clientEnd.#peer = serverEnd;
    serverEnd.#peer = clientEnd;
    return { client: clientEnd, server: serverEnd };
  }

  /** The other end. */
  get peer(): SimConnection {
    return this.#peer;
  }

  /** Whether this end has been closed or reset. */
  get closed(): boolean {
    return this.#closed;
  }

  read(buffer: Uint8Array): Promise<number | null> {
    if (!isAlive(this.owner)) return never();
    if (this.#pendingRead !== null) throw new Error(`concurrent reads on ${this.local}`);
    if (this.#closed) return Promise.resolve(null);
    if (this.#inbox.length > 0 || buffer.length === 0) return Promise.resolve(this.#take(buffer));
    if (this.#finReceived) return Promise.resolve(null);
    return new Promise((resolve) => this.#pendingRead = { buffer, resolve });
  }

  write(bytes: Uint8Array): Promise<void> {
    if (!isAlive(this.owner)) return never();
    if (this.#closed) {
      return Promise.reject(new NetError(`write on closed connection ${this.local}`, "EPIPE"));
    }
    if (this.#finReceived) {
      return Promise.reject(new NetError(`connection reset by peer ${this.remote}`, "ECONNRESET"));
    }
    // Copy now: the caller may reuse its buffer as soon as the write resolves.
    const copy = bytes.slice();
    let offset = 0;
    for (const size of this.link.chunkSizes(copy.length)) {
      const chunk = copy.subarray(offset, offset + size);
      offset += size;
      this.#send(() => this.#peer.#receive(chunk));
    }
    return Promise.resolve();
  }

  close(): void {
    if (!isAlive(this.owner)) return;
    this.shutdown();
  }

  /**
   * Closes this end even when its owner is dead (a crash): the peer sees end
   * of stream after the data already in flight.
   */
  shutdown(): void {
    if (this.#closed) return;
    this.#end();
    this.#send(() => this.#peer.#receiveFin());
  }

  /** Fault: both ends fail at once; data in flight is lost. */
  reset(): void {
    this.#end();
    this.#peer.#end();
    this.#finReceived = true;
    this.#peer.#finReceived = true;
  }

  #end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#inbox.length = 0;
    this.#inboxOffset = 0;
    this.#settleRead(null);
    this.link.forget(this);
  }

  #send(deliver: () => void): void {
    const nowMs = this.link.scheduler.nowMs;
    const arrivalMs = Math.max(this.#lastArrivalMs, nowMs + this.link.latencyMs());
    this.#lastArrivalMs = arrivalMs;
    this.link.scheduler.schedule(arrivalMs - nowMs, deliver, this.#peer.owner);
  }

  #receive(chunk: Uint8Array): void {
    // Data reaching a closed end is dropped, as a kernel answers it with a reset.
    if (this.#closed) return;
    this.#inbox.push(chunk);
    const pending = this.#pendingRead;
    if (pending !== null) this.#settleRead(this.#take(pending.buffer));
  }

  #receiveFin(): void {
    this.#finReceived = true;
    if (this.#inbox.length === 0) this.#settleRead(null);
  }

  #settleRead(result: number | null): void {
    const pending = this.#pendingRead;
    if (pending === null) return;
    this.#pendingRead = null;
    // A reset reaches a paused process when it resumes, like the data it could not read yet.
    this.link.scheduler.deliver(this.owner, () => pending.resolve(result));
  }

  /** Moves as many inbox bytes as fit into `buffer`. */
  #take(buffer: Uint8Array): number {
    let count = 0;
    while (count < buffer.length && this.#inbox.length > 0) {
      const chunk = this.#inbox[0]!;
      const available = chunk.length - this.#inboxOffset;
      const size = Math.min(available, buffer.length - count);
      buffer.set(chunk.subarray(this.#inboxOffset, this.#inboxOffset + size), count);
      count += size;
      this.#inboxOffset += size;
      if (this.#inboxOffset === chunk.length) {
        this.#inbox.shift();
        this.#inboxOffset = 0;
      }
    }
    return count;
  }
}
