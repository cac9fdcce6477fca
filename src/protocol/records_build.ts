/**
 * Building v2 record batches: encode the records, compress them, fill the
 * 61-byte header and seal the CRC32C. Used where the broker writes its own
 * batches (control markers, offsets and transaction logs, converted or
 * compacted data) and by tests.
 */
import { compress } from "./compression/mod.ts";
import {
  BATCH_HEADER_SIZE,
  Compression,
  LOG_OVERHEAD,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  NO_TIMESTAMP,
  sealBatch,
} from "./record_batch.ts";
import { UnsupportedCompressionError } from "./records_error.ts";
import { type RecordHeader, type RecordInput, TimestampType } from "./records_types.ts";
import { Writer } from "./writer.ts";

/** What buildBatch needs; everything but `records` has Kafka's "none" default. */
export interface BuildBatchOptions {
  records: RecordInput[];
  baseOffset?: number;
  compression?: Compression;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
  isControl?: boolean;
  timestampType?: TimestampType;
  partitionLeaderEpoch?: number;
  /**
   * For a batch left empty (by compaction, which keeps a producer's last
   * batch): the offset span it covered. Defaults to the last record's delta.
   */
  lastOffsetDelta?: number;
  /** Overrides the batch's maxTimestamp (LogAppendTime batches, empty batches). */
  maxTimestamp?: number;
  /**
   * KIP-534: the time after which compaction may remove the batch's
   * tombstones and markers. Stored as the base timestamp (record timestamps
   * are deltas from it) with attributes bit 6 set.
   */
  deleteHorizonMs?: number;
}

/** Bytes of the zig-zag varint/varlong for `value` (exact for safe integers). */
function varintSize(value: number): number {
  let zigzag = value >= 0 ? value * 2 : -value * 2 - 1;
  let size = 1;
  while (zigzag >= 128) {
    zigzag = Math.floor(zigzag / 128);
    size++;
  }
  return size;
}

function bytesFieldSize(bytes: Uint8Array | null): number {
  return bytes === null ? 1 : varintSize(bytes.length) + bytes.length;
}

function recordBodySize(
  record: RecordInput,
  headers: RecordHeader[],
  timestampDelta: number,
  offsetDelta: number,
) {
  let size = 1 + varintSize(timestampDelta) + varintSize(offsetDelta) + bytesFieldSize(record.key) +
    bytesFieldSize(record.value) + varintSize(headers.length);
  for (const header of headers) size += bytesFieldSize(header.key) + bytesFieldSize(header.value);
  return size;
}

function writeBytes(writer: Writer, bytes: Uint8Array | null): void {
  if (bytes === null) {
    writer.varint(-1);
    return;
  }
  writer.varint(bytes.length).raw(bytes);
}

/** Writes one record: its body's size is computed first, so it is written once, in place. */
function writeRecord(writer: Writer, record: RecordInput, timestampDelta: number, offsetDelta: number): void {
  const headers: RecordHeader[] = record.headers ?? [];
  writer.varint(recordBodySize(record, headers, timestampDelta, offsetDelta));
  writer.int8(0).varlong(timestampDelta).varint(offsetDelta);
  writeBytes(writer, record.key);
  writeBytes(writer, record.value);
  writer.varint(headers.length);
  for (const header of headers) {
    writeBytes(writer, header.key);
    writeBytes(writer, header.value);
  }
}

function encodeRecords(records: RecordInput[], baseOffset: number, baseTimestamp: number): {
  bytes: Uint8Array;
  lastOffsetDelta: number;
} {
  const writer = new Writer(1024);
  let previousDelta = -1;
  records.forEach((record, index) => {
    const offsetDelta = record.offset === undefined ? index : record.offset - baseOffset;
    if (offsetDelta <= previousDelta || offsetDelta > 0x7fffffff) {
      throw new RangeError(`record offsets must increase from baseOffset (delta ${offsetDelta} at ${index})`);
    }
    previousDelta = offsetDelta;
    writeRecord(writer, record, record.timestamp - baseTimestamp, offsetDelta);
  });
  return { bytes: writer.finish(), lastOffsetDelta: Math.max(previousDelta, 0) };
}

function attributesOf(options: BuildBatchOptions, compression: Compression): number {
  let attributes = compression;
  if (options.timestampType === TimestampType.LogAppendTime) attributes |= 0x08;
  if (options.isTransactional) attributes |= 0x10;
  if (options.isControl) attributes |= 0x20;
  if (options.deleteHorizonMs !== undefined) attributes |= 0x40;
  return attributes;
}

/** Encodes, compresses and seals one v2 batch; returns its bytes (LOG_OVERHEAD + batchLength). */
export function buildBatch(options: BuildBatchOptions): Uint8Array {
  const compression = options.compression ?? Compression.None;
  if (compression < Compression.None || compression > Compression.Zstd) {
    throw new UnsupportedCompressionError(`unknown compression codec ${compression}`);
  }
  const baseOffset = options.baseOffset ?? 0;
  const records = options.records;
  const first = records[0];
  // Kafka's writers take the first record's timestamp as the base; deltas may be negative.
  const baseTimestamp = options.deleteHorizonMs ??
    (first === undefined ? (options.maxTimestamp ?? NO_TIMESTAMP) : first.timestamp);
  const maxTimestamp = options.maxTimestamp ??
    records.reduce((max, record) => Math.max(max, record.timestamp), NO_TIMESTAMP);
  const encoded = encodeRecords(records, baseOffset, baseTimestamp);
  const payload = records.length === 0 ? encoded.bytes : compress(compression, encoded.bytes);
  const batch = new Uint8Array(BATCH_HEADER_SIZE + payload.length);
  const view = new DataView(batch.buffer);
  view.setBigInt64(0, BigInt(baseOffset));
  view.setInt32(8, batch.length - LOG_OVERHEAD);
  view.setInt32(12, options.partitionLeaderEpoch ?? -1);
  view.setInt8(16, 2);
  view.setInt16(21, attributesOf(options, compression));
  view.setInt32(23, options.lastOffsetDelta ?? encoded.lastOffsetDelta);
  view.setBigInt64(27, BigInt(baseTimestamp));
  view.setBigInt64(35, BigInt(maxTimestamp));
  view.setBigInt64(43, BigInt(options.producerId ?? NO_PRODUCER_ID));
  view.setInt16(51, options.producerEpoch ?? -1);
  view.setInt32(53, options.baseSequence ?? NO_SEQUENCE);
  view.setInt32(57, records.length);
  batch.set(payload, BATCH_HEADER_SIZE);
  sealBatch(batch, 0);
  return batch;
}
