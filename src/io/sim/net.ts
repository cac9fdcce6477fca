/**
 * The simulated network: listeners by host and port, connections between
 * hosts with seed-chosen latency and chunking, and network faults
 * (connection resets, partitions, a host's crash).
 *
 * Each host reaches the network through `forHost(host, incarnation)`, a
 * `Net` whose callbacks die with that incarnation.
 */
import type { Connection, Listener, Net } from "../types.ts";
import { type Incarnation, isAlive, never } from "./incarnation.ts";
import { type Link, NetError, SimConnection } from "./net_connection.ts";
import type { SeededRandom } from "./random.ts";
import type { Scheduler } from "./scheduler.ts";

/** Latency, chunking and connect behaviour of the simulated network. */
export interface SimNetOptions {
  /** Smallest one-way delay of a chunk. */
  minLatencyMs: number;
  /** Largest one-way delay of a chunk. */
  maxLatencyMs: number;
  /** Largest chunk a write is cut into; small chunks exercise frame reassembly. */
  maxChunkBytes: number;
  /** How long a connect to an unreachable (partitioned) host takes to fail. */
  connectTimeoutMs: number;
  /** Connections a listener holds before refusing more. */
  backlogMax: number;
}

/** Defaults: a fast LAN that still reorders nothing and splits writes often. */
export const SIM_NET_DEFAULTS: SimNetOptions = {
  minLatencyMs: 0,
  maxLatencyMs: 5,
  maxChunkBytes: 4096,
  connectTimeoutMs: 1000,
  backlogMax: 128,
};

/** Host names a node may listen on besides its own: every interface. */
const WILDCARD_HOSTS = new Set(["", "0.0.0.0", "::", "[::]"]);
/** Names that mean "this host" when connecting or listening. */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);
const EPHEMERAL_PORT_FIRST = 49152;
/** Chunks this small split even a 4-byte size prefix. */
const TINY_CHUNK_BYTES_MAX = 8;

function pairKey(hostA: string, hostB: string): string {
  return hostA < hostB ? `${hostA}\u0000${hostB}` : `${hostB}\u0000${hostA}`;
}

/** A listening socket of a simulated host. */
export class SimListener implements Listener {
  readonly #backlog: SimConnection[] = [];
  #waiting: ((connection: Connection | null) => void) | null = null;
  #closed = false;

  constructor(
    readonly host: string,
    readonly port: number,
    /** The incarnation that listens; connections it accepts belong to it. */
    readonly owner: Incarnation | null,
    private readonly backlogMax: number,
    private readonly onClose: () => void,
    /** Completes accepts; a paused owner gets its connection when it resumes. */
    private readonly scheduler: Scheduler,
  ) {}

