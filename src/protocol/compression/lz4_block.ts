/**
 * LZ4's block format: sequences of a token (literal length in the high four
 * bits, match length minus 4 in the low four, 15 meaning "more bytes of 255
 * follow"), the literals, then a two-byte little-endian offset and the match.
 * The last sequence has literals only.
 */
import { CorruptRecordError } from "../records_error.ts";

const MIN_MATCH = 4;
/** The format requires the last five bytes to be literals and the last match to start 12 bytes before the end. */
const LAST_LITERALS = 5;
const MATCH_SAFE_DISTANCE = 12;
const MAX_OFFSET = 65535;
const HASH_BITS = 14;

/**
 * Decodes one block, appending to `output` from `outputStart`; matches may
 * reach back into bytes already there (linked blocks of a frame). Returns the
 * new end of the output. `outputLimit` bounds the decoded size.
 */
export function lz4DecompressBlock(
  input: Uint8Array,
  output: Uint8Array,
  outputStart: number,
  outputLimit: number,
): number {
  let index = 0;
  let outputIndex = outputStart;
  while (index < input.length) {
    const token = input[index++]!;
    let literalLength = token >>> 4;
    if (literalLength === 15) {
      let byte = 255;
      while (byte === 255) {
        if (index >= input.length) throw new CorruptRecordError("lz4: truncated literal length");
        byte = input[index++]!;
        literalLength += byte;
      }
    }
    if (index + literalLength > input.length || outputIndex + literalLength > outputLimit) {
      throw new CorruptRecordError("lz4: literals run past the end");
    }
    output.set(input.subarray(index, index + literalLength), outputIndex);
    index += literalLength;
    outputIndex += literalLength;
    if (index === input.length) break;
    if (index + 2 > input.length) throw new CorruptRecordError("lz4: truncated match offset");
    const offset = input[index]! | (input[index + 1]! << 8);
    index += 2;
    if (offset === 0 || offset > outputIndex) throw new CorruptRecordError("lz4: match offset out of range");
    let matchLength = (token & 0x0f) + MIN_MATCH;
    if ((token & 0x0f) === 15) {
      let byte = 255;
      while (byte === 255) {
        if (index >= input.length) throw new CorruptRecordError("lz4: truncated match length");
        byte = input[index++]!;
        matchLength += byte;
      }
    }
    if (outputIndex + matchLength > outputLimit) throw new CorruptRecordError("lz4: match runs past the end");
    // Byte by byte on purpose: an offset shorter than the length repeats the bytes just written.
    for (let byte = 0; byte < matchLength; byte++) {
      output[outputIndex] = output[outputIndex - offset]!;
      outputIndex++;
    }
  }
  return outputIndex;
}

function hashOf(input: Uint8Array, index: number): number {
  const word = input[index]! | (input[index + 1]! << 8) | (input[index + 2]! << 16) |
    (input[index + 3]! << 24);
  return Math.imul(word, 0x9e3779b1) >>> (32 - HASH_BITS);
}

function writeLength(output: Uint8Array, position: number, extra: number): number {
  let remaining = extra;
  while (remaining >= 255) {
    output[position++] = 255;
    remaining -= 255;
  }
  output[position++] = remaining;
  return position;
}

function writeSequence(
  output: Uint8Array,
  start: number,
  input: Uint8Array,
  literalStart: number,
  literalEnd: number,
  match: { offset: number; length: number } | null,
): number {
  const literalLength = literalEnd - literalStart;
  const matchCode = match === null ? 0 : match.length - MIN_MATCH;
  let position = start;
  output[position++] = (Math.min(literalLength, 15) << 4) | Math.min(matchCode, 15);
  if (literalLength >= 15) position = writeLength(output, position, literalLength - 15);
  output.set(input.subarray(literalStart, literalEnd), position);
  position += literalLength;
  if (match === null) return position;
  output[position++] = match.offset & 0xff;
  output[position++] = match.offset >>> 8;
  if (matchCode >= 15) position = writeLength(output, position, matchCode - 15);
  return position;
}

/** The most bytes lz4CompressBlock can produce for `inputLength` bytes. */
export function lz4CompressBound(inputLength: number): number {
  return inputLength + Math.ceil(inputLength / 255) + 16;
}

/** Compresses one independent block with a greedy hash-table match finder. */
export function lz4CompressBlock(input: Uint8Array): Uint8Array {
  const output = new Uint8Array(lz4CompressBound(input.length));
  const table = new Int32Array(1 << HASH_BITS).fill(-1);
  const matchLimit = input.length - LAST_LITERALS;
  const lastMatchStart = input.length - MATCH_SAFE_DISTANCE;
  let position = 0;
  let literalStart = 0;
  let index = 0;
  while (index < lastMatchStart) {
    const hash = hashOf(input, index);
    const candidate = table[hash]!;
    table[hash] = index;
    if (
      candidate >= 0 && index - candidate <= MAX_OFFSET && input[candidate] === input[index] &&
      input[candidate + 1] === input[index + 1] && input[candidate + 2] === input[index + 2] &&
      input[candidate + 3] === input[index + 3]
    ) {
      let matchEnd = index + MIN_MATCH;
      while (matchEnd < matchLimit && input[matchEnd] === input[matchEnd - index + candidate]) matchEnd++;
      position = writeSequence(output, position, input, literalStart, index, {
        offset: index - candidate,
        length: matchEnd - index,
      });
      index = matchEnd;
      literalStart = index;
      continue;
    }
    index++;
  }
  position = writeSequence(output, position, input, literalStart, input.length, null);
  return output.slice(0, position);
}
