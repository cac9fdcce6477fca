/**
 * What one incarnation sees of a simulated disk: the `Disk` and `FileHandle`
 * interfaces over `SimDisk`, refusing to work for a dead incarnation.
 */
import type { Disk, FileHandle } from "../types.ts";
import { type DiskOperation, fail } from "./disk_errors.ts";
import { FileContent } from "./disk_file.ts";
import type { Incarnation } from "./incarnation.ts";

/**
 * What a view needs of the disk it shows (SimDisk, which owns the folders, the
 * faults and the space); declared here so that the view does not import it.
 */
export interface DiskState {
  readonly nowMs: () => number;
  checkFault(operation: DiskOperation, path: string): void;
  checkSpace(extraBytes: number, path: string): void;
  /** The file or folder at `path` (a folder is anything but a FileContent), or undefined. */
  lookup(path: string): object | undefined;
  openContent(path: string, create: boolean): FileContent;
  writeFileAtomic(path: string, bytes: Uint8Array): void;
  list(path: string): string[];
  mkdirs(path: string): void;
  rename(from: string, to: string): void;
  remove(path: string): void;
  syncDirectory(path: string): void;
}

/** What one incarnation sees of the disk; it refuses to work for a dead incarnation. */
export class DiskView implements Disk {
  constructor(private readonly disk: DiskState, private readonly owner: Incarnation | null) {}

  open(path: string, options: { create?: boolean } = {}): FileHandle {
    this.#checkAlive();
    return new SimFileHandle(
      this.disk,
      this.disk.openContent(path, options.create ?? false),
      path,
      this.owner,
    );
  }

  exists(path: string): boolean {
    this.#checkAlive();
    return this.disk.lookup(path) !== undefined;
  }

  readFile(path: string): Uint8Array | null {
    this.#checkAlive();
    const node = this.disk.lookup(path);
    if (node === undefined) return null;
    if (!(node instanceof FileContent)) fail("EISDIR", "read of a folder", path);
    this.disk.checkFault("read", path);
    return node.readAll();
  }

  writeFileAtomic(path: string, bytes: Uint8Array): void {
    this.#checkAlive();
    this.disk.writeFileAtomic(path, bytes);
  }

  list(path: string): string[] {
    this.#checkAlive();
    return this.disk.list(path);
  }

  isDirectory(path: string): boolean {
    this.#checkAlive();
    const node = this.disk.lookup(path);
    return node !== undefined && !(node instanceof FileContent);
  }

  mkdirs(path: string): void {
    this.#checkAlive();
    this.disk.mkdirs(path);
  }

  rename(from: string, to: string): void {
    this.#checkAlive();
    this.disk.rename(from, to);
  }

  remove(path: string): void {
    this.#checkAlive();
    this.disk.remove(path);
  }

  syncDirectory(path: string): void {
    this.#checkAlive();
    this.disk.checkFault("sync", path);
    this.disk.syncDirectory(path);
  }

  #checkAlive(): void {
    assertAlive(this.owner);
  }
}

/** A dead incarnation's code cannot run (its callbacks are dropped); reaching here is a simulator bug. */
function assertAlive(owner: Incarnation | null): void {
  if (owner !== null && !owner.alive) throw new Error(`disk used by dead incarnation ${owner}`);
}

/** Positions and lengths are non-negative integers; anything else is a programming error. */
function checkCount(value: number, what: string, path: string): void {
  if (!Number.isSafeInteger(value) || value < 0) fail("EINVAL", `${what} ${value} in`, path);
}

/** An open simulated file. Like a POSIX descriptor, it keeps working after its file is renamed or removed. */
class SimFileHandle implements FileHandle {
  #closed = false;

  constructor(
    private readonly disk: DiskState,
    private readonly content: FileContent,
    private readonly path: string,
    private readonly owner: Incarnation | null,
  ) {}

  size(): number {
    this.#check();
    return this.content.size;
  }

  readAt(position: number, length: number): Uint8Array {
    this.#check();
    checkCount(position, "position", this.path);
    checkCount(length, "length", this.path);
    this.disk.checkFault("read", this.path);
    return this.content.read(position, length);
  }

  writeAt(position: number, bytes: Uint8Array): void {
    this.#check();
    checkCount(position, "position", this.path);
    this.disk.checkFault("write", this.path);
    this.disk.checkSpace(position + bytes.length - this.content.size, this.path);
    this.content.write(position, bytes);
    this.content.modifiedMs = this.disk.nowMs();
  }

  append(bytes: Uint8Array): void {
    this.writeAt(this.content.size, bytes);
  }

  truncate(length: number): void {
    this.#check();
    checkCount(length, "length", this.path);
    this.disk.checkFault("truncate", this.path);
    this.disk.checkSpace(length - this.content.size, this.path);
    this.content.truncate(length);
    this.content.modifiedMs = this.disk.nowMs();
  }

  sync(): void {
    this.#check();
    this.disk.checkFault("sync", this.path);
    this.content.sync();
  }

  modifiedMs(): number {
    this.#check();
    return this.content.modifiedMs;
  }

  close(): void {
    this.#closed = true;
  }

  #check(): void {
    assertAlive(this.owner);
    if (this.#closed) fail("EBADF", "use of closed file", this.path);
  }
}
