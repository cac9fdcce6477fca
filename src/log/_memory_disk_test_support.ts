/**
 * An in-memory `Disk` for the log's unit tests: files and folders in maps,
 * with helpers to damage files the way a crash or a bad disk would.
 */
import { type Disk, DiskError, type FileHandle } from "../io/types.ts";
import { MANUAL_CLOCK_START_MS } from "./_manual_clock_test_support.ts";

interface FileData {
  bytes: Uint8Array;
  length: number;
  /** The clock's time at the last write (the file's mtime). */
  modifiedMs: number;
}

function normalize(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed === "" ? "/" : trimmed.replace(/\/+/g, "/");
}

function parentOf(path: string): string {
  const index = path.lastIndexOf("/");
  if (index <= 0) return index === 0 ? "/" : ".";
  return path.slice(0, index);
}

function nameOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

class MemoryFile implements FileHandle {
  #closed = false;
  constructor(
    private readonly disk: MemoryDisk,
    private readonly path: string,
    private readonly data: FileData,
  ) {}

  #check(): void {
    // A handle keeps its data after a rename or removal, as a file descriptor does.
    if (this.#closed) throw new DiskError(`${this.path} is closed`, "EBADF");
  }
  size(): number {
    this.#check();
    return this.data.length;
  }
  readAt(position: number, length: number): Uint8Array {
    this.#check();
    this.disk.readCount++;
    const end = Math.min(this.data.length, position + length);
    if (end <= position) return new Uint8Array(0);
    return this.data.bytes.slice(position, end);
  }
  writeAt(position: number, bytes: Uint8Array): void {
    this.#check();
    const end = position + bytes.length;
    if (end > this.data.bytes.length) {
      const grown = new Uint8Array(Math.max(end, this.data.bytes.length * 2, 64));
      grown.set(this.data.bytes.subarray(0, this.data.length));
      this.data.bytes = grown;
    }
    if (position > this.data.length) this.data.bytes.fill(0, this.data.length, position);
    this.data.bytes.set(bytes, position);
    this.data.length = Math.max(this.data.length, end);
    this.data.modifiedMs = this.disk.nowMs();
  }
  append(bytes: Uint8Array): void {
    this.writeAt(this.size(), bytes);
  }
  truncate(length: number): void {
    this.#check();
    if (length > this.data.length) {
      this.writeAt(this.data.length, new Uint8Array(length - this.data.length));
    }
    this.data.length = length;
    this.data.modifiedMs = this.disk.nowMs();
  }
  sync(): void {
    this.#check();
    this.disk.syncCount++;
  }
  modifiedMs(): number {
    this.#check();
    return this.data.modifiedMs;
  }
  close(): void {
    this.#closed = true;
  }
}

/** A whole file system in memory; paths use "/" separators. */
export class MemoryDisk implements Disk {
  readonly #files = new Map<string, FileData>();
  readonly #directories = new Set<string>(["/", "."]);
  /** How many times `sync` was called on any file. */
  syncCount = 0;
  /** How many `readAt` calls were made, to check that reads are few. */
  readCount = 0;

  /** `clock` stamps files' modification times; tests of retention pass the clock they move. */
  constructor(private readonly clock: { nowMs(): number } = { nowMs: () => MANUAL_CLOCK_START_MS }) {}

  nowMs(): number {
    return this.clock.nowMs();
  }

  #requireParent(path: string): void {
    if (!this.#directories.has(parentOf(path))) {
      throw new DiskError(`no folder for ${path}`, "ENOENT");
    }
  }

  open(path: string, options: { create?: boolean } = {}): FileHandle {
    const key = normalize(path);
    let data = this.#files.get(key);
    if (data === undefined) {
      if (!options.create) throw new DiskError(`open ${key}: not found`, "ENOENT");
      this.#requireParent(key);
      data = { bytes: new Uint8Array(64), length: 0, modifiedMs: this.nowMs() };
      this.#files.set(key, data);
    }
    return new MemoryFile(this, key, data);
  }
  exists(path: string): boolean {
    const key = normalize(path);
    return this.#files.has(key) || this.#directories.has(key);
  }
  readFile(path: string): Uint8Array | null {
    const data = this.#files.get(normalize(path));
    return data === undefined ? null : data.bytes.slice(0, data.length);
  }
  writeFileAtomic(path: string, bytes: Uint8Array): void {
    const key = normalize(path);
    this.#requireParent(key);
    this.#files.set(key, { bytes: bytes.slice(), length: bytes.length, modifiedMs: this.nowMs() });
    this.syncCount++;
  }
  list(path: string): string[] {
    const key = normalize(path);
    if (!this.#directories.has(key)) throw new DiskError(`list ${key}: not found`, "ENOENT");
    const names: string[] = [];
    for (const candidate of [...this.#files.keys(), ...this.#directories]) {
      if (candidate !== key && parentOf(candidate) === key) names.push(nameOf(candidate));
    }
    return names.sort();
  }
  isDirectory(path: string): boolean {
    return this.#directories.has(normalize(path));
  }
  mkdirs(path: string): void {
    let key = normalize(path);
    while (!this.#directories.has(key)) {
      this.#directories.add(key);
      key = parentOf(key);
    }
  }
  rename(from: string, to: string): void {
    const source = normalize(from);
    const target = normalize(to);
    this.#requireParent(target);
    const file = this.#files.get(source);
    if (file !== undefined) {
      this.#files.delete(source);
      this.#files.set(target, file);
      return;
    }
    if (!this.#directories.has(source)) throw new DiskError(`rename ${source}: not found`, "ENOENT");
    const prefix = `${source}/`;
    for (const [path, data] of [...this.#files]) {
      if (!path.startsWith(prefix)) continue;
      this.#files.delete(path);
      this.#files.set(target + path.slice(source.length), data);
    }
    for (const path of [...this.#directories]) {
      if (path !== source && !path.startsWith(prefix)) continue;
      this.#directories.delete(path);
      this.#directories.add(target + path.slice(source.length));
    }
  }
  remove(path: string): void {
    const key = normalize(path);
    this.#files.delete(key);
    if (!this.#directories.has(key)) return;
    const prefix = `${key}/`;
    for (const file of [...this.#files.keys()]) if (file.startsWith(prefix)) this.#files.delete(file);
    for (const folder of [...this.#directories]) {
      if (folder === key || folder.startsWith(prefix)) this.#directories.delete(folder);
    }
  }
  syncDirectory(_path: string): void {
    this.syncCount++;
  }

  /** Test helper: overwrites one byte of a file, as silent corruption would. */
  corruptByte(path: string, position: number): void {
    const data = this.#files.get(normalize(path));
    if (data === undefined || position >= data.length) throw new Error(`cannot corrupt ${path}@${position}`);
    data.bytes[position] = data.bytes[position]! ^ 0xff;
  }

  /** Test helper: cuts a file to `length` bytes, as a torn write would. */
  truncateFile(path: string, length: number): void {
    const data = this.#files.get(normalize(path));
    if (data === undefined) throw new Error(`no file ${path}`);
    data.length = Math.min(length, data.length);
  }

  /** Test helper: the size of a file, or -1 when it does not exist. */
  fileSize(path: string): number {
    return this.#files.get(normalize(path))?.length ?? -1;
  }
}
