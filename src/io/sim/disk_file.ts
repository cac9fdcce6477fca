/**
 * The contents of one simulated file, with durability.
 *
 * A file has its current bytes (what reads see, the page cache) and its
 * durable bytes (what survives a crash), plus the writes made since the last
 * sync, in order. `sync` makes the current bytes durable. `crash` rebuilds
 * the file from its durable bytes, optionally with a seed-chosen prefix of the
 * unsynced writes and one of them torn: cut short, or replaced by garbage.
 */
import type { SeededRandom } from "./random.ts";

/** How a crash treats writes that were not synced. */
export interface TearOptions {
  /** Chance that a file with unsynced writes keeps some of them, the last kept one torn. */
  tornWriteProbability: number;
  /** Chance that a torn write left garbage bytes rather than a prefix of its data. */
  garbageProbability: number;
}

/** Unsynced writes kept per file; older ones are written back, as a kernel flushes dirty pages on its own. */
const PENDING_WRITES_MAX = 1024;

type PendingWrite =
  | { kind: "write"; position: number; bytes: Uint8Array }
  | { kind: "truncate"; length: number };

/** A byte array that grows by doubling. */
class Bytes {
  #buffer: Uint8Array;
  #length: number;

  constructor(initial: Uint8Array = new Uint8Array(0)) {
    this.#buffer = new Uint8Array(Math.max(64, initial.length));
    this.#buffer.set(initial);
    this.#length = initial.length;
  }

  get length(): number {
    return this.#length;
  }

  view(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }

  clone(): Bytes {
    return new Bytes(this.view());
  }

  write(position: number, bytes: Uint8Array): void {
    const end = position + bytes.length;
    if (end > this.#buffer.length) {
      let capacity = this.#buffer.length * 2;
      while (capacity < end) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.view());
      this.#buffer = grown;
    }
    // A write past the end leaves a hole of zeros, as a sparse file reads back.
    if (position > this.#length) this.#buffer.fill(0, this.#length, position);
    this.#buffer.set(bytes, position);
    this.#length = Math.max(this.#length, end);
  }

  truncate(length: number): void {
    if (length > this.#length) {
      this.write(this.#length, new Uint8Array(length - this.#length));
    } else {
      this.#length = length;
    }
  }

  apply(change: PendingWrite): void {
    if (change.kind === "write") this.write(change.position, change.bytes);
    else this.truncate(change.length);
  }
}

/** One file's bytes: current, durable, and the writes in between. */
export class FileContent {
  #current: Bytes;
  #durable: Bytes;
  #pending: PendingWrite[] = [];
  /** The simulated wall-clock time of the last write or truncation (the file's mtime). */
  modifiedMs: number;

  /** A new file holding `initial`, already durable when `durable` is set (a synced write). */
  constructor(initial: Uint8Array = new Uint8Array(0), durable = false, modifiedMs = 0) {
    this.modifiedMs = modifiedMs;
    this.#current = new Bytes(initial);
    this.#durable = durable ? new Bytes(initial) : new Bytes();
    if (!durable && initial.length > 0) {
      this.#pending.push({ kind: "write", position: 0, bytes: initial.slice() });
    }
  }

  get size(): number {
    return this.#current.length;
  }

  /** Writes made since the last sync (bounded by background write-back). */
  get unsyncedWrites(): number {
    return this.#pending.length;
  }

  /** A copy of up to `length` bytes at `position`. */
  read(position: number, length: number): Uint8Array {
    const start = Math.min(position, this.size);
    return this.#current.view().slice(start, Math.min(this.size, start + length));
  }

  /** A copy of the whole current content. */
  readAll(): Uint8Array {
    return this.#current.view().slice();
  }

  /** A copy of the durable content: what a crash right now without tearing would leave. */
  readDurable(): Uint8Array {
    return this.#durable.view().slice();
  }

  write(position: number, bytes: Uint8Array): void {
    this.#record({ kind: "write", position, bytes: bytes.slice() });
  }

  truncate(length: number): void {
    this.#record({ kind: "truncate", length });
  }

  sync(): void {
    this.#durable = this.#current.clone();
    this.#pending = [];
  }

  /** Reverts to the durable content, possibly keeping some unsynced writes and tearing one. */
  crash(random: SeededRandom, tear: TearOptions): void {
    const survivor = this.#durable.clone();
    const pending = this.#pending;
    if (pending.length > 0 && random.chance(tear.tornWriteProbability)) {
      const kept = random.int(pending.length + 1);
      for (const change of pending.slice(0, kept)) survivor.apply(change);
      const torn = pending[kept];
      if (torn?.kind === "write" && torn.bytes.length > 0) {
        const garbage = random.chance(tear.garbageProbability);
        const length = garbage ? random.range(1, torn.bytes.length) : random.int(torn.bytes.length);
        const bytes = new Uint8Array(length);
        if (garbage) random.fill(bytes);
        else bytes.set(torn.bytes.subarray(0, length));
        survivor.write(torn.position, bytes);
      }
    }
    this.#durable = survivor;
    this.#current = survivor.clone();
    this.#pending = [];
  }

  #record(change: PendingWrite): void {
    this.#current.apply(change);
    this.#pending.push(change);
    if (this.#pending.length > PENDING_WRITES_MAX) this.#durable.apply(this.#pending.shift()!);
  }
}
