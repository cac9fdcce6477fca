/**
 * The LZ4 frame format, which Kafka uses for lz4 (codec 3).
 *
 * A frame is: magic 0x184D2204 (little-endian), a descriptor (FLG, BD,
 * optional 8-byte content size, optional 4-byte dictionary id) closed by a
 * header checksum byte, then blocks (a little-endian uint32 size whose high
 * bit marks an uncompressed block, optional block checksum), a zero end
 * mark and an optional content checksum.
 *
 * The header checksum is the second byte of xxHash32 over the descriptor.
 * Kafka's first LZ4 code (message format v0) hashed the magic number too; it
 * still writes that broken checksum for magic 0 and ignores the checksum when
 * reading magic 0, so reading here accepts either form.
 */
import { CorruptRecordError } from "../records_error.ts";
import { lz4CompressBlock, lz4DecompressBlock } from "./lz4_block.ts";
import { xxhash32 } from "./xxhash32.ts";

const FRAME_MAGIC = 0x184d2204;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const FLAG_VERSION_MASK = 0xc0;
const FLAG_VERSION_01 = 0x40;
const FLAG_BLOCK_INDEPENDENCE = 0x20;
const FLAG_BLOCK_CHECKSUM = 0x10;
const FLAG_CONTENT_SIZE = 0x08;
const FLAG_CONTENT_CHECKSUM = 0x04;
const FLAG_DICTIONARY_ID = 0x01;
const UNCOMPRESSED_BLOCK_BIT = 0x80000000;
/** Block maximum sizes by the BD byte's bits 4-6. */
const BLOCK_MAX_BYTES: Record<number, number> = {
  4: 64 * 1024,
  5: 256 * 1024,
  6: 1024 * 1024,
  7: 4 * 1024 * 1024,
};
/** What Kafka's own writer uses: 64 KiB blocks (BD code 4). */
const WRITE_BLOCK_SIZE_CODE = 4;
const WRITE_BLOCK_BYTES = 64 * 1024;

function readUint32LittleEndian(bytes: Uint8Array, index: number): number {
  return (bytes[index]! | (bytes[index + 1]! << 8) | (bytes[index + 2]! << 16) |
    (bytes[index + 3]! << 24)) >>> 0;
}

function writeUint32LittleEndian(bytes: Uint8Array, index: number, value: number): void {
  bytes[index] = value & 0xff;
  bytes[index + 1] = (value >>> 8) & 0xff;
  bytes[index + 2] = (value >>> 16) & 0xff;
  bytes[index + 3] = (value >>> 24) & 0xff;
}

function headerChecksum(bytes: Uint8Array, start: number, end: number): number {
  return (xxhash32(bytes, start, end) >>> 8) & 0xff;
}

