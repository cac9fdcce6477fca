/**
 * Decoding the records of a v2 batch. Each record is:
 *
 *   length varint, attributes int8, timestampDelta varlong, offsetDelta varint,
 *   keyLength varint (-1 = null), key, valueLength varint (-1 = null), value,
 *   headerCount varint, then per header: keyLength varint, key, valueLength varint (-1 = null), value.
 *
 * The records follow the 61-byte header, compressed as one stream when the
 * batch's codec is not none. Every length is checked against the bytes left
 * before it is used, and the record count against the bytes too, so a
 * corrupt batch fails with a CorruptRecordError and never allocates from a
 * declared size.
 */
import { decompress, DEFAULT_MAX_DECOMPRESSED_BYTES } from "./compression/mod.ts";
import {
  BATCH_HEADER_SIZE,
  batchCrcIsValid,
  type BatchHeader,
  compressionOf,
  LOG_OVERHEAD,
  readBatchHeader,
  timestampTypeIsLogAppend,
} from "./record_batch.ts";
import { ProtocolError, Reader } from "./reader.ts";
import { CorruptRecordError } from "./records_error.ts";
import type { DecodedRecord, RecordHeader } from "./records_types.ts";

/** The smallest possible record: length, attributes, timestamp, offset, key, value and header count, one byte each. */
const MIN_RECORD_BYTES = 7;

/** Options for decoding batches. */
export interface DecodeOptions {
  /** Check the batch's CRC32C first (default true). */
  verifyCrc?: boolean;
  /** Cap on the decompressed size of one batch's records. */
  maxDecompressedBytes?: number;
}

/** A decoded v2 batch. */
export interface DecodedBatch {
  header: BatchHeader;
  records: DecodedRecord[];
}

function readLengthPrefixed(reader: Reader, what: string): Uint8Array | null {
  const length = reader.varint();
  if (length < -1) throw new CorruptRecordError(`invalid ${what} length ${length}`);
  if (length === -1) return null;
  if (length > reader.remaining) {
    throw new CorruptRecordError(`${what} of ${length} bytes exceeds the ${reader.remaining} bytes left`);
  }
  return reader.raw(length);
}

function readHeaders(reader: Reader): RecordHeader[] {
  const count = reader.varint();
  // A header takes at least two bytes (its key length and value length).
  if (count < 0 || count * 2 > reader.remaining) {
    throw new CorruptRecordError(`invalid header count ${count}`);
  }
  const headers: RecordHeader[] = [];
  for (let index = 0; index < count; index++) {
    const key = readLengthPrefixed(reader, "header key");
    if (key === null) throw new CorruptRecordError("null header key");
    headers.push({ key, value: readLengthPrefixed(reader, "header value") });
  }
  return headers;
}

/**
 * A zig-zag varlong without BigInt when it fits in seven bytes (49 bits, exact
 * in a double), which covers any timestamp delta in practice; longer ones take
 * the reader's exact path.
 */
function readVarlong(reader: Reader): number {
  let position = reader.position;
  let value = 0;
  let multiplier = 1;
  for (let index = 0; index < 7; index++) {
    const byte = reader.bytes[position++];
    if (byte === undefined) throw new CorruptRecordError("truncated varlong");
    value += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) {
      reader.position = position;
      return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
    }
    multiplier *= 128;
  }
  return reader.varlong();
}

function readRecord(reader: Reader, header: BatchHeader, logAppendTime: boolean): DecodedRecord {
  const length = reader.varint();
  if (length < MIN_RECORD_BYTES - 1 || length > reader.remaining) {
    throw new CorruptRecordError(`invalid record length ${length} with ${reader.remaining} bytes left`);
  }
  // Fields are read from the shared reader (no copy, no new reader per record); one that
  // overruns the record's declared length is caught by the position check below.
  const end = reader.position + length;
  reader.int8(); // Record attributes are unused in format v2.
  const timestampDelta = readVarlong(reader);
  const offsetDelta = reader.varint();
  const key = readLengthPrefixed(reader, "key");
  const value = readLengthPrefixed(reader, "value");
  const headers = readHeaders(reader);
  if (reader.position !== end) {
    throw new CorruptRecordError(
      `record declared ${length} bytes but used ${length + reader.position - end}`,
    );
  }
  return {
    offset: header.baseOffset + offsetDelta,
    timestamp: logAppendTime ? header.maxTimestamp : header.baseTimestamp + timestampDelta,
    key,
    value,
    headers,
  };
}

