/**
 * The cleaner's map from key to the latest offset seen for it (Kafka's
 * SkimpyOffsetMap), in a fixed amount of memory.
 *
 * A key is stored as its 16-byte MD5 digest, so every slot has the same size
 * whatever the key: 16 bytes of digest, 8 of offset and 4 of a generation
 * stamp, 28 bytes in all (Kafka's slots are 24 bytes; the stamp makes
 * `clear` O(1), which keeps a cleaning step short even for a map of many
 * MiB). The slot count is the largest prime that fits the memory, probed by
 * double hashing, and the map counts as full at `loadFactor` of its slots
 * (Kafka's log.cleaner.io.buffer.load.factor, 0.9), where a probe takes
 * about ten steps on average.
 *
 * Two keys with the same digest would share a slot; as in Kafka, MD5's
 * 128 bits make that practically impossible for keys not chosen to collide.
 */
import { md5Words } from "./md5.ts";

/** Bytes of memory one slot takes. */
export const OFFSET_MAP_SLOT_BYTES = 28;

/** Kafka's log.cleaner.io.buffer.load.factor default. */
export const DEFAULT_LOAD_FACTOR = 0.9;

/** How big the map is. */
export interface OffsetMapOptions {
  /** Memory for the slots (log.cleaner.dedupe.buffer.size divided among cleaners). */
  memoryBytes: number;
  /** The share of slots that may be used before the map counts as full. */
  loadFactor?: number;
}

/** The largest prime <= `limit` (limit >= 2). */
export function largestPrimeAtMost(limit: number): number {
  for (let candidate = Math.floor(limit); candidate > 2; candidate--) {
    if (isPrime(candidate)) return candidate;
  }
  return 2;
}

function isPrime(value: number): boolean {
  if (value % 2 === 0) return value === 2;
  for (let divisor = 3; divisor * divisor <= value; divisor += 2) if (value % divisor === 0) return false;
  return true;
}

export class OffsetMap {
  /** Slots in the map. */
  readonly slots: number;
  /** Entries the map takes before `isFull` (slots times the load factor). */
  readonly maxEntries: number;
  #digests: Uint32Array | null = null;
  #offsets: Float64Array | null = null;
  #generations: Uint32Array | null = null;
  #generation = 1;
  #entries = 0;
  #latestOffset = -1;
  readonly #digest = new Uint32Array(4);

  constructor(options: OffsetMapOptions) {
    const wanted = Math.floor(options.memoryBytes / OFFSET_MAP_SLOT_BYTES);
    if (wanted < 2) throw new RangeError(`${options.memoryBytes} bytes cannot hold an offset map`);
    this.slots = largestPrimeAtMost(wanted);
    const loadFactor = options.loadFactor ?? DEFAULT_LOAD_FACTOR;
    if (!(loadFactor > 0 && loadFactor <= 1)) throw new RangeError(`load factor ${loadFactor} not in (0, 1]`);
    this.maxEntries = Math.max(1, Math.floor(this.slots * loadFactor));
  }

  /** Bytes the map's arrays take once allocated (they are allocated on first use). */
  get memoryBytes(): number {
    return this.slots * OFFSET_MAP_SLOT_BYTES;
  }

  /** Keys in the map. */
  get size(): number {
    return this.#entries;
  }

  /** Whether the map has reached its load factor: no new key should be put. */
  get isFull(): boolean {
    return this.#entries >= this.maxEntries;
  }

  /** The share of slots in use. */
  get utilization(): number {
    return this.#entries / this.slots;
  }

  /** The largest offset the map covers (every key up to it is in the map), or -1. */
  get latestOffset(): number {
    return this.#latestOffset;
  }

  /** Records that every offset up to `offset` has been looked at (gaps and keyless batches included). */
  updateLatestOffset(offset: number): void {
    this.#latestOffset = offset;
  }

  /** Empties the map in constant time. */
  clear(): void {
    this.#allocate();
    this.#generation++;
    if (this.#generation > 0xffffffff) {
      this.#generations!.fill(0);
      this.#generation = 1;
    }
    this.#entries = 0;
    this.#latestOffset = -1;
  }

  /** Sets `key`'s latest offset; a new key must not be put into a full map. */
  put(key: Uint8Array, offset: number): void {
    this.#allocate();
    md5Words(key, this.#digest);
    const slot = this.#findSlot();
    if (this.#generations![slot] !== this.#generation) {
      if (this.isFull) throw new Error("the offset map is full");
      this.#generations![slot] = this.#generation;
      this.#digests!.set(this.#digest, slot * 4);
      this.#entries++;
    }
    this.#offsets![slot] = offset;
    this.#latestOffset = offset;
  }

  /** The latest offset of `key`, or -1 when it is not in the map. */
  get(key: Uint8Array): number {
    if (this.#entries === 0) return -1;
    md5Words(key, this.#digest);
    const slot = this.#findSlot();
    return this.#generations![slot] === this.#generation ? this.#offsets![slot]! : -1;
  }

  /** The slot holding the current digest, or the empty slot where it would go. */
  #findSlot(): number {
    const digests = this.#digests!;
    const generations = this.#generations!;
    const digest = this.#digest;
    const slots = this.slots;
    let slot = digest[0]! % slots;
    const step = 1 + (digest[1]! % (slots - 1));
    // With a prime slot count every step size visits every slot, so this ends
    // as long as one slot is free, which the load factor guarantees.
    for (let probe = 0; probe < slots; probe++) {
      if (generations[slot] !== this.#generation) return slot;
      const base = slot * 4;
      if (
        digests[base] === digest[0] && digests[base + 1] === digest[1] &&
        digests[base + 2] === digest[2] && digests[base + 3] === digest[3]
      ) {
        return slot;
      }
      slot += step;
      if (slot >= slots) slot -= slots;
    }
    throw new Error("the offset map has no free slot");
  }

  /** Allocates the map's memory now (it is otherwise allocated on first use). */
  reserve(): void {
    this.#allocate();
  }

  #allocate(): void {
    if (this.#digests !== null) return;
    this.#digests = new Uint32Array(this.slots * 4);
    this.#offsets = new Float64Array(this.slots);
    this.#generations = new Uint32Array(this.slots);
  }
}
