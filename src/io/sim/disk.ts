/**
 * The simulated disk of one host: a tree of folders and files kept in memory
 * with crash semantics, and injectable I/O faults.
 *
 * File contents are durable as of their last sync (see `disk_file.ts`).
 * Directory entries (creations, renames, removals) follow `directoryDurability`:
 * - "immediate" (the default): durable at once. Linux ext4 in its default
 *   ordered mode commits metadata through its journal within seconds and
 *   Kafka itself rarely fsyncs folders, so this keeps the simulator from
 *   reporting losses a real deployment would almost never see.
 * - "after-sync": durable only after `syncDirectory` of the parent folder,
 *   the strict POSIX reading, to find code that relies on luck.
 * A crash rebuilds every folder from its durable entries and every file from
 * its durable bytes, tearing unsynced writes as `TearOptions` says.
 */
import type { Disk } from "../types.ts";
import { FileContent, type TearOptions } from "./disk_file.ts";
import type { Incarnation } from "./incarnation.ts";
import { DiskView } from "./disk_view.ts";
import { type DiskOperation, fail } from "./disk_errors.ts";
import type { SeededRandom } from "./random.ts";

/** Crash and durability behaviour of a simulated disk. */
export interface SimDiskOptions extends TearOptions {
  directoryDurability: "immediate" | "after-sync";
}

export const SIM_DISK_DEFAULTS: SimDiskOptions = {
  directoryDurability: "immediate",
  tornWriteProbability: 0,
  garbageProbability: 0,
};

/** Faults that make operations fail; all off by default and changeable at any time. */
export interface DiskFaults {
  /** Chance that a read fails with EIO. */
  readErrorProbability: number;
  /** Chance that a write, append or truncate fails with EIO before changing anything. */
  writeErrorProbability: number;
  /** Total bytes of all files; growing past it fails with ENOSPC. */
  capacityBytes: number;
  /** Any other fault: return an error code (such as "EIO") to make the operation fail. */
  inject?: (operation: DiskOperation, path: string) => string | null;
}

/** A folder: its current entries and those that would survive a crash. */
export class Directory {
  entries = new Map<string, Node>();
  durableEntries = new Map<string, Node>();
}

/** An entry of a folder. */
export type Node = Directory | FileContent;

/** Splits a "/"-separated path into its names; "" and "." are skipped, ".." is refused. */
function namesOf(path: string): string[] {
  const names = path.split("/").filter((name) => name !== "" && name !== ".");
  if (names.includes("..")) fail("EINVAL", "path with ..", path);
  return names;
}

/** A simulated disk; `view(incarnation)` gives the `Disk` a node uses. */
export class SimDisk {
  readonly options: SimDiskOptions;
  readonly faults: DiskFaults = {
    readErrorProbability: 0,
    writeErrorProbability: 0,
    capacityBytes: Infinity,
  };
  /**
   * Hears of every entry about to leave its folder (renamed away or
   * removed), while its content is still there: the retention checker sees
   * each segment file the node deletes, at the moment it deletes it.
   */
  beforeEntryLeaves: ((path: string) => void) | null = null;
  readonly #root = new Directory();

  /**
   * `nowMs` is the host's wall clock, which stamps files' modification times
   * (retention reads them for segments whose records carry no timestamp).
   */
  constructor(
    private readonly random: SeededRandom,
    options: Partial<SimDiskOptions> = {},
    readonly nowMs: () => number = () => 0,
  ) {
    this.options = { ...SIM_DISK_DEFAULTS, ...options };
  }

  /** The `Disk` of one incarnation: it and its open files stop working when the incarnation dies. */
  view(owner: Incarnation | null): Disk {
    return new DiskView(this, owner);
  }

