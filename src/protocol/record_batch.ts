/**
 * Record batch headers (magic v2), read and patched in place.
 *
 * The produce path checks a batch with these functions and writes the offset
 * and leader epoch into the client's own bytes; records are not decoded. The
 * layout (all big-endian):
 *
 *   0 baseOffset int64        27 baseTimestamp int64
 *   8 batchLength int32       35 maxTimestamp int64
 *  12 partitionLeaderEpoch    43 producerId int64
 *  16 magic int8              51 producerEpoch int16
 *  17 crc uint32              53 baseSequence int32
 *  21 attributes int16        57 recordCount int32
 *  23 lastOffsetDelta int32   61 records...
 *
 * The CRC32C covers bytes from `attributes` to the end of the batch, so
 * rewriting baseOffset and partitionLeaderEpoch leaves it valid.
 */
import { crc32c } from "./crc32c.ts";

export const BATCH_HEADER_SIZE = 61;
/** Bytes before and including batchLength: a batch occupies LOG_OVERHEAD + batchLength. */
export const LOG_OVERHEAD = 12;
export const MAGIC_OFFSET = 16;
const CRC_OFFSET = 17;
const ATTRIBUTES_OFFSET = 21;

export const NO_PRODUCER_ID = -1;
export const NO_SEQUENCE = -1;
export const NO_TIMESTAMP = -1;

/** Compression codec in attributes bits 0-2. */
export enum Compression {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

export interface BatchHeader {
  /** Where the batch starts in the buffer it was read from. */
  position: number;
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** Total bytes of the batch on disk and on the wire. */
export function batchSize(header: BatchHeader): number {
  return LOG_OVERHEAD + header.batchLength;
}

export function lastOffset(header: BatchHeader): number {
  return header.baseOffset + header.lastOffsetDelta;
}

export function compressionOf(attributes: number): Compression {
  return attributes & 0x07;
}
export function timestampTypeIsLogAppend(attributes: number): boolean {
  return (attributes & 0x08) !== 0;
}
export function isTransactional(attributes: number): boolean {
  return (attributes & 0x10) !== 0;
}
export function isControl(attributes: number): boolean {
  return (attributes & 0x20) !== 0;
}

function readInt64(view: DataView, position: number): number {
  return view.getInt32(position) * 4294967296 + view.getUint32(position + 4);
}

function writeInt64(view: DataView, position: number, value: number): void {
  view.setBigInt64(position, BigInt(value));
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Reads the v2 header at `position`. The caller checks that at least
 * BATCH_HEADER_SIZE bytes are there and that magic is 2.
 */
export function readBatchHeader(bytes: Uint8Array, position = 0): BatchHeader {
  const view = viewOf(bytes);
  return {
    position,
    baseOffset: readInt64(view, position),
    batchLength: view.getInt32(position + 8),
    partitionLeaderEpoch: view.getInt32(position + 12),
    magic: view.getInt8(position + 16),
    crc: view.getUint32(position + CRC_OFFSET),
    attributes: view.getInt16(position + ATTRIBUTES_OFFSET),
    lastOffsetDelta: view.getInt32(position + 23),
    baseTimestamp: readInt64(view, position + 27),
    maxTimestamp: readInt64(view, position + 35),
    producerId: readInt64(view, position + 43),
    producerEpoch: view.getInt16(position + 51),
    baseSequence: view.getInt32(position + 53),
    recordCount: view.getInt32(position + 57),
  };
}

/** The CRC32C that the batch at `position` should carry. */
export function computeBatchCrc(bytes: Uint8Array, position: number, batchLength: number): number {
  return crc32c(bytes, position + ATTRIBUTES_OFFSET, position + LOG_OVERHEAD + batchLength);
}

/** Whether the stored CRC matches the bytes. */
export function batchCrcIsValid(bytes: Uint8Array, header: BatchHeader): boolean {
  return computeBatchCrc(bytes, header.position, header.batchLength) === header.crc;
}

/** Writes baseOffset and partitionLeaderEpoch into the batch in place. */
export function assignOffsets(
  bytes: Uint8Array,
  position: number,
  baseOffset: number,
  leaderEpoch: number,
): void {
  const view = viewOf(bytes);
  writeInt64(view, position, baseOffset);
  view.setInt32(position + 12, leaderEpoch);
}

/** Rewrites maxTimestamp with LOG_APPEND_TIME semantics and fixes the CRC. */
export function setLogAppendTime(bytes: Uint8Array, header: BatchHeader, nowMs: number): void {
  const view = viewOf(bytes);
  const position = header.position;
  view.setInt16(position + ATTRIBUTES_OFFSET, header.attributes | 0x08);
  writeInt64(view, position + 35, nowMs);
  view.setUint32(position + CRC_OFFSET, computeBatchCrc(bytes, position, header.batchLength));
}

/**
 * Rewrites maxTimestamp with CREATE_TIME semantics (the largest record
 * timestamp, or -1 when no record has one) and fixes the CRC.
 */
export function setCreateTimeMaxTimestamp(
  bytes: Uint8Array,
  header: BatchHeader,
  maxTimestamp: number,
): void {
  const view = viewOf(bytes);
  const position = header.position;
  view.setInt16(position + ATTRIBUTES_OFFSET, header.attributes & ~0x08);
  writeInt64(view, position + 35, maxTimestamp);
  view.setUint32(position + CRC_OFFSET, computeBatchCrc(bytes, position, header.batchLength));
}

/** Recomputes and stores the CRC (used where a batch is built or altered). */
export function sealBatch(bytes: Uint8Array, position: number): void {
  const view = viewOf(bytes);
  const batchLength = view.getInt32(position + 8);
  view.setUint32(position + CRC_OFFSET, computeBatchCrc(bytes, position, batchLength));
}

/**
 * Splits a buffer into the headers of the whole v2 batches it holds, in order.
 * Stops at the first incomplete batch; `end` tells where the whole ones end.
 */
export function scanBatches(bytes: Uint8Array): { headers: BatchHeader[]; end: number } {
  const headers: BatchHeader[] = [];
  const view = viewOf(bytes);
  let position = 0;
  while (position + LOG_OVERHEAD <= bytes.length) {
    const batchLength = view.getInt32(position + 8);
    if (batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD) break;
    if (position + LOG_OVERHEAD + batchLength > bytes.length) break;
    headers.push(readBatchHeader(bytes, position));
    position += LOG_OVERHEAD + batchLength;
  }
  return { headers, end: position };
}
