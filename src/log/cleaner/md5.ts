/**
 * MD5 (RFC 1321), the digest Kafka's cleaner keeps for each key in its
 * offset map instead of the key itself, so that the map's memory is bounded
 * by its slot count and not by key sizes.
 *
 * Written for speed on short inputs (record keys): no allocation per call,
 * whole 64-byte blocks read straight from the input, the padded tail built in
 * a scratch buffer. The digest comes back as four little-endian words.
 */

/** Per-round left-rotation amounts. */
const SHIFTS = new Uint8Array([
  7,
  12,
  17,
  22,
  7,
  12,
  17,
  22,
  7,
  12,
  17,
  22,
  7,
  12,
  17,
  22,
  5,
  9,
  14,
  20,
  5,
  9,
  14,
  20,
  5,
  9,
  14,
  20,
  5,
  9,
  14,
  20,
  4,
  11,
  16,
  23,
  4,
  11,
  16,
  23,
  4,
  11,
  16,
  23,
  4,
  11,
  16,
  23,
  6,
  10,
  15,
  21,
  6,
  10,
  15,
  21,
  6,
  10,
  15,
  21,
  6,
  10,
  15,
  21,
]);

/** The sine-derived constants: floor(|sin(i + 1)| * 2^32). */
const CONSTANTS = new Int32Array(64);
for (let index = 0; index < 64; index++) {
  CONSTANTS[index] = Math.floor(Math.abs(Math.sin(index + 1)) * 4294967296) | 0;
}

/** Which message word each of the 64 steps reads. */
const WORD_ORDER = new Uint8Array(64);
for (let index = 0; index < 64; index++) {
  WORD_ORDER[index] = index < 16
    ? index
    : index < 32
    ? (5 * index + 1) % 16
    : index < 48
    ? (3 * index + 5) % 16
    : (7 * index) % 16;
}

const words = new Int32Array(16);
const tail = new Uint8Array(128);
const tailView = new DataView(tail.buffer);
const state = new Int32Array(4);

function processBlock(view: DataView, position: number): void {
  for (let index = 0; index < 16; index++) words[index] = view.getInt32(position + index * 4, true);
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  for (let step = 0; step < 64; step++) {
    let mixed: number;
    if (step < 16) mixed = (b & c) | (~b & d);
    else if (step < 32) mixed = (d & b) | (~d & c);
    else if (step < 48) mixed = b ^ c ^ d;
    else mixed = c ^ (b | ~d);
    mixed = (mixed + a + CONSTANTS[step]! + words[WORD_ORDER[step]!]!) | 0;
    a = d;
    d = c;
    c = b;
    const shift = SHIFTS[step]!;
    b = (b + ((mixed << shift) | (mixed >>> (32 - shift)))) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
}

/** Writes the MD5 digest of `input` into `out` as four little-endian 32-bit words. */
export function md5Words(input: Uint8Array, out: Uint32Array): void {
  state[0] = 0x67452301;
  state[1] = 0xefcdab89 | 0;
  state[2] = 0x98badcfe | 0;
  state[3] = 0x10325476;
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const wholeBlocksEnd = input.length - (input.length % 64);
  for (let position = 0; position < wholeBlocksEnd; position += 64) processBlock(view, position);
  const remaining = input.length - wholeBlocksEnd;
  tail.fill(0);
  tail.set(input.subarray(wholeBlocksEnd), 0);
  tail[remaining] = 0x80;
  const tailLength = remaining < 56 ? 64 : 128;
  // The message length in bits, as a 64-bit little-endian number.
  const bits = input.length * 8;
  tailView.setUint32(tailLength - 8, bits >>> 0, true);
  tailView.setUint32(tailLength - 4, Math.floor(bits / 4294967296), true);
  processBlock(tailView, 0);
  if (tailLength === 128) processBlock(tailView, 64);
  out[0] = state[0]!;
  out[1] = state[1]!;
  out[2] = state[2]!;
  out[3] = state[3]!;
}

/** The MD5 digest of `input` as 32 lowercase hex digits. */
export function md5Hex(input: Uint8Array): string {
  const out = new Uint32Array(4);
  md5Words(input, out);
  const bytes = new Uint8Array(out.buffer);
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
