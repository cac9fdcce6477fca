/**
 * Snappy's raw block format: a uvarint of the uncompressed length, then
 * elements that are literals or back-references (copies).
 *
 * Tag byte, low two bits:
 *   00 literal: length-1 in the upper six bits, or (60..63) in the next 1..4 bytes little-endian;
 *   01 copy: length 4..11 in bits 2-4, offset 11 bits (bits 5-7 high, next byte low);
 *   10 copy: length 1..64 in the upper six bits, offset in the next two bytes little-endian;
 *   11 copy: as 10 with a four-byte offset.
 */
import { CorruptRecordError } from "../records_error.ts";

/**
 * A copy element of three bytes yields at most 64 bytes, so no valid block
 * expands more than 22 times; a larger declared length is a lie, refused
 * before anything is allocated.
 */
const MAX_EXPANSION = 22;

function readUncompressedLength(input: Uint8Array): { length: number; start: number } {
  let length = 0;
  for (let index = 0; index < 5; index++) {
    const byte = input[index];
    if (byte === undefined) throw new CorruptRecordError("snappy: truncated length");
    length += (byte & 0x7f) * 2 ** (7 * index);
    if ((byte & 0x80) === 0) return { length, start: index + 1 };
  }
  throw new CorruptRecordError("snappy: length varint longer than 5 bytes");
}

/** Decompresses one raw snappy block. Throws CorruptRecordError on any malformed input. */
export function snappyDecompressBlock(input: Uint8Array, maxOutputBytes: number): Uint8Array {
  const { length, start } = readUncompressedLength(input);
  if (length > maxOutputBytes) {
    throw new CorruptRecordError(`snappy: block of ${length} bytes exceeds the ${maxOutputBytes} byte limit`);
  }
  if (length > input.length * MAX_EXPANSION) {
    throw new CorruptRecordError(`snappy: declared length ${length} is impossible for ${input.length} bytes`);
  }
  const output = new Uint8Array(length);
  let outputIndex = 0;
  let index = start;
  while (index < input.length) {
    const tag = input[index++]!;
    const kind = tag & 0x03;
    if (kind === 0) {
      let literalLength = tag >>> 2;
      if (literalLength >= 60) {
        const extraBytes = literalLength - 59;
        if (index + extraBytes > input.length) {
          throw new CorruptRecordError("snappy: truncated literal length");
        }
        literalLength = 0;
        for (let byte = 0; byte < extraBytes; byte++) literalLength += input[index + byte]! * 2 ** (8 * byte);
        index += extraBytes;
      }
      literalLength += 1;
      if (index + literalLength > input.length || outputIndex + literalLength > length) {
        throw new CorruptRecordError("snappy: literal runs past the end");
      }
      output.set(input.subarray(index, index + literalLength), outputIndex);
      index += literalLength;
      outputIndex += literalLength;
      continue;
    }
    let copyLength: number;
    let offset: number;
    if (kind === 1) {
      if (index >= input.length) throw new CorruptRecordError("snappy: truncated copy");
      copyLength = 4 + ((tag >>> 2) & 0x07);
      offset = ((tag >>> 5) << 8) | input[index++]!;
    } else if (kind === 2) {
      if (index + 2 > input.length) throw new CorruptRecordError("snappy: truncated copy");
      copyLength = (tag >>> 2) + 1;
      offset = input[index]! | (input[index + 1]! << 8);
      index += 2;
    } else {
      if (index + 4 > input.length) throw new CorruptRecordError("snappy: truncated copy");
      copyLength = (tag >>> 2) + 1;
      offset =
        (input[index]! | (input[index + 1]! << 8) | (input[index + 2]! << 16) | (input[index + 3]! << 24)) >>>
        0;
      index += 4;
    }
    if (offset === 0 || offset > outputIndex) {
      throw new CorruptRecordError("snappy: copy offset out of range");
    }
    if (outputIndex + copyLength > length) throw new CorruptRecordError("snappy: copy runs past the end");
    // Byte by byte on purpose: an offset shorter than the length repeats the bytes just written.
    for (let byte = 0; byte < copyLength; byte++) {
      output[outputIndex] = output[outputIndex - offset]!;
      outputIndex++;
    }
  }
  if (outputIndex !== length) {
    throw new CorruptRecordError(`snappy: produced ${outputIndex} bytes, header said ${length}`);
  }
  return output;
}

