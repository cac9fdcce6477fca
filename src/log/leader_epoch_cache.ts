/**
 * The leader epochs of a partition and the offset each began at, kept in
 * `leader-epoch-checkpoint` (Kafka's LeaderEpochFileCache): version 0, a
 * count, then "epoch startOffset" lines. A new entry is written (and synced)
 * as soon as a batch of a new epoch is appended, so after a crash the file
 * never misses an epoch; truncations are checked again at load.
 */
import type { Disk } from "../io/mod.ts";
import { CheckpointFormatError, readCheckpointLines, writeCheckpointLines } from "./checkpoint_file.ts";
import { joinPath } from "./file_names.ts";

export const LEADER_EPOCH_CHECKPOINT_FILE = "leader-epoch-checkpoint";
const CHECKPOINT_VERSION = 0;

/** Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET. */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

/** An epoch and the first offset written in it. */
export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

/** OffsetForLeaderEpoch's answer: the epoch found and where it ended. */
export interface EpochEndOffset {
  leaderEpoch: number;
  endOffset: number;
}

export class LeaderEpochCache {
  readonly path: string;
  /** Ascending by epoch and by start offset. */
  #entries: EpochEntry[] = [];

  private constructor(private readonly disk: Disk, directory: string) {
    this.path = joinPath(directory, LEADER_EPOCH_CHECKPOINT_FILE);
  }

  /** Loads the partition's checkpoint (a missing file is an empty cache). */
  static open(disk: Disk, directory: string): LeaderEpochCache {
    const cache = new LeaderEpochCache(disk, directory);
    for (const line of readCheckpointLines(disk, cache.path, CHECKPOINT_VERSION)) {
      const parts = line.split(/\s+/);
      if (parts.length !== 2 || !parts.every((part) => /^-?[0-9]+$/.test(part))) {
        throw new CheckpointFormatError(`malformed line in ${cache.path}: ${line}`);
      }
      cache.#assign({ epoch: Number(parts[0]), startOffset: Number(parts[1]) });
    }
    return cache;
  }

  entries(): EpochEntry[] {
    return this.#entries.map((entry) => ({ ...entry }));
  }

  latestEntry(): EpochEntry | null {
    return this.#entries[this.#entries.length - 1] ?? null;
  }

  earliestEntry(): EpochEntry | null {
    return this.#entries[0] ?? null;
  }

  /** The latest epoch, or UNDEFINED_EPOCH. */
  latestEpoch(): number {
    return this.latestEntry()?.epoch ?? UNDEFINED_EPOCH;
  }

  /**
   * Records that `epoch` starts at `startOffset`, dropping later entries that
   * conflict with it, and writes the file when anything changed.
   */
  assign(epoch: number, startOffset: number): boolean {
    if (!this.#assign({ epoch, startOffset })) return false;
    this.#write();
    return true;
  }

  #assign(entry: EpochEntry): boolean {
    if (entry.epoch < 0 || entry.startOffset < 0) {
      throw new RangeError(`invalid leader epoch entry ${entry.epoch} ${entry.startOffset}`);
    }
    const latest = this.latestEntry();
    if (latest !== null && latest.epoch === entry.epoch && entry.startOffset >= latest.startOffset) {
      return false;
    }
    while (this.#entries.length > 0) {
      const last = this.#entries[this.#entries.length - 1]!;
      if (last.epoch < entry.epoch && last.startOffset < entry.startOffset) break;
      this.#entries.pop();
    }
    this.#entries.push(entry);
    return true;
  }

  /**
   * Kafka's endOffsetFor: for the latest epoch, the log end offset; for an
   * older one, the start offset of the next larger epoch (with the largest
   * epoch <= the requested one); UNDEFINED when nothing is known.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): EpochEndOffset {
    const undefinedResult = { leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (requestedEpoch === UNDEFINED_EPOCH) return undefinedResult;
    if (this.#entries.length > 0 && this.latestEpoch() === requestedEpoch) {
      return { leaderEpoch: requestedEpoch, endOffset: logEndOffset };
    }
    const higherIndex = this.#entries.findIndex((entry) => entry.epoch > requestedEpoch);
    if (higherIndex < 0) return undefinedResult;
    const higher = this.#entries[higherIndex]!;
    if (higherIndex === 0) return { leaderEpoch: requestedEpoch, endOffset: higher.startOffset };
    return { leaderEpoch: this.#entries[higherIndex - 1]!.epoch, endOffset: higher.startOffset };
  }

  /** The epoch that wrote `offset`, or UNDEFINED_EPOCH when it is before every entry. */
  epochForOffset(offset: number): number {
    let epoch = UNDEFINED_EPOCH;
    for (const entry of this.#entries) {
      if (entry.startOffset > offset) break;
      epoch = entry.epoch;
    }
    return epoch;
  }

  /** Removes entries that start at or after `endOffset` (the log was truncated there). */
  truncateFromEnd(endOffset: number): void {
    const latest = this.latestEntry();
    if (endOffset < 0 || latest === null || latest.startOffset < endOffset) return;
    while (this.#entries.length > 0 && this.#entries[this.#entries.length - 1]!.startOffset >= endOffset) {
      this.#entries.pop();
    }
    this.#write();
  }

  /**
   * Removes entries wholly before `startOffset` (the log start moved); the
   * last of them is kept, moved to start at `startOffset`.
   */
  truncateFromStart(startOffset: number): void {
    let removed = 0;
    while (removed < this.#entries.length && this.#entries[removed]!.startOffset <= startOffset) removed++;
    if (removed === 0) return;
    const kept = { epoch: this.#entries[removed - 1]!.epoch, startOffset };
    this.#entries = [kept, ...this.#entries.slice(removed)];
    this.#write();
  }

  /** Forgets every epoch and writes the empty file. */
  clearAndFlush(): void {
    this.#entries = [];
    this.#write();
  }

  #write(): void {
    const lines = this.#entries.map((entry) => `${entry.epoch} ${entry.startOffset}`);
    writeCheckpointLines(this.disk, this.path, CHECKPOINT_VERSION, lines);
  }
}
