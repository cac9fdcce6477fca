/**
 * Converting between the old message formats and v2 batches.
 *
 * Up: a broker with message format v2 turns a Produce of magic 0/1 messages
 * into one v2 batch before appending (Kafka does the same since 0.11).
 * Down: a Fetch of version 0-3 can only carry magic 0/1, so v2 batches are
 * rewritten: each batch becomes plain messages or one compressed wrapper of
 * the same codec; control batches and empty batches are dropped, and headers
 * are lost as the old formats have none.
 */
import {
  BATCH_HEADER_SIZE,
  batchCrcIsValid,
  Compression,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  readBatchHeader,
} from "./record_batch.ts";
import { buildBatch } from "./records_build.ts";
import { decodeRecords } from "./records_decode.ts";
import { CorruptRecordError, UnsupportedCompressionError } from "./records_error.ts";
import { type RecordInput, TimestampType } from "./records_types.ts";
import {
  LEGACY_LOG_OVERHEAD,
  type LegacyDecodeOptions,
  legacyEntryIsComplete,
  type LegacyMessage,
  messagesOfEntry,
  readLegacyEntry,
} from "./message_set_decode.ts";
import { encodeMessageSet } from "./message_set_encode.ts";

/** Options for convertMessageSetToBatch. */
export interface UpConvertOptions extends LegacyDecodeOptions {
  /** The codec of the new batch; defaults to the codec the messages came with. */
  compression?: Compression;
  /**
   * Keep the messages' offsets (for stored data, which must increase) instead
   * of numbering them from 0 (for a Produce, whose offsets the broker assigns
   * anyway).
   */
  keepOffsets?: boolean;
}

function checkOffsetsIncrease(messages: LegacyMessage[]): void {
  const first = messages[0]!.offset;
  let previous = -1;
  for (const message of messages) {
    const delta = message.offset - first;
    if (!Number.isSafeInteger(message.offset) || delta <= previous || delta > 0x7fffffff) {
      throw new CorruptRecordError(
        `message offsets do not increase (${message.offset} after ${first + previous})`,
      );
    }
    previous = delta;
  }
}

/** Turns a magic 0/1 message set into one v2 batch. Throws CorruptRecordError if it holds no message. */
export function convertMessageSetToBatch(bytes: Uint8Array, options: UpConvertOptions = {}): Uint8Array {
  const messages: LegacyMessage[] = [];
  let position = 0;
  while (position < bytes.length) {
    if (!legacyEntryIsComplete(bytes, position)) {
      throw new CorruptRecordError("truncated message in message set");
    }
    const entry = readLegacyEntry(bytes, position, options.verifyCrc ?? true);
    for (const message of messagesOfEntry(entry, options)) messages.push(message);
    position = entry.end;
  }
  const first = messages[0];
  if (first === undefined) throw new CorruptRecordError("message set holds no message");
  const baseOffset = options.keepOffsets ? first.offset : 0;
  if (options.keepOffsets) checkOffsetsIncrease(messages);
  const records: RecordInput[] = messages.map((message, index) => ({
    offset: options.keepOffsets ? message.offset : index,
    timestamp: message.timestamp,
    key: message.key,
    value: message.value,
  }));
  const sourceCompression = messages.find((message) => message.compression !== Compression.None)?.compression;
  return buildBatch({
    records,
    baseOffset,
    compression: options.compression ?? sourceCompression ?? Compression.None,
    timestampType: first.timestampType,
    maxTimestamp: first.timestampType === TimestampType.LogAppendTime ? first.timestamp : undefined,
  });
}

/** Options for convertBatchesToMessageSet. */
export interface DownConvertOptions {
  /** Check the CRC of each v2 batch (default false: batches served from the log were checked on append). */
  verifyCrc?: boolean;
  maxDecompressedBytes?: number;
}

function downConvertBatch(
  bytes: Uint8Array,
  position: number,
  magic: 0 | 1,
  options: DownConvertOptions,
): Uint8Array | null {
  if (position + BATCH_HEADER_SIZE > bytes.length) throw new CorruptRecordError("truncated batch header");
  const header = readBatchHeader(bytes, position);
  if (header.batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD) {
    throw new CorruptRecordError(`batch length ${header.batchLength} is shorter than a batch header`);
  }
  if (options.verifyCrc && !batchCrcIsValid(bytes, header)) {
    throw new CorruptRecordError(`batch at offset ${header.baseOffset} fails its CRC32C check`);
  }
  if ((header.attributes & 0x20) !== 0 || header.recordCount === 0) return null;
  const compression: Compression = header.attributes & 0x07;
  if (compression > Compression.Lz4) {
    throw new UnsupportedCompressionError(`codec ${compression} cannot be down-converted to magic ${magic}`);
  }
  const records = decodeRecords(bytes, header, options);
  return encodeMessageSet(records, {
    magic,
    compression,
    timestampType: (header.attributes & 0x08) !== 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime,
  });
}

function downConvertLegacyEntry(bytes: Uint8Array, position: number, magic: 0 | 1): Uint8Array {
  const entry = readLegacyEntry(bytes, position, false);
  if (entry.magic <= magic) return bytes.subarray(position, entry.end);
  const messages = messagesOfEntry(entry, {});
  return encodeMessageSet(messages, {
    magic,
    compression: entry.attributes & 0x07,
    timestampType: messages[0]?.timestampType ?? TimestampType.CreateTime,
  });
}

/**
 * Rewrites a run of batches (v2, or already old entries, as a log may mix
 * them) as a magic 0 or 1 message set. Entries already at or below `magic`
 * are copied as they are. A partial entry at the end is dropped. Throws
 * UnsupportedCompressionError for zstd, which old clients cannot read.
 */
export function convertBatchesToMessageSet(
  batchBytes: Uint8Array,
  magic: 0 | 1,
  options: DownConvertOptions = {},
): Uint8Array {
  const pieces: Uint8Array[] = [];
  const view = new DataView(batchBytes.buffer, batchBytes.byteOffset, batchBytes.byteLength);
  let position = 0;
  while (position + LOG_OVERHEAD <= batchBytes.length) {
    const length = view.getInt32(position + 8);
    const end = position + LEGACY_LOG_OVERHEAD + length;
    if (length < 0) throw new CorruptRecordError(`negative entry length ${length}`);
    if (end > batchBytes.length || position + MAGIC_OFFSET >= batchBytes.length) break;
    const entryMagic = batchBytes[position + MAGIC_OFFSET];
    if (entryMagic === 2) {
      const piece = downConvertBatch(batchBytes, position, magic, options);
      if (piece !== null) pieces.push(piece);
    } else {
      pieces.push(downConvertLegacyEntry(batchBytes, position, magic));
    }
    position = end;
  }
  const output = new Uint8Array(pieces.reduce((total, piece) => total + piece.length, 0));
  let offset = 0;
  for (const piece of pieces) {
    output.set(piece, offset);
    offset += piece.length;
  }
  return output;
}
