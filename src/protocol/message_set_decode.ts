/**
 * Decoding the message formats before v2 (magic 0 and 1), as old clients
 * produce them and old logs hold them. A message set is a run of entries:
 *
 *   offset int64, messageSize int32, then the message:
 *   crc uint32 (CRC32 of the rest), magic int8, attributes int8 (bits 0-2 codec, bit 3 LogAppendTime in v1),
 *   timestamp int64 (v1 only), key bytes (int32 length, -1 = null), value bytes (same).
 *
 * A compressed message ("wrapper") carries, as its value, a compressed message
 * set of uncompressed inner messages. In magic 0 the inner offsets are
 * absolute; in magic 1 they are relative and the wrapper's offset is the last
 * inner message's absolute offset.
 */
import { decompress, DEFAULT_MAX_DECOMPRESSED_BYTES } from "./compression/mod.ts";
import { crc32 } from "./crc32.ts";
import { Compression, NO_TIMESTAMP } from "./record_batch.ts";
import { CorruptRecordError } from "./records_error.ts";
import { TimestampType } from "./records_types.ts";

/** Bytes before a message: offset and messageSize. */
export const LEGACY_LOG_OVERHEAD = 12;
/** crc, magic, attributes, key length, value length. */
const MESSAGE_V0_MIN_BYTES = 14;
/** As v0 plus the timestamp. */
const MESSAGE_V1_MIN_BYTES = 22;

/** One entry of a message set as it is stored (a wrapper is not opened). */
export interface LegacyEntry {
  /** Where the entry starts in the buffer. */
  position: number;
  /** Where the next entry starts. */
  end: number;
  offset: number;
  crc: number;
  magic: 0 | 1;
  attributes: number;
  /** NO_TIMESTAMP (-1) in magic 0. */
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
}

/** A message after opening wrappers: what a consumer sees. */
export interface LegacyMessage {
  offset: number;
  timestamp: number;
  timestampType: TimestampType;
  magic: 0 | 1;
  /** The codec of the wrapper it came from (None for a plain message). */
  compression: Compression;
  key: Uint8Array | null;
  value: Uint8Array | null;
}

/** Options for decoding message sets. */
export interface LegacyDecodeOptions {
  /** Check each message's CRC32 (default true). */
  verifyCrc?: boolean;
  /** Cap on the decompressed size of one wrapper's inner messages. */
  maxDecompressedBytes?: number;
}

function readBytesField(view: DataView, position: number, end: number, what: string): {
  bytes: Uint8Array | null;
  next: number;
} {
  if (position + 4 > end) throw new CorruptRecordError(`truncated ${what} length`);
  const length = view.getInt32(position);
  if (length < -1) throw new CorruptRecordError(`invalid ${what} length ${length}`);
  if (length === -1) return { bytes: null, next: position + 4 };
  if (position + 4 + length > end) {
    throw new CorruptRecordError(`${what} of ${length} bytes runs past the message`);
  }
  const start = view.byteOffset + position + 4;
  return { bytes: new Uint8Array(view.buffer, start, length), next: position + 4 + length };
}

/** Whether a whole entry starts at `position` (a fetch response may end with a partial one). */
export function legacyEntryIsComplete(bytes: Uint8Array, position: number): boolean {
  if (position + LEGACY_LOG_OVERHEAD > bytes.length) return false;
  const size = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getInt32(position + 8);
  return size < 0 || position + LEGACY_LOG_OVERHEAD + size <= bytes.length;
}

