/**
 * Seeded randomness for the simulator: xoshiro128** seeded through a
 * splitmix32-style mixer.
 *
 * Every component of a simulation draws from its own stream made with
 * `fork(label)`. A fork depends only on the parent's seed and the label, not
 * on how many numbers the parent has drawn, so adding a draw in one component
 * (say the network) does not shift the sequence another one sees (the disk).
 */
import type { Random } from "../types.ts";

const TWO_POW_32 = 0x1_0000_0000;
const TWO_POW_53 = 2 ** 53;
/** Rejection sampling in `int` almost never needs more than a few draws; the bound keeps the loop finite. */
const REJECTION_ATTEMPTS_MAX = 64;

/** Finalizer of a 32-bit hash (murmur3's fmix32): spreads every input bit over the output. */
function mix32(value: number): number {
  let hash = value >>> 0;
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

/** A 32-bit hash of a label, so that labels can name streams. */
function hashLabel(label: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < label.length; index++) {
    hash = Math.imul(hash ^ label.charCodeAt(index), 0x01000193);
  }
  return mix32(hash ^ label.length);
}

/** Expands 32 bits of seed material into the four words of xoshiro's state (splitmix32). */
function expandSeed(material: number): [number, number, number, number] {
  let state = material >>> 0;
  const word = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    return mix32(state);
  };
  const words: [number, number, number, number] = [word(), word(), word(), word()];
  // xoshiro's all-zero state is a fixed point; a real seed cannot reach it, but make sure.
  if ((words[0] | words[1] | words[2] | words[3]) === 0) words[0] = 1;
  return words;
}

function rotateLeft(value: number, shift: number): number {
  return ((value << shift) | (value >>> (32 - shift))) >>> 0;
}

/** A deterministic `Random`: the same seed gives the same sequence on every run and machine. */
export class SeededRandom implements Random {
  /** The seed material of this stream, which forks derive from. */
  #material: number;
  #state: [number, number, number, number];

  /** `seed` is any safe non-negative integer (it is printed to replay a run). */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new Error(`seed must be a safe non-negative integer: ${seed}`);
    }
    const low = seed >>> 0;
    const high = Math.floor(seed / TWO_POW_32) >>> 0;
    this.#material = mix32(low ^ mix32(high ^ 0x6a09e667));
    this.#state = expandSeed(this.#material);
  }

  /** An independent stream named `label`; the same label on the same stream gives the same fork. */
  fork(label: string): SeededRandom {
    const child = new SeededRandom(0);
    child.#material = mix32(this.#material ^ hashLabel(label));
    child.#state = expandSeed(child.#material);
    return child;
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  uint32(): number {
    const state = this.#state;
    const result = Math.imul(rotateLeft(Math.imul(state[1], 5) >>> 0, 7), 9) >>> 0;
    const shifted = (state[1] << 9) >>> 0;
    state[2] = (state[2] ^ state[0]) >>> 0;
    state[3] = (state[3] ^ state[1]) >>> 0;
    state[1] = (state[1] ^ state[2]) >>> 0;
    state[0] = (state[0] ^ state[3]) >>> 0;
    state[2] = (state[2] ^ shifted) >>> 0;
    state[3] = rotateLeft(state[3], 11);
    return result;
  }

  /** A float in [0, 1) with 53 random bits. */
  next(): number {
    const high = this.uint32() >>> 5;
    const low = this.uint32() >>> 6;
    return (high * 0x400_0000 + low) / TWO_POW_53;
  }

  /** An integer in [0, bound), without modulo bias. */
  int(bound: number): number {
    if (!Number.isSafeInteger(bound) || bound <= 0) {
      throw new Error(`bound must be a positive integer: ${bound}`);
    }
    if (bound > TWO_POW_32) return Math.floor(this.next() * bound);
    const limit = TWO_POW_32 - (TWO_POW_32 % bound);
    for (let attempt = 0; attempt < REJECTION_ATTEMPTS_MAX; attempt++) {
      const value = this.uint32();
      if (value < limit) return value % bound;
    }
    return this.uint32() % bound;
  }

  /** An integer in [minimum, maximum], both inclusive. */
  range(minimum: number, maximum: number): number {
    if (maximum < minimum) throw new Error(`empty range [${minimum}, ${maximum}]`);
    return minimum + this.int(maximum - minimum + 1);
  }

  /** True with the given probability (0 never, 1 always). */
  chance(probability: number): boolean {
    if (probability <= 0) return false;
    if (probability >= 1) return true;
    return this.next() < probability;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty array");
    return items[this.int(items.length)] as T;
  }

  /** Fills `bytes` with random values. */
  fill(bytes: Uint8Array): void {
    for (let index = 0; index < bytes.length; index += 4) {
      let word = this.uint32();
      const end = Math.min(index + 4, bytes.length);
      for (let position = index; position < end; position++) {
        bytes[position] = word & 0xff;
        word >>>= 8;
      }
    }
  }
}