  /**
   * The host lost power or its process was killed: every folder reverts to
   * its durable entries, every file to its durable bytes, with tearing.
   */
  crash(): void {
    const visited = new Set<Node>();
    const revert = (node: Node): void => {
      if (visited.has(node)) return;
      visited.add(node);
      if (node instanceof FileContent) return node.crash(this.random, this.options);
      node.entries = new Map(node.durableEntries);
      // Sorted, so that the random draws of tearing never depend on insertion history.
      for (const name of [...node.entries.keys()].sort()) revert(node.entries.get(name)!);
    };
    revert(this.#root);
  }

  /** Throws when a fault hits `operation` on `path`. */
  checkFault(operation: DiskOperation, path: string): void {
    const injected = this.faults.inject?.(operation, path) ?? null;
    if (injected !== null) fail(injected, operation, path);
    const probability = operation === "read"
      ? this.faults.readErrorProbability
      : operation === "write" || operation === "truncate"
      ? this.faults.writeErrorProbability
      : 0;
    if (this.random.chance(probability)) fail("EIO", operation, path);
  }

  /** Throws ENOSPC unless `extraBytes` more fit. */
  checkSpace(extraBytes: number, path: string): void {
    if (extraBytes <= 0 || this.faults.capacityBytes === Infinity) return;
    if (this.usedBytes() + extraBytes > this.faults.capacityBytes) fail("ENOSPC", "no space left for", path);
  }

  /** Bytes in all files reachable from the root. */
  usedBytes(): number {
    let total = 0;
    const pending: Directory[] = [this.#root];
    for (let directory = pending.pop(); directory !== undefined; directory = pending.pop()) {
      for (const node of directory.entries.values()) {
        if (node instanceof FileContent) total += node.size;
        else pending.push(node);
      }
    }
    return total;
  }

  lookup(path: string): Node | undefined {
    let node: Node = this.#root;
    for (const name of namesOf(path)) {
      if (!(node instanceof Directory)) return undefined;
      const child: Node | undefined = node.entries.get(name);
      if (child === undefined) return undefined;
      node = child;
    }
    return node;
  }

  /** The folder holding `path` and the name in it; throws ENOENT when the folder is missing. */
  parentOf(path: string): { directory: Directory; name: string } {
    const names = namesOf(path);
    const name = names.pop();
    if (name === undefined) fail("EINVAL", "the root has no parent", path);
    const directory = this.lookup(names.join("/"));
    if (directory === undefined) fail("ENOENT", "no folder for", path);
    if (!(directory instanceof Directory)) fail("ENOTDIR", "not a folder above", path);
    return { directory, name };
  }

  /** Adds or replaces an entry; durable at once unless folders need a sync. */
  setEntry(directory: Directory, name: string, node: Node): void {
    directory.entries.set(name, node);
    if (this.options.directoryDurability === "immediate") directory.durableEntries.set(name, node);
  }

  deleteEntry(directory: Directory, name: string): void {
    directory.entries.delete(name);
    if (this.options.directoryDurability === "immediate") directory.durableEntries.delete(name);
  }

  syncDirectory(path: string): void {
    const directory = this.lookup(path);
    if (directory === undefined) fail("ENOENT", "sync of missing folder", path);
    if (!(directory instanceof Directory)) fail("ENOTDIR", "sync of a file as a folder", path);
    directory.durableEntries = new Map(directory.entries);
  }

  mkdirs(path: string): void {
    let node: Node = this.#root;
    for (const name of namesOf(path)) {
      if (!(node instanceof Directory)) fail("ENOTDIR", "a file is in the way of", path);
      let child: Node | undefined = node.entries.get(name);
      if (child === undefined) {
        this.checkFault("mkdir", path);
        child = new Directory();
        this.setEntry(node, name, child);
      }
      node = child;
    }
    if (!(node instanceof Directory)) fail("EEXIST", "a file exists at", path);
  }

  rename(from: string, to: string): void {
    this.checkFault("rename", from);
    const node = this.lookup(from);
    if (node === undefined) fail("ENOENT", "rename of missing", from);
    const source = this.parentOf(from);
    const target = this.parentOf(to);
    const fromNames = namesOf(from);
    const toNames = namesOf(to);
    if (fromNames.join("/") === toNames.join("/")) return;
    if (node instanceof Directory && fromNames.every((name, index) => toNames[index] === name)) {
      fail("EINVAL", "rename of a folder into itself", to);
    }
    const existing = target.directory.entries.get(target.name);
    if (existing instanceof Directory) {
      if (!(node instanceof Directory)) fail("EISDIR", "rename of a file onto a folder", to);
      if (existing.entries.size > 0) fail("ENOTEMPTY", "rename onto a non-empty folder", to);
    } else if (existing !== undefined && node instanceof Directory) {
      fail("ENOTDIR", "rename of a folder onto a file", to);
    }
    this.beforeEntryLeaves?.(from);
    this.deleteEntry(source.directory, source.name);
    this.setEntry(target.directory, target.name, node);
  }

  remove(path: string): void {
    if (this.lookup(path) === undefined) return;
    this.checkFault("remove", path);
    if (namesOf(path).length === 0) {
      for (const name of [...this.#root.entries.keys()]) this.deleteEntry(this.#root, name);
      return;
    }
    const { directory, name } = this.parentOf(path);
    this.beforeEntryLeaves?.(path);
    this.deleteEntry(directory, name);
  }

  /** Opens (or creates) a file's content. */
  openContent(path: string, create: boolean): FileContent {
    this.checkFault("open", path);
    const node = this.lookup(path);
    if (node instanceof Directory) fail("EISDIR", "open of a folder", path);
    if (node !== undefined) return node;
    if (!create) fail("ENOENT", "open of missing", path);
    const { directory, name } = this.parentOf(path);
    const content = new FileContent(new Uint8Array(0), false, this.nowMs());
    this.setEntry(directory, name, content);
    return content;
  }

  /** Replaces a file with durable content in one step (write to a temporary file, sync, rename). */
  writeFileAtomic(path: string, bytes: Uint8Array): void {
    this.checkFault("write", path);
    const { directory, name } = this.parentOf(path);
    const existing = directory.entries.get(name);
    if (existing instanceof Directory) fail("EISDIR", "write over a folder", path);
    this.checkSpace(bytes.length - (existing?.size ?? 0), path);
    this.setEntry(directory, name, new FileContent(bytes, true, this.nowMs()));
    // The parent folder is synced after the rename (see Disk.writeFileAtomic): all its entries are durable.
    directory.durableEntries = new Map(directory.entries);
  }

  list(path: string): string[] {
    const node = this.lookup(path);
    if (node === undefined) fail("ENOENT", "list of missing", path);
    if (!(node instanceof Directory)) fail("ENOTDIR", "list of a file", path);
    return [...node.entries.keys()].sort();
  }
}
