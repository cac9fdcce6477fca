/**
 * Builds uncompressed v2 record batches for tests, with the varint record
 * encoding of Kafka's DefaultRecord and a CRC sealed by `sealBatch`.
 */
import { BATCH_HEADER_SIZE, LOG_OVERHEAD, sealBatch, Writer } from "../protocol/mod.ts";

const textEncoder = new TextEncoder();

/** One record to put in a test batch. */
export interface TestRecord {
  key?: Uint8Array | string | null;
  value?: Uint8Array | string | null;
  /** Added to the batch's base timestamp; defaults to 0. */
  timestampDelta?: number;
  /** Defaults to the record's index in the batch. */
  offsetDelta?: number;
  headers?: { key: string; value: Uint8Array | string | null }[];
}

/** Header fields of a test batch; everything has a plain default. */
export interface TestBatchOptions {
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  attributes?: number;
  baseTimestamp?: number;
  /** Defaults to baseTimestamp plus the largest timestampDelta. */
  maxTimestamp?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  /** Defaults to the last record's offsetDelta. */
  lastOffsetDelta?: number;
}

function toBytes(value: Uint8Array | string | null | undefined): Uint8Array | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? textEncoder.encode(value) : value;
}

function encodeRecord(record: TestRecord, index: number): Uint8Array {
  const body = new Writer(64);
  body.int8(0);
  body.varlong(record.timestampDelta ?? 0);
  body.varint(record.offsetDelta ?? index);
  const key = toBytes(record.key);
  body.varint(key === null ? -1 : key.length);
  if (key !== null) body.raw(key);
  const value = toBytes(record.value);
  body.varint(value === null ? -1 : value.length);
  if (value !== null) body.raw(value);
  const headers = record.headers ?? [];
  body.varint(headers.length);
  for (const header of headers) {
    const headerKey = textEncoder.encode(header.key);
    body.varint(headerKey.length).raw(headerKey);
    const headerValue = toBytes(header.value);
    body.varint(headerValue === null ? -1 : headerValue.length);
    if (headerValue !== null) body.raw(headerValue);
  }
  const bodyBytes = body.finish();
  return new Writer(bodyBytes.length + 5).varint(bodyBytes.length).raw(bodyBytes).finish();
}

/** An uncompressed v2 batch holding `records`, CRC included. */
export function buildBatch(records: TestRecord[], options: TestBatchOptions = {}): Uint8Array {
  if (records.length === 0) throw new Error("a test batch needs at least one record");
  const encoded = records.map(encodeRecord);
  const recordsLength = encoded.reduce((sum, bytes) => sum + bytes.length, 0);
  const baseTimestamp = options.baseTimestamp ?? 0;
  const maxDelta = Math.max(...records.map((record) => record.timestampDelta ?? 0));
  const lastRecord = records[records.length - 1]!;
  const writer = new Writer(BATCH_HEADER_SIZE + recordsLength);
  writer.int64(options.baseOffset ?? 0);
  writer.int32(BATCH_HEADER_SIZE - LOG_OVERHEAD + recordsLength);
  writer.int32(options.partitionLeaderEpoch ?? -1);
  writer.int8(2);
  writer.uint32(0);
  writer.int16(options.attributes ?? 0);
  writer.int32(options.lastOffsetDelta ?? lastRecord.offsetDelta ?? records.length - 1);
  writer.int64(baseTimestamp);
  writer.int64(options.maxTimestamp ?? baseTimestamp + maxDelta);
  writer.int64(options.producerId ?? -1);
  writer.int16(options.producerEpoch ?? -1);
  writer.int32(options.baseSequence ?? -1);
  writer.int32(records.length);
  for (const bytes of encoded) writer.raw(bytes);
  const batch = writer.finish();
  sealBatch(batch, 0);
  return batch;
}

/** A batch of `count` small records named `${prefix}-${index}`. */
export function buildSimpleBatch(
  count: number,
  options: TestBatchOptions & { prefix?: string } = {},
): Uint8Array {
  const prefix = options.prefix ?? "record";
  const records: TestRecord[] = [];
  for (let index = 0; index < count; index++) {
    records.push({ key: `${prefix}-key-${index}`, value: `${prefix}-value-${index}`, timestampDelta: index });
  }
  return buildBatch(records, options);
}

/** Concatenates byte arrays (several batches in one produce payload). */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let position = 0;
  for (const part of parts) {
    out.set(part, position);
    position += part.length;
  }
  return out;
}
