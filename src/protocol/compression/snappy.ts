/**
 * Snappy as Kafka carries it. The Java client (through snappy-java) and
 * kafka-python write the xerial stream framing: a 16-byte header
 * ("\x82SNAPPY\0", version 1, compatible version 1) followed by blocks, each a
 * big-endian int32 length and one raw snappy block of at most 32 KiB of input.
 * librdkafka writes one raw block without framing. Both are read; xerial is written.
 */
import { CorruptRecordError } from "../records_error.ts";
import { snappyCompressBlock, snappyDecompressBlock } from "./snappy_block.ts";

const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];
const XERIAL_HEADER_SIZE = 16;
/** snappy-java's default block size for its stream output. */
const XERIAL_BLOCK_SIZE = 32 * 1024;

function hasXerialHeader(input: Uint8Array): boolean {
  if (input.length < XERIAL_HEADER_SIZE) return false;
  return XERIAL_MAGIC.every((byte, index) => input[index] === byte);
}

function concatenate(pieces: Uint8Array[], totalBytes: number): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  const output = new Uint8Array(totalBytes);
  let position = 0;
  for (const piece of pieces) {
    output.set(piece, position);
    position += piece.length;
  }
  return output;
}

/** Decompresses xerial-framed or raw snappy, refusing output beyond `maxOutputBytes`. */
export function snappyDecompress(input: Uint8Array, maxOutputBytes: number): Uint8Array {
  if (!hasXerialHeader(input)) return snappyDecompressBlock(input, maxOutputBytes);
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const pieces: Uint8Array[] = [];
  let totalBytes = 0;
  let position = XERIAL_HEADER_SIZE;
  while (position < input.length) {
    if (position + 4 > input.length) throw new CorruptRecordError("snappy: truncated xerial block length");
    const blockLength = view.getInt32(position);
    position += 4;
    if (blockLength < 0 || position + blockLength > input.length) {
      throw new CorruptRecordError(`snappy: xerial block of ${blockLength} bytes runs past the end`);
    }
    const piece = snappyDecompressBlock(
      input.subarray(position, position + blockLength),
      maxOutputBytes - totalBytes,
    );
    pieces.push(piece);
    totalBytes += piece.length;
    position += blockLength;
  }
  return concatenate(pieces, totalBytes);
}

/** Compresses with xerial framing, as the Java client does. */
export function snappyCompress(input: Uint8Array): Uint8Array {
  const pieces: Uint8Array[] = [];
  const header = new Uint8Array(XERIAL_HEADER_SIZE);
  header.set(XERIAL_MAGIC);
  const headerView = new DataView(header.buffer);
  headerView.setInt32(8, 1);
  headerView.setInt32(12, 1);
  pieces.push(header);
  let totalBytes = XERIAL_HEADER_SIZE;
  // Empty input still gets one (empty) block: some readers take a bare header for raw snappy.
  for (let start = 0; start < Math.max(input.length, 1); start += XERIAL_BLOCK_SIZE) {
    const block = snappyCompressBlock(input.subarray(start, start + XERIAL_BLOCK_SIZE));
    const length = new Uint8Array(4);
    new DataView(length.buffer).setInt32(0, block.length);
    pieces.push(length, block);
    totalBytes += 4 + block.length;
  }
  return concatenate(pieces, totalBytes);
}