/** A growable output that never grows past its limit. */
class Output {
  bytes = new Uint8Array(0);
  length = 0;
  constructor(readonly limit: number) {}
  reserve(extra: number): void {
    const needed = Math.min(this.length + extra, this.limit);
    if (needed <= this.bytes.length) return;
    const grown = new Uint8Array(Math.min(this.limit, Math.max(needed, this.bytes.length * 2)));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}

interface FrameHeader {
  flags: number;
  blockMaxBytes: number;
  /** Where the first block starts. */
  end: number;
}

function readFrameHeader(input: Uint8Array, start: number): FrameHeader {
  let position = start + 4;
  if (position + 3 > input.length) throw new CorruptRecordError("lz4: truncated frame header");
  const flags = input[position]!;
  const blockDescriptor = input[position + 1]!;
  if ((flags & FLAG_VERSION_MASK) !== FLAG_VERSION_01) {
    throw new CorruptRecordError("lz4: unsupported frame version");
  }
  if ((flags & FLAG_DICTIONARY_ID) !== 0) {
    throw new CorruptRecordError("lz4: preset dictionaries are not supported");
  }
  const blockMaxBytes = BLOCK_MAX_BYTES[(blockDescriptor >>> 4) & 0x07];
  if (blockMaxBytes === undefined) throw new CorruptRecordError("lz4: invalid block maximum size");
  position += 2;
  if ((flags & FLAG_CONTENT_SIZE) !== 0) position += 8;
  if (position >= input.length) throw new CorruptRecordError("lz4: truncated frame header");
  const checksum = input[position]!;
  const correct = headerChecksum(input, start + 4, position);
  const brokenKafkaForm = headerChecksum(input, start, position);
  if (checksum !== correct && checksum !== brokenKafkaForm) {
    throw new CorruptRecordError("lz4: frame header checksum mismatch");
  }
  return { flags, blockMaxBytes, end: position + 1 };
}

/** Decodes one frame starting at `start` into `output`; returns where the frame ends. */
function decodeFrame(input: Uint8Array, start: number, output: Output): number {
  const header = readFrameHeader(input, start);
  const contentStart = output.length;
  let position = header.end;
  for (;;) {
    if (position + 4 > input.length) throw new CorruptRecordError("lz4: truncated block size");
    const word = readUint32LittleEndian(input, position);
    position += 4;
    if (word === 0) break;
    const blockBytes = word & ~UNCOMPRESSED_BLOCK_BIT;
    if (blockBytes > header.blockMaxBytes || position + blockBytes > input.length) {
      throw new CorruptRecordError(`lz4: block of ${blockBytes} bytes is too large or runs past the end`);
    }
    const block = input.subarray(position, position + blockBytes);
    position += blockBytes;
    if ((header.flags & FLAG_BLOCK_CHECKSUM) !== 0) {
      if (position + 4 > input.length) throw new CorruptRecordError("lz4: truncated block checksum");
      if (readUint32LittleEndian(input, position) !== xxhash32(block)) {
        throw new CorruptRecordError("lz4: block checksum mismatch");
      }
      position += 4;
    }
    // Each input byte of a block yields at most 255 output bytes, which keeps a
    // tiny hostile block from reserving a whole 4 MiB block.
    const blockOutputMax = Math.min(header.blockMaxBytes, blockBytes * 255 + 32);
    output.reserve(blockOutputMax);
    const blockLimit = Math.min(output.limit, output.length + blockOutputMax);
    if ((word & UNCOMPRESSED_BLOCK_BIT) !== 0) {
      if (output.length + blockBytes > blockLimit) throw new CorruptRecordError("lz4: output limit exceeded");
      output.bytes.set(block, output.length);
      output.length += blockBytes;
    } else {
      output.length = lz4DecompressBlock(block, output.bytes, output.length, blockLimit);
    }
  }
  if ((header.flags & FLAG_CONTENT_CHECKSUM) !== 0) {
    if (position + 4 > input.length) throw new CorruptRecordError("lz4: truncated content checksum");
    if (readUint32LittleEndian(input, position) !== xxhash32(output.bytes, contentStart, output.length)) {
      throw new CorruptRecordError("lz4: content checksum mismatch");
    }
    position += 4;
  }
  return position;
}

/**
 * Decompresses one or more concatenated LZ4 frames (skippable frames are
 * skipped), refusing output beyond `maxOutputBytes`.
 */
export function lz4Decompress(input: Uint8Array, maxOutputBytes: number): Uint8Array {
  const output = new Output(maxOutputBytes);
  let position = 0;
  do {
    if (position + 4 > input.length) throw new CorruptRecordError("lz4: truncated frame magic");
    const magic = readUint32LittleEndian(input, position);
    if (((magic & SKIPPABLE_MAGIC_MASK) >>> 0) === SKIPPABLE_MAGIC) {
      if (position + 8 > input.length) throw new CorruptRecordError("lz4: truncated skippable frame");
      position += 8 + readUint32LittleEndian(input, position + 4);
      if (position > input.length) throw new CorruptRecordError("lz4: skippable frame runs past the end");
      continue;
    }
    if (magic !== FRAME_MAGIC) throw new CorruptRecordError("lz4: bad frame magic");
    position = decodeFrame(input, position, output);
  } while (position < input.length);
  return output.bytes.slice(0, output.length);
}

/** Options for lz4Compress. */
export interface Lz4CompressOptions {
  /** Write the header checksum as Kafka did for message format v0 (over the magic number too). */
  brokenHeaderChecksum?: boolean;
}

/**
 * Compresses into one frame as Kafka's writer does: independent 64 KiB blocks,
 * no block or content checksum, no content size.
 */
export function lz4Compress(input: Uint8Array, options: Lz4CompressOptions = {}): Uint8Array {
  const pieces: Uint8Array[] = [];
  const header = new Uint8Array(7);
  writeUint32LittleEndian(header, 0, FRAME_MAGIC);
  header[4] = FLAG_VERSION_01 | FLAG_BLOCK_INDEPENDENCE;
  header[5] = WRITE_BLOCK_SIZE_CODE << 4;
  header[6] = options.brokenHeaderChecksum ? headerChecksum(header, 0, 6) : headerChecksum(header, 4, 6);
  pieces.push(header);
  let totalBytes = header.length;
  for (let start = 0; start < input.length; start += WRITE_BLOCK_BYTES) {
    const raw = input.subarray(start, start + WRITE_BLOCK_BYTES);
    const compressed = lz4CompressBlock(raw);
    // A block that does not shrink is stored as it is, as the format allows.
    const stored = compressed.length < raw.length ? compressed : raw;
    const size = new Uint8Array(4);
    writeUint32LittleEndian(
      size,
      0,
      stored === raw ? (raw.length | UNCOMPRESSED_BLOCK_BIT) >>> 0 : stored.length,
    );
    pieces.push(size, stored);
    totalBytes += 4 + stored.length;
  }
  pieces.push(new Uint8Array(4));
  totalBytes += 4;
  const output = new Uint8Array(totalBytes);
  let position = 0;
  for (const piece of pieces) {
    output.set(piece, position);
    position += piece.length;
  }
  return output;
}