const HASH_BITS = 14;
const MAX_OFFSET = 65535;

function hashOf(input: Uint8Array, index: number): number {
  const word = input[index]! | (input[index + 1]! << 8) | (input[index + 2]! << 16) |
    (input[index + 3]! << 24);
  return Math.imul(word, 0x1e35a7bd) >>> (32 - HASH_BITS);
}

class ByteSink {
  bytes: Uint8Array;
  length = 0;
  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }
  push(byte: number): void {
    this.bytes[this.length++] = byte;
  }
}

function emitLiteral(sink: ByteSink, input: Uint8Array, start: number, end: number): void {
  const count = end - start - 1;
  if (count < 0) return;
  if (count < 60) {
    sink.push(count << 2);
  } else {
    const extraBytes = count < 0x100 ? 1 : count < 0x10000 ? 2 : count < 0x1000000 ? 3 : 4;
    sink.push((59 + extraBytes) << 2);
    for (let byte = 0; byte < extraBytes; byte++) sink.push(Math.floor(count / 2 ** (8 * byte)) & 0xff);
  }
  sink.bytes.set(input.subarray(start, end), sink.length);
  sink.length += end - start;
}

function emitCopy(sink: ByteSink, offset: number, length: number): void {
  let remaining = length;
  // Pieces of at most 64 bytes, never leaving fewer than 4 for the last one.
  while (remaining >= 68) {
    emitCopyPiece(sink, offset, 64);
    remaining -= 64;
  }
  if (remaining > 64) {
    emitCopyPiece(sink, offset, 60);
    remaining -= 60;
  }
  emitCopyPiece(sink, offset, remaining);
}

function emitCopyPiece(sink: ByteSink, offset: number, length: number): void {
  if (length <= 11 && offset < 2048) {
    sink.push(0x01 | ((length - 4) << 2) | ((offset >>> 8) << 5));
    sink.push(offset & 0xff);
    return;
  }
  sink.push(0x02 | ((length - 1) << 2));
  sink.push(offset & 0xff);
  sink.push(offset >>> 8);
}

/**
 * Compresses into one raw snappy block with a greedy hash-table match finder.
 * Offsets stay below 64 KiB, the window every snappy decoder expects.
 */
export function snappyCompressBlock(input: Uint8Array): Uint8Array {
  // Snappy's own worst-case bound: short literals between short copies expand slightly.
  const sink = new ByteSink(32 + input.length + Math.ceil(input.length / 6));
  let length = input.length;
  while (length >= 0x80) {
    sink.push((length & 0x7f) | 0x80);
    length = Math.floor(length / 128);
  }
  sink.push(length);
  const table = new Int32Array(1 << HASH_BITS).fill(-1);
  let literalStart = 0;
  let index = 0;
  const lastMatchStart = input.length - 4;
  while (index <= lastMatchStart) {
    const hash = hashOf(input, index);
    const candidate = table[hash]!;
    table[hash] = index;
    if (
      candidate >= 0 && index - candidate <= MAX_OFFSET && input[candidate] === input[index] &&
      input[candidate + 1] === input[index + 1] && input[candidate + 2] === input[index + 2] &&
      input[candidate + 3] === input[index + 3]
    ) {
      let matchEnd = index + 4;
      while (matchEnd < input.length && input[matchEnd] === input[matchEnd - index + candidate]) matchEnd++;
      emitLiteral(sink, input, literalStart, index);
      emitCopy(sink, index - candidate, matchEnd - index);
      index = matchEnd;
      literalStart = index;
      continue;
    }
    index++;
  }
  emitLiteral(sink, input, literalStart, input.length);
  return sink.bytes.slice(0, sink.length);
}