/**
 * Decodes the records of the v2 batch whose header is given, decompressing
 * them first if the batch is compressed. `bytes` is the buffer the header was
 * read from. The CRC is not checked here (decodeBatch does).
 */
export function decodeRecords(
  bytes: Uint8Array,
  header: BatchHeader,
  options: DecodeOptions = {},
): DecodedRecord[] {
  // As Kafka does, an empty batch (kept by compaction for its producer state) is not decompressed.
  if (header.recordCount === 0) return [];
  const start = header.position + BATCH_HEADER_SIZE;
  const end = header.position + LOG_OVERHEAD + header.batchLength;
  if (header.batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD || end > bytes.length) {
    throw new CorruptRecordError(`batch length ${header.batchLength} does not fit the buffer`);
  }
  const payload = decompress(
    compressionOf(header.attributes),
    bytes.subarray(start, end),
    options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES,
  );
  if (header.recordCount < 0 || header.recordCount * MIN_RECORD_BYTES > payload.length) {
    throw new CorruptRecordError(
      `record count ${header.recordCount} exceeds what ${payload.length} bytes can hold`,
    );
  }
  const reader = new Reader(payload);
  const logAppendTime = timestampTypeIsLogAppend(header.attributes);
  const records: DecodedRecord[] = [];
  try {
    for (let index = 0; index < header.recordCount; index++) {
      records.push(readRecord(reader, header, logAppendTime));
    }
  } catch (error) {
    if (error instanceof ProtocolError) throw new CorruptRecordError(`malformed record: ${error.message}`);
    throw error;
  }
  if (reader.remaining !== 0) {
    throw new CorruptRecordError(
      `${reader.remaining} bytes left after the ${header.recordCount} declared records`,
    );
  }
  return records;
}

/** Reads, checks and decodes the v2 batch at `position`. */
export function decodeBatch(bytes: Uint8Array, position = 0, options: DecodeOptions = {}): DecodedBatch {
  if (position + BATCH_HEADER_SIZE > bytes.length) throw new CorruptRecordError("truncated batch header");
  const header = readBatchHeader(bytes, position);
  if (header.magic !== 2) throw new CorruptRecordError(`expected magic 2, found ${header.magic}`);
  if (
    header.batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD ||
    position + LOG_OVERHEAD + header.batchLength > bytes.length
  ) {
    throw new CorruptRecordError(`batch length ${header.batchLength} does not fit the buffer`);
  }
  if ((options.verifyCrc ?? true) && !batchCrcIsValid(bytes, header)) {
    throw new CorruptRecordError(`batch at offset ${header.baseOffset} fails its CRC32C check`);
  }
  return { header, records: decodeRecords(bytes, header, options) };
}

/**
 * Decodes every whole v2 batch in `bytes`, in order. A partial batch at the
 * end (as a fetch response may carry) is ignored; a batch of another magic
 * is an error (see decodeRecordSet for mixed formats).
 */
export function decodeBatches(bytes: Uint8Array, options: DecodeOptions = {}): DecodedBatch[] {
  const batches: DecodedBatch[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let position = 0;
  while (position + LOG_OVERHEAD <= bytes.length) {
    const batchLength = view.getInt32(position + 8);
    if (batchLength < 0) throw new CorruptRecordError(`negative batch length ${batchLength}`);
    if (position + LOG_OVERHEAD + batchLength > bytes.length) break;
    const batch = decodeBatch(bytes, position, options);
    batches.push(batch);
    position += LOG_OVERHEAD + batchLength;
  }
  return batches;
}
