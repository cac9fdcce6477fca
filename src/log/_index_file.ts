/**
 * The storage shared by the offset and time indexes: a file of fixed-size
 * big-endian entries, mirrored in memory so lookups are binary searches over
 * an array rather than reads.
 *
 * Kafka preallocates index files (10 MiB of zeros) and trims them when a
 * segment is rolled or closed; after a crash an index can therefore end in
 * zero-filled entries. Dafka keeps its index files at their exact size, and
 * when it opens one it drops a zero-filled tail and trims the file.
 */
import type { Disk, FileHandle } from "../io/mod.ts";

/** An index file that cannot be trusted; the segment rebuilds it from the log. */
export class CorruptIndexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CorruptIndexError";
  }
}

/** The largest relative offset an index entry can hold. */
export const MAX_RELATIVE_OFFSET = 0x7fffffff;

/** Entries of one index file, in memory and on disk. */
export class IndexFile {
  #file: FileHandle;
  #buffer: Uint8Array;
  #view: DataView;
  #entries: number;

  private constructor(
    private readonly disk: Disk,
    readonly path: string,
    readonly entrySize: number,
    file: FileHandle,
    buffer: Uint8Array,
    entries: number,
  ) {
    this.#file = file;
    this.#buffer = buffer;
    this.#view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    this.#entries = entries;
  }

  /**
   * Opens (or creates) an index file. A length that is not a whole number of
   * entries is corruption; trailing all-zero entries are preallocation and dropped.
   */
  static open(disk: Disk, path: string, entrySize: number): IndexFile {
    const file = disk.open(path, { create: true });
    try {
      const length = file.size();
      if (length % entrySize !== 0) {
        throw new CorruptIndexError(`${path}: ${length} bytes is not a multiple of ${entrySize}`);
      }
      const bytes = length === 0 ? new Uint8Array(0) : file.readAt(0, length);
      let entries = length / entrySize;
      while (entries > 0 && isZero(bytes, (entries - 1) * entrySize, entries * entrySize)) entries--;
      if (entries * entrySize !== length) file.truncate(entries * entrySize);
      const buffer = new Uint8Array(Math.max(entrySize * 16, entries * entrySize));
      buffer.set(bytes.subarray(0, entries * entrySize));
      return new IndexFile(disk, path, entrySize, file, buffer, entries);
    } catch (error) {
      file.close();
      throw error;
    }
  }

  get entryCount(): number {
    return this.#entries;
  }

  /** Bytes the entries take on disk. */
  get sizeInBytes(): number {
    return this.#entries * this.entrySize;
  }

  int32At(entry: number, fieldOffset: number): number {
    return this.#view.getInt32(entry * this.entrySize + fieldOffset);
  }

  int64At(entry: number, fieldOffset: number): number {
    const position = entry * this.entrySize + fieldOffset;
    return this.#view.getInt32(position) * 4294967296 + this.#view.getUint32(position + 4);
  }

  /** Appends one encoded entry to memory and to the file. */
  appendEntry(entry: Uint8Array): void {
    const end = (this.#entries + 1) * this.entrySize;
    if (end > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(end, this.#buffer.length * 2));
      grown.set(this.#buffer.subarray(0, this.#entries * this.entrySize));
      this.#buffer = grown;
      this.#view = new DataView(grown.buffer);
    }
    this.#buffer.set(entry, this.#entries * this.entrySize);
    this.#file.writeAt(this.#entries * this.entrySize, entry);
    this.#entries++;
  }

  /** Keeps the first `entries` entries. */
  truncateToEntries(entries: number): void {
    if (entries >= this.#entries) return;
    this.#entries = entries;
    this.#file.truncate(entries * this.entrySize);
  }

  /**
   * The largest slot whose key (read by `keyAt`) is <= target, or -1 when
   * every key is larger or the index is empty.
   */
  largestLowerBound(target: number, keyAt: (entry: number) => number): number {
    let low = 0;
    let high = this.#entries - 1;
    if (high < 0 || keyAt(0) > target) return -1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (keyAt(middle) > target) high = middle - 1;
      else low = middle;
    }
    return low;
  }

  sync(): void {
    this.#file.sync();
  }

  close(): void {
    this.#file.close();
  }

  /** Closes and removes the file. */
  delete(): void {
    this.#file.close();
    this.disk.remove(this.path);
  }
}

function isZero(bytes: Uint8Array, start: number, end: number): boolean {
  for (let index = start; index < end; index++) if (bytes[index] !== 0) return false;
  return true;
}
