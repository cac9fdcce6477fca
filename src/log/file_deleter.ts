/**
 * Removes files and folders after a delay, as Kafka's scheduled "delete-file"
 * and "kafka-delete-logs" tasks do.
 *
 * Whoever deletes first renames: a segment's files get the `.deleted` suffix,
 * a deleted topic's partition folder becomes `<topic>-<partition>.<id>-delete`.
 * The rename takes them out of the log at once and leaves names that the next
 * start-up knows to remove, so a crash at any point in between loses nothing
 * that was still in use and leaves nothing that could be taken for live data.
 * The removal itself waits `file.delete.delay.ms` on a Clock timer.
 */
import { type Clock, type Disk, DiskError, type Timer } from "../io/mod.ts";

/** What the deleter needs. */
export interface DelayedFileDeleterOptions {
  disk: Disk;
  clock: Clock;
  log?: (line: string) => void;
}

interface PendingRemoval {
  paths: string[];
  timer: Timer | null;
}

/** Removals waiting for their delay, each on its own Clock timer. */
export class DelayedFileDeleter {
  readonly #options: DelayedFileDeleterOptions;
  readonly #pending = new Map<number, PendingRemoval>();
  #nextId = 0;

  constructor(options: DelayedFileDeleterOptions) {
    this.#options = options;
  }

  /** Removes `paths` (files or whole folders) after `delayMs`; at once when the delay is not positive. */
  schedule(paths: readonly string[], delayMs: number): void {
    if (paths.length === 0) return;
    if (!(delayMs > 0)) {
      this.#remove(paths);
      return;
    }
    const id = this.#nextId++;
    const pending: PendingRemoval = { paths: [...paths], timer: null };
    this.#pending.set(id, pending);
    pending.timer = this.#options.clock.setTimer(delayMs, () => {
      if (!this.#pending.delete(id)) return;
      this.#remove(pending.paths);
    });
  }

  /** Paths waiting for their removal. */
  pendingPaths(): string[] {
    return [...this.#pending.values()].flatMap((pending) => pending.paths);
  }

  /** Removes everything pending now. */
  runAll(): void {
    const all = [...this.#pending.values()];
    this.cancelAll();
    for (const pending of all) this.#remove(pending.paths);
  }

  /** Forgets the pending removals (shutdown); the next start-up removes the renamed files. */
  cancelAll(): void {
    for (const pending of this.#pending.values()) pending.timer?.cancel();
    this.#pending.clear();
  }

  #remove(paths: readonly string[]): void {
    for (const path of paths) {
      try {
        this.#options.disk.remove(path);
      } catch (error) {
        // Kafka logs the failure and moves on; the renamed file is removed at the next start.
        if (!(error instanceof DiskError)) throw error;
        this.#options.log?.(`cannot remove ${path}: ${error.message}`);
      }
    }
  }
}
