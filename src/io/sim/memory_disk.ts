/**
 * The simulated disk as unit tests use it: one `SimDisk` seen by no
 * incarnation (it never crashes unless a test says so), with counters of
 * syncs and reads for tests that check how often the code touches the disk,
 * and helpers that damage a file the way a bad disk or a torn write would.
 * It is the simulator's disk, not a second implementation.
 */
import type { Disk, FileHandle } from "../types.ts";
import { SimDisk } from "./disk.ts";
import { FileContent } from "./disk_file.ts";
import { MANUAL_CLOCK_START_MS } from "./manual_clock.ts";
import { SeededRandom } from "./random.ts";

export class MemoryDisk implements Disk {
  /** The simulated disk underneath (for crashes and fault injection). */
  readonly sim: SimDisk;
  /** How many times `sync` was called on any file, plus atomic writes and folder syncs. */
  syncCount = 0;
  /** How many `readAt` calls were made, to check that reads are few. */
  readCount = 0;
  readonly #view: Disk;

  /** `clock` stamps files' modification times; tests of retention pass the clock they move. */
  constructor(clock: { nowMs(): number } = { nowMs: () => MANUAL_CLOCK_START_MS }) {
    this.sim = new SimDisk(new SeededRandom(0), {}, () => clock.nowMs());
    this.#view = this.sim.view(null);
  }

  nowMs(): number {
    return this.sim.nowMs();
  }

  open(path: string, options: { create?: boolean } = {}): FileHandle {
    return new CountingFile(this, this.#view.open(path, options));
  }

  exists(path: string): boolean {
    return this.#view.exists(path);
  }

  readFile(path: string): Uint8Array | null {
    return this.#view.isDirectory(path) ? null : this.#view.readFile(path);
  }

  writeFileAtomic(path: string, bytes: Uint8Array): void {
    this.#view.writeFileAtomic(path, bytes);
    this.syncCount++;
  }

  list(path: string): string[] {
    return this.#view.list(path);
  }

  isDirectory(path: string): boolean {
    return this.#view.isDirectory(path);
  }

  mkdirs(path: string): void {
    this.#view.mkdirs(path);
  }

  rename(from: string, to: string): void {
    this.#view.rename(from, to);
  }

  remove(path: string): void {
    this.#view.remove(path);
  }

  syncDirectory(path: string): void {
    this.#view.syncDirectory(path);
    this.syncCount++;
  }

  /** Test helper: overwrites one byte of a file, as silent corruption would. */
  corruptByte(path: string, position: number): void {
    const content = this.#content(path);
    if (position >= content.size) throw new Error(`cannot corrupt ${path}@${position}`);
    content.write(position, new Uint8Array([content.read(position, 1)[0]! ^ 0xff]));
  }

  /** Test helper: cuts a file to `length` bytes, as a torn write would. */
  truncateFile(path: string, length: number): void {
    const content = this.#content(path);
    content.truncate(Math.min(length, content.size));
  }

  /** Test helper: the size of a file, or -1 when it does not exist. */
  fileSize(path: string): number {
    const node = this.sim.lookup(path);
    return node instanceof FileContent ? node.size : -1;
  }

  #content(path: string): FileContent {
    const node = this.sim.lookup(path);
    if (!(node instanceof FileContent)) throw new Error(`no file ${path}`);
    return node;
  }
}

/** A simulated file that counts its reads and syncs on its disk. */
class CountingFile implements FileHandle {
  constructor(private readonly disk: MemoryDisk, private readonly inner: FileHandle) {}

  size(): number {
    return this.inner.size();
  }

  readAt(position: number, length: number): Uint8Array {
    this.disk.readCount++;
    return this.inner.readAt(position, length);
  }

  writeAt(position: number, bytes: Uint8Array): void {
    this.inner.writeAt(position, bytes);
  }

  append(bytes: Uint8Array): void {
    this.inner.append(bytes);
  }

  truncate(length: number): void {
    this.inner.truncate(length);
  }

  sync(): void {
    this.disk.syncCount++;
    this.inner.sync();
  }

  modifiedMs(): number {
    return this.inner.modifiedMs();
  }

  close(): void {
    this.inner.close();
  }
}