/** Reads the entry at `position`; the caller has checked that it is complete. */
export function readLegacyEntry(bytes: Uint8Array, position: number, verifyCrc = true): LegacyEntry {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (position + LEGACY_LOG_OVERHEAD > bytes.length) throw new CorruptRecordError("truncated message header");
  const offset = view.getInt32(position) * 4294967296 + view.getUint32(position + 4);
  const size = view.getInt32(position + 8);
  const start = position + LEGACY_LOG_OVERHEAD;
  const end = start + size;
  if (size < MESSAGE_V0_MIN_BYTES || end > bytes.length) {
    throw new CorruptRecordError(`invalid message size ${size} at ${position}`);
  }
  const magic = view.getInt8(start + 4);
  if (magic !== 0 && magic !== 1) throw new CorruptRecordError(`expected magic 0 or 1, found ${magic}`);
  if (magic === 1 && size < MESSAGE_V1_MIN_BYTES) {
    throw new CorruptRecordError(`message size ${size} too small`);
  }
  const crc = view.getUint32(start);
  if (verifyCrc && crc32(bytes, start + 4, end) !== crc) {
    throw new CorruptRecordError(`message at offset ${offset} fails its CRC32 check`);
  }
  const attributes = view.getUint8(start + 5);
  let fieldPosition = start + 6;
  let timestamp = NO_TIMESTAMP;
  if (magic === 1) {
    timestamp = view.getInt32(fieldPosition) * 4294967296 + view.getUint32(fieldPosition + 4);
    fieldPosition += 8;
  }
  const key = readBytesField(view, fieldPosition, end, "key");
  const value = readBytesField(view, key.next, end, "value");
  if (value.next !== end) throw new CorruptRecordError(`message declared ${size} bytes but used fewer`);
  return { position, end, offset, crc, magic, attributes, timestamp, key: key.bytes, value: value.bytes };
}

function timestampTypeOf(entry: LegacyEntry): TimestampType {
  return entry.magic === 1 && (entry.attributes & 0x08) !== 0
    ? TimestampType.LogAppendTime
    : TimestampType.CreateTime;
}

function plainMessage(entry: LegacyEntry): LegacyMessage {
  return {
    offset: entry.offset,
    timestamp: entry.timestamp,
    timestampType: timestampTypeOf(entry),
    magic: entry.magic,
    compression: Compression.None,
    key: entry.key,
    value: entry.value,
  };
}

function openWrapper(
  wrapper: LegacyEntry,
  codec: Compression,
  options: LegacyDecodeOptions,
): LegacyMessage[] {
  if (codec > Compression.Lz4) {
    throw new CorruptRecordError(`codec ${codec} is not allowed in magic ${wrapper.magic}`);
  }
  if (wrapper.value === null) throw new CorruptRecordError("compressed message without a value");
  const inner = decompress(
    codec,
    wrapper.value,
    options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES,
  );
  const entries: LegacyEntry[] = [];
  for (let position = 0; position < inner.length;) {
    const entry = readLegacyEntry(inner, position, options.verifyCrc ?? true);
    if ((entry.attributes & 0x07) !== Compression.None) {
      throw new CorruptRecordError("nested compressed message");
    }
    if (entry.magic !== wrapper.magic) {
      throw new CorruptRecordError("inner message magic differs from its wrapper");
    }
    entries.push(entry);
    position = entry.end;
  }
  if (entries.length === 0) throw new CorruptRecordError("compressed message with no inner messages");
  // A producer's wrapper has offset 0, which makes the base negative: the inner offsets are kept then, as Kafka does.
  const absoluteBase = wrapper.magic === 1 ? wrapper.offset - entries[entries.length - 1]!.offset : -1;
  const timestampType = timestampTypeOf(wrapper);
  return entries.map((entry) => ({
    offset: absoluteBase >= 0 ? absoluteBase + entry.offset : entry.offset,
    timestamp: timestampType === TimestampType.LogAppendTime ? wrapper.timestamp : entry.timestamp,
    timestampType,
    magic: entry.magic,
    compression: codec,
    key: entry.key,
    value: entry.value,
  }));
}

/** The messages of one entry, with a wrapper opened. */
export function messagesOfEntry(entry: LegacyEntry, options: LegacyDecodeOptions = {}): LegacyMessage[] {
  const codec: Compression = entry.attributes & 0x07;
  return codec === Compression.None ? [plainMessage(entry)] : openWrapper(entry, codec, options);
}

/**
 * Decodes a message set of magic 0/1 entries into its messages, opening
 * compressed wrappers. A partial entry at the end is ignored.
 */
export function decodeMessageSet(bytes: Uint8Array, options: LegacyDecodeOptions = {}): LegacyMessage[] {
  const messages: LegacyMessage[] = [];
  let position = 0;
  while (legacyEntryIsComplete(bytes, position)) {
    const entry = readLegacyEntry(bytes, position, options.verifyCrc ?? true);
    for (const message of messagesOfEntry(entry, options)) messages.push(message);
    position = entry.end;
  }
  return messages;
}
