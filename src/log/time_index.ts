/**
 * The sparse time index of a segment (`<baseOffset>.timeindex`).
 *
 * Each 12-byte entry holds a timestamp (int64) and an offset relative to the
 * segment's base offset (int32): "the largest timestamp seen before this
 * offset". Timestamps only grow, so a lookup is a binary search for the
 * largest entry whose timestamp is <= the target. As in Kafka, the last slot
 * is kept free for the entry written when the segment is rolled or closed.
 */
import type { Disk } from "../io/mod.ts";
import { CorruptIndexError, IndexFile, MAX_RELATIVE_OFFSET } from "./_index_file.ts";

/** A timestamp and the offset it was seen at. */
export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

/** The timestamp of an entry that holds none (Kafka's RecordBatch.NO_TIMESTAMP). */
export const NO_TIMESTAMP = -1;

const ENTRY_SIZE = 12;

/** Options to open a time index. */
export interface TimeIndexOptions {
  disk: Disk;
  path: string;
  baseOffset: number;
  /** `segment.index.bytes`: the largest size the index may reach. */
  maxIndexSizeBytes: number;
}

export class TimeIndex {
  static readonly ENTRY_SIZE = ENTRY_SIZE;
  readonly baseOffset: number;
  readonly maxEntries: number;
  readonly #file: IndexFile;
  readonly #entry = new Uint8Array(ENTRY_SIZE);
  readonly #entryView = new DataView(this.#entry.buffer);

  private constructor(file: IndexFile, baseOffset: number, maxIndexSizeBytes: number) {
    this.#file = file;
    this.baseOffset = baseOffset;
    this.maxEntries = Math.floor(maxIndexSizeBytes / ENTRY_SIZE);
  }

  /** Opens or creates the index file. Throws CorruptIndexError for a file that cannot be an index. */
  static open(options: TimeIndexOptions): TimeIndex {
    const file = IndexFile.open(options.disk, options.path, ENTRY_SIZE);
    return new TimeIndex(file, options.baseOffset, options.maxIndexSizeBytes);
  }

  get path(): string {
    return this.#file.path;
  }

  get entryCount(): number {
    return this.#file.entryCount;
  }

  get sizeInBytes(): number {
    return this.#file.sizeInBytes;
  }

  /** Full one entry early: the last slot is for the entry written on roll. */
  isFull(): boolean {
    return this.entryCount >= this.maxEntries - 1;
  }

  /** Entry `index` as absolute timestamp and offset. */
  entry(index: number): TimestampOffset {
    if (index < 0 || index >= this.entryCount) throw new RangeError(`no entry ${index} in ${this.path}`);
    return {
      timestamp: this.#file.int64At(index, 0),
      offset: this.baseOffset + this.#file.int32At(index, 8),
    };
  }

  /** The last entry, or (NO_TIMESTAMP, baseOffset) when there is none. */
  lastEntry(): TimestampOffset {
    const count = this.entryCount;
    return count === 0 ? { timestamp: NO_TIMESTAMP, offset: this.baseOffset } : this.entry(count - 1);
  }

  /**
   * The entry with the largest timestamp <= `targetTimestamp`, or
   * (NO_TIMESTAMP, baseOffset) when there is none.
   */
  lookup(targetTimestamp: number): TimestampOffset {
    const slot = this.#file.largestLowerBound(targetTimestamp, (entry) => this.#file.int64At(entry, 0));
    return slot < 0 ? { timestamp: NO_TIMESTAMP, offset: this.baseOffset } : this.entry(slot);
  }

  /**
   * Adds (timestamp, offset) when the timestamp is larger than the last
   * entry's. `skipFullCheck` is for the entry written on roll or close.
   */
  maybeAppend(timestamp: number, offset: number, skipFullCheck = false): void {
    if (!skipFullCheck && this.isFull()) throw new Error(`${this.path} is full (${this.entryCount} entries)`);
    const last = this.lastEntry();
    if (this.entryCount > 0 && offset < last.offset) {
      throw new Error(`offset ${offset} is smaller than the last time-indexed offset ${last.offset}`);
    }
    if (this.entryCount > 0 && timestamp < last.timestamp) {
      throw new Error(`timestamp ${timestamp} is smaller than the last indexed timestamp ${last.timestamp}`);
    }
    if (timestamp <= last.timestamp) return;
    const relative = offset - this.baseOffset;
    if (relative < 0 || relative > MAX_RELATIVE_OFFSET) {
      throw new RangeError(`offset ${offset} overflows ${this.path}`);
    }
    this.#entryView.setBigInt64(0, BigInt(timestamp));
    this.#entryView.setInt32(8, relative);
    this.#file.appendEntry(this.#entry);
  }

  /** Removes every entry whose offset is >= `offset`. */
  truncateTo(offset: number): void {
    const slot = this.#file.largestLowerBound(
      offset - this.baseOffset - 1,
      (entry) => this.#file.int32At(entry, 8),
    );
    this.#file.truncateToEntries(slot + 1);
  }

  /** Removes every entry. */
  reset(): void {
    this.#file.truncateToEntries(0);
  }

  /** Checks that timestamps and offsets never go back and stay in the segment. */
  sanityCheck(): void {
    let previousTimestamp = Number.NEGATIVE_INFINITY;
    let previousRelative = -1;
    for (let index = 0; index < this.entryCount; index++) {
      const timestamp = this.#file.int64At(index, 0);
      const relative = this.#file.int32At(index, 8);
      if (timestamp < previousTimestamp || relative < previousRelative) {
        throw new CorruptIndexError(
          `${this.path}: entry ${index} (${timestamp}, ${relative}) is out of order`,
        );
      }
      previousTimestamp = timestamp;
      previousRelative = relative;
    }
  }

  sync(): void {
    this.#file.sync();
  }

  close(): void {
    this.#file.close();
  }

  delete(): void {
    this.#file.delete();
  }
}
