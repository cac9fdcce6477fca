/**
 * Zstandard (codec 4) through node:zlib, which Deno provides.
 *
 * node:zlib's zstd decoder stops after the first frame, while Java's reader
 * reads every frame of the stream; so the frames are found here by walking
 * their headers and block headers, and decompressed one by one.
 */
import { zstdCompressSync, zstdDecompressSync } from "node:zlib";
import { CorruptRecordError } from "../records_error.ts";

const FRAME_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const DICTIONARY_ID_BYTES = [0, 1, 2, 4];
const CONTENT_SIZE_BYTES = [0, 2, 4, 8];
const BLOCK_TYPE_RLE = 1;
const BLOCK_TYPE_RESERVED = 3;

function readUint32LittleEndian(bytes: Uint8Array, index: number): number {
  return (bytes[index]! | (bytes[index + 1]! << 8) | (bytes[index + 2]! << 16) |
    (bytes[index + 3]! << 24)) >>> 0;
}

/** Where the frame (or skippable frame) starting at `start` ends. */
function frameEnd(input: Uint8Array, start: number): { end: number; skippable: boolean } {
  if (start + 4 > input.length) throw new CorruptRecordError("zstd: truncated frame magic");
  const magic = readUint32LittleEndian(input, start);
  if (((magic & SKIPPABLE_MAGIC_MASK) >>> 0) === SKIPPABLE_MAGIC) {
    if (start + 8 > input.length) throw new CorruptRecordError("zstd: truncated skippable frame");
    return { end: start + 8 + readUint32LittleEndian(input, start + 4), skippable: true };
  }
  if (magic !== FRAME_MAGIC) throw new CorruptRecordError("zstd: bad frame magic");
  const descriptor = input[start + 4];
  if (descriptor === undefined) throw new CorruptRecordError("zstd: truncated frame header");
  const singleSegment = (descriptor & 0x20) !== 0;
  const contentSizeCode = descriptor >>> 6;
  const contentSizeBytes = contentSizeCode === 0 && singleSegment ? 1 : CONTENT_SIZE_BYTES[contentSizeCode]!;
  let position = start + 5 + (singleSegment ? 0 : 1) + DICTIONARY_ID_BYTES[descriptor & 0x03]! +
    contentSizeBytes;
  for (;;) {
    if (position + 3 > input.length) throw new CorruptRecordError("zstd: truncated block header");
    const blockHeader = input[position]! | (input[position + 1]! << 8) | (input[position + 2]! << 16);
    position += 3;
    const blockType = (blockHeader >>> 1) & 0x03;
    if (blockType === BLOCK_TYPE_RESERVED) throw new CorruptRecordError("zstd: reserved block type");
    position += blockType === BLOCK_TYPE_RLE ? 1 : blockHeader >>> 3;
    if ((blockHeader & 1) !== 0) break;
  }
  if ((descriptor & 0x04) !== 0) position += 4;
  return { end: position, skippable: false };
}

function decompressFrame(frame: Uint8Array, maxOutputBytes: number): Uint8Array {
  try {
    const output = zstdDecompressSync(frame, { maxOutputLength: Math.max(1, maxOutputBytes) });
    return new Uint8Array(output.buffer, output.byteOffset, output.byteLength);
  } catch (error) {
    throw new CorruptRecordError(`zstd: ${(error as Error).message}`);
  }
}

/** Decompresses one or more zstd frames, refusing output beyond `maxOutputBytes`. */
export function zstdDecompress(input: Uint8Array, maxOutputBytes: number): Uint8Array {
  const pieces: Uint8Array[] = [];
  let totalBytes = 0;
  let position = 0;
  do {
    const { end, skippable } = frameEnd(input, position);
    if (end > input.length) throw new CorruptRecordError("zstd: frame runs past the end");
    if (!skippable) {
      const piece = decompressFrame(input.subarray(position, end), maxOutputBytes - totalBytes);
      pieces.push(piece);
      totalBytes += piece.length;
    }
    position = end;
  } while (position < input.length);
  if (pieces.length === 1) return pieces[0]!;
  const output = new Uint8Array(totalBytes);
  let offset = 0;
  for (const piece of pieces) {
    output.set(piece, offset);
    offset += piece.length;
  }
  return output;
}

/** Compresses with zstd's default level (3), as the Java client does. */
export function zstdCompress(input: Uint8Array): Uint8Array {
  const output = zstdCompressSync(input);
  return new Uint8Array(output.buffer, output.byteOffset, output.byteLength);
}
