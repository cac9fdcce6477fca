/**
 * The sparse offset index of a segment (`<baseOffset>.index`).
 *
 * Each 8-byte entry holds an offset relative to the segment's base offset
 * (int32) and the byte position of a batch in the `.log` file (int32). As in
 * Kafka, an entry is written every `index.interval.bytes` of log, keyed by
 * the last offset of the batches appended at that position, so the batch
 * that holds any offset >= the key starts at or after the position. A lookup
 * is a binary search for the largest entry <= the target.
 */
import type { Disk } from "../io/mod.ts";
import { CorruptIndexError, IndexFile, MAX_RELATIVE_OFFSET } from "./_index_file.ts";

/** An offset and the position in the `.log` file to start scanning from. */
export interface OffsetPosition {
  offset: number;
  position: number;
}

const ENTRY_SIZE = 8;

/** Options to open an offset index. */
export interface OffsetIndexOptions {
  disk: Disk;
  path: string;
  baseOffset: number;
  /** `segment.index.bytes`: the largest size the index may reach. */
  maxIndexSizeBytes: number;
}

export class OffsetIndex {
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
  static open(options: OffsetIndexOptions): OffsetIndex {
    const file = IndexFile.open(options.disk, options.path, ENTRY_SIZE);
    return new OffsetIndex(file, options.baseOffset, options.maxIndexSizeBytes);
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

  isFull(): boolean {
    return this.entryCount >= this.maxEntries;
  }

  /** The offset of the last entry, or the base offset when there is none. */
  get lastOffset(): number {
    const count = this.entryCount;
    return count === 0 ? this.baseOffset : this.baseOffset + this.#file.int32At(count - 1, 0);
  }

  /** Entry `index` as absolute offset and position. */
  entry(index: number): OffsetPosition {
    if (index < 0 || index >= this.entryCount) throw new RangeError(`no entry ${index} in ${this.path}`);
    return { offset: this.baseOffset + this.#file.int32At(index, 0), position: this.#file.int32At(index, 4) };
  }

  /**
   * The largest entry whose offset is <= `targetOffset`, or (baseOffset, 0)
   * when there is none.
   */
  lookup(targetOffset: number): OffsetPosition {
    const relative = targetOffset - this.baseOffset;
    const slot = this.#file.largestLowerBound(relative, (entry) => this.#file.int32At(entry, 0));
    return slot < 0 ? { offset: this.baseOffset, position: 0 } : this.entry(slot);
  }

  /** Whether `offset` fits an entry of this index (relative offset in int32). */
  canAppendOffset(offset: number): boolean {
    const relative = offset - this.baseOffset;
    return relative >= 0 && relative <= MAX_RELATIVE_OFFSET;
  }

  /** Adds an entry; its offset must be larger than the last one's. */
  append(offset: number, position: number): void {
    if (this.isFull()) throw new Error(`${this.path} is full (${this.entryCount} entries)`);
    if (!this.canAppendOffset(offset)) throw new RangeError(`offset ${offset} overflows ${this.path}`);
    if (this.entryCount > 0 && offset <= this.lastOffset) {
      throw new Error(`offset ${offset} is not larger than the last indexed offset ${this.lastOffset}`);
    }
    this.#entryView.setInt32(0, offset - this.baseOffset);
    this.#entryView.setInt32(4, position);
    this.#file.appendEntry(this.#entry);
  }

  /** Removes every entry whose offset is >= `offset`. */
  truncateTo(offset: number): void {
    const slot = this.#file.largestLowerBound(
      offset - this.baseOffset - 1,
      (entry) => this.#file.int32At(entry, 0),
    );
    this.#file.truncateToEntries(slot + 1);
  }

  /** Removes every entry. */
  reset(): void {
    this.#file.truncateToEntries(0);
  }

  /**
   * Checks what Kafka checks and a little more: offsets and positions grow,
   * and no entry points past the end of the log.
   */
  sanityCheck(logSizeBytes: number): void {
    let previousRelative = -1;
    let previousPosition = -1;
    for (let index = 0; index < this.entryCount; index++) {
      const relative = this.#file.int32At(index, 0);
      const position = this.#file.int32At(index, 4);
      if (relative <= previousRelative || position <= previousPosition || position >= logSizeBytes) {
        throw new CorruptIndexError(
          `${this.path}: entry ${index} (${relative}, ${position}) is out of order`,
        );
      }
      previousRelative = relative;
      previousPosition = position;
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