  /** Called by the network when a connection arrives; false when the backlog is full. */
  offer(connection: SimConnection): boolean {
    if (this.#closed || this.#backlog.length >= this.backlogMax) return false;
    const waiting = this.#waiting;
    if (waiting !== null) {
      this.#waiting = null;
      // The kernel completes the handshake at once; a stopped process returns from accept() later.
      this.scheduler.deliver(this.owner, () => waiting(connection));
    } else {
      this.#backlog.push(connection);
    }
    return true;
  }

  accept(): Promise<Connection | null> {
    if (!isAlive(this.owner)) return never();
    if (this.#waiting !== null) throw new Error(`concurrent accepts on ${this.host}:${this.port}`);
    const next = this.#backlog.shift();
    if (next !== undefined) return Promise.resolve(next);
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => this.#waiting = resolve);
  }

  close(): void {
    if (!isAlive(this.owner)) return;
    this.shutdown();
  }

  /** Closes the listener even when its owner is dead: waiting accepts end, unaccepted connections reset. */
  shutdown(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onClose();
    const waiting = this.#waiting;
    this.#waiting = null;
    if (waiting !== null && isAlive(this.owner)) waiting(null);
    for (const connection of this.#backlog.splice(0)) connection.reset();
  }
}

/** The network shared by every host of a simulation. */
export class SimNet {
  readonly options: SimNetOptions;
  readonly #listeners = new Map<string, SimListener>();
  /** Open connection ends by host, in creation order (so fault targets are chosen deterministically). */
  readonly #connections = new Map<string, Set<SimConnection>>();
  readonly #partitions = new Set<string>();
  readonly #nextEphemeralPort = new Map<string, number>();
  readonly #link: Link;

  constructor(
    readonly scheduler: Scheduler,
    private readonly random: SeededRandom,
    options: Partial<SimNetOptions> = {},
  ) {
    this.options = { ...SIM_NET_DEFAULTS, ...options };
    if (this.options.maxChunkBytes < 1) throw new Error("maxChunkBytes must be at least 1");
    this.#link = {
      scheduler,
      latencyMs: () => this.random.range(this.options.minLatencyMs, this.options.maxLatencyMs),
      chunkSizes: (length) => this.#chunkSizes(length),
      forget: (connection) => this.#connections.get(connection.host)?.delete(connection),
    };
  }

  /** The `Net` of one incarnation of `host`. */
  forHost(host: string, owner: Incarnation | null): Net {
    return {
      listen: (options) => isAlive(owner) ? this.#listen(host, owner, options) : never(),
      connect: (options) => isAlive(owner) ? this.#connect(host, owner, options) : never(),
    };
  }

  /** Open connection ends that belong to `host`, oldest first. */
  connectionsOf(host: string): SimConnection[] {
    return [...this.#connections.get(host) ?? []];
  }

  /** Fault: resets one connection (both ends fail at once). */
  resetConnection(connection: SimConnection): void {
    connection.reset();
  }

  /** Fault: resets every connection between two hosts. */
  resetConnectionsBetween(hostA: string, hostB: string): void {
    for (const connection of this.connectionsOf(hostA)) {
      if (connection.peer.host === hostB) connection.reset();
    }
  }

  /** Fault: cuts two hosts apart; their connections reset and new connects time out until healed. */
  partition(hostA: string, hostB: string): void {
    if (hostA === hostB) return;
    this.#partitions.add(pairKey(hostA, hostB));
    this.resetConnectionsBetween(hostA, hostB);
  }

  heal(hostA: string, hostB: string): void {
    this.#partitions.delete(pairKey(hostA, hostB));
  }

  healAll(): void {
    this.#partitions.clear();
  }

  isPartitioned(hostA: string, hostB: string): boolean {
    return this.#partitions.has(pairKey(hostA, hostB));
  }

  /**
   * A host crashed: its listeners close and its connections end; the peers
   * see end of stream after what was already in flight. Call after killing
   * the incarnation, so that nothing of the dead node is resolved.
   */
  crashHost(host: string): void {
    for (const listener of [...this.#listeners.values()]) {
      if (listener.host === host) listener.shutdown();
    }
    for (const connection of this.connectionsOf(host)) connection.shutdown();
  }

  #listen(
    host: string,
    owner: Incarnation | null,
    options: { host: string; port: number },
  ): Promise<Listener> {
    if (!WILDCARD_HOSTS.has(options.host) && !LOOPBACK_HOSTS.has(options.host) && options.host !== host) {
      return Promise.reject(new NetError(`${host} cannot listen on ${options.host}`, "EADDRNOTAVAIL"));
    }
    const port = options.port === 0 ? this.#ephemeralPort(host) : options.port;
    const key = `${host}:${port}`;
    if (this.#listeners.has(key)) return Promise.reject(new NetError(`address in use: ${key}`, "EADDRINUSE"));
    // The listener reports the host name, not the wildcard, so that it can be advertised.
    const listener = new SimListener(
      host,
      port,
      owner,
      this.options.backlogMax,
      () => this.#listeners.delete(key),
      this.scheduler,
    );
    this.#listeners.set(key, listener);
    return Promise.resolve(listener);
  }

  #connect(
    host: string,
    owner: Incarnation | null,
    options: { host: string; port: number },
  ): Promise<Connection> {
    const target = LOOPBACK_HOSTS.has(options.host) ? host : options.host;
    return new Promise((resolve, reject) => {
      // The SYN travels as a network event (no owner); the answer belongs to the connecting incarnation.
      this.scheduler.schedule(this.#link.latencyMs(), () => {
        if (!isAlive(owner)) return;
        if (this.isPartitioned(host, target)) {
          const error = new NetError(`connect to ${target}:${options.port} timed out`, "ETIMEDOUT");
          this.scheduler.schedule(this.options.connectTimeoutMs, () => reject(error), owner);
          return;
        }
        const outcome = this.#arrive(host, owner, target, options.port);
        const answer = outcome instanceof NetError ? () => reject(outcome) : () => resolve(outcome);
        this.scheduler.schedule(this.#link.latencyMs(), answer, owner);
      }, null);
    });
  }

  /** A SYN reaches `target:port`: the server end goes to the listener, the client end is returned. */
  #arrive(host: string, owner: Incarnation | null, target: string, port: number): SimConnection | NetError {
    const listener = this.#listeners.get(`${target}:${port}`);
    const refused = new NetError(`connection refused by ${target}:${port}`, "ECONNREFUSED");
    if (listener === undefined) return refused;
    const { client, server } = SimConnection.pair(
      this.#link,
      { host, port: this.#ephemeralPort(host), owner },
      { host: target, port, owner: listener.owner },
    );
    if (!listener.offer(server)) return refused;
    this.#track(client);
    this.#track(server);
    return client;
  }

  #track(connection: SimConnection): void {
    let set = this.#connections.get(connection.host);
    if (set === undefined) this.#connections.set(connection.host, set = new Set());
    set.add(connection);
  }

  #ephemeralPort(host: string): number {
    const port = this.#nextEphemeralPort.get(host) ?? EPHEMERAL_PORT_FIRST;
    this.#nextEphemeralPort.set(host, port >= 65535 ? EPHEMERAL_PORT_FIRST : port + 1);
    return port;
  }

  #chunkSizes(length: number): number[] {
    const sizes: number[] = [];
    for (let remaining = length; remaining > 0;) {
      const limit = this.random.chance(0.25) ? TINY_CHUNK_BYTES_MAX : this.options.maxChunkBytes;
      const size = Math.min(remaining, this.random.range(1, limit));
      sizes.push(size);
      remaining -= size;
    }
    return sizes;
  }
}
