/**
 * The seam between Dafka's deterministic logic and the world.
 *
 * Everything that reads the clock, sleeps, draws random numbers, opens sockets
 * or touches files goes through these interfaces. `deno_io.ts` implements them
 * with Deno's APIs; `sim/` implements them in memory with a virtual clock and
 * seeded faults, so the same broker code runs in production and in simulation.
 */

/** A cancellable timer handle. */
export interface Timer {
  cancel(): void;
}

/** Wall-clock time and timers. */
export interface Clock {
  /** Milliseconds since the Unix epoch (Kafka timestamps use this). */
  nowMs(): number;
  /** Monotonic milliseconds for measuring durations. */
  monotonicMs(): number;
  /** Calls `callback` once after `delayMs`. */
  setTimer(delayMs: number, callback: () => void): Timer;
  /** Resolves after `delayMs`. */
  sleep(delayMs: number): Promise<void>;
}

/** Seeded or real randomness. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, bound). */
  int(bound: number): number;
  /** Fills `bytes` with random values (used for UUIDs such as topic ids). */
  fill(bytes: Uint8Array): void;
}

/** One byte stream (a TCP connection or its simulated twin). */
export interface Connection {
  /** Remote address as "host:port", for logs. */
  readonly remote: string;
  /** Reads into `buffer`; resolves to the count read, or null at end of stream. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Writes all of `bytes`. Rejects if the connection is closed. */
  write(bytes: Uint8Array): Promise<void>;
  close(): void;
}

/** A listening socket. */
export interface Listener {
  readonly host: string;
  readonly port: number;
  /** Resolves to the next connection, or null once the listener is closed. */
  accept(): Promise<Connection | null>;
  close(): void;
}

/** Listening and connecting. */
export interface Net {
  listen(options: { host: string; port: number }): Promise<Listener>;
  connect(options: { host: string; port: number }): Promise<Connection>;
}

/**
 * An open file. Disk I/O is synchronous on purpose: Kafka's log code does
 * blocking I/O on the page cache, appends are cheap, and a synchronous API
 * keeps a partition's append and read order trivially deterministic.
 */
export interface FileHandle {
  /** Current length in bytes. */
  size(): number;
  /** Reads up to `length` bytes at `position` (fewer at end of file). */
  readAt(position: number, length: number): Uint8Array;
  /** Writes `bytes` at `position`, extending the file if needed. */
  writeAt(position: number, bytes: Uint8Array): void;
  /** Appends `bytes` at the end of the file. */
  append(bytes: Uint8Array): void;
  /** Cuts the file to `length` bytes. */
  truncate(length: number): void;
  /** Makes every write so far durable (fsync). */
  sync(): void;
  /**
   * When the file was last written, in milliseconds since the Unix epoch (its
   * mtime). Retention falls back to it for a segment whose records carry no
   * timestamp, as Kafka's LogSegment.lastModified does.
   */
  modifiedMs(): number;
  close(): void;
}

/** Thrown by `Disk` for an I/O failure such as ENOSPC or EIO. */
export class DiskError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = "DiskError";
  }
}

/** Files and folders. Paths use "/" separators. */
export interface Disk {
  /** Opens a file for reading and writing; creates it when `create` is set. */
  open(path: string, options?: { create?: boolean }): FileHandle;
  exists(path: string): boolean;
  /** Reads a whole file, or null when it does not exist. */
  readFile(path: string): Uint8Array | null;
  /**
   * Writes a whole file through a temporary file, a sync and a rename, then
   * syncs the parent folder, as Kafka's atomic moves do: once it returns,
   * the new content survives a power loss (a vote in `quorum-state` above all).
   */
  writeFileAtomic(path: string, bytes: Uint8Array): void;
  /** Names of the entries in a folder (not paths), sorted. */
  list(path: string): string[];
  /** Whether `path` is a folder. */
  isDirectory(path: string): boolean;
  mkdirs(path: string): void;
  rename(from: string, to: string): void;
  /** Removes a file or a folder with everything in it; no error if absent. */
  remove(path: string): void;
  /** Makes a folder's entries (creations, renames) durable. */
  syncDirectory(path: string): void;
}

/** Everything a node needs from the world. */
export interface World {
  clock: Clock;
  random: Random;
  net: Net;
  disk: Disk;
  /** Where log lines go. */
  log(line: string): void;
}
