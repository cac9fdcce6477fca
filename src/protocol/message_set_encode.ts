/**
 * Writing magic 0 and 1 messages, for down-conversion to clients that fetch
 * with Fetch v0-v3. See message_set_decode.ts for the layout.
 */
import { compress } from "./compression/mod.ts";
import { crc32 } from "./crc32.ts";
import { Compression } from "./record_batch.ts";
import { UnsupportedCompressionError } from "./records_error.ts";
import { TimestampType } from "./records_types.ts";
import { Writer } from "./writer.ts";

/** A message to write. */
export interface LegacyMessageInput {
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
}

/** How the messages of one entry are written. */
export interface LegacyEntryOptions {
  magic: 0 | 1;
  compression: Compression;
  timestampType: TimestampType;
}

function attributesOf(compression: Compression, magic: 0 | 1, timestampType: TimestampType): number {
  const logAppend = magic === 1 && timestampType === TimestampType.LogAppendTime;
  return compression | (logAppend ? 0x08 : 0);
}

/** Writes one entry (offset, size, message) with its CRC32. */
function writeEntry(
  writer: Writer,
  offset: number,
  magic: 0 | 1,
  attributes: number,
  timestamp: number,
  key: Uint8Array | null,
  value: Uint8Array | null,
): void {
  const message = new Writer(64);
  message.int8(magic).int8(attributes);
  if (magic === 1) message.int64(timestamp);
  message.nullableBytes(key).nullableBytes(value);
  const body = message.finish();
  writer.int64(offset).int32(4 + body.length).uint32(crc32(body)).raw(body);
}

/**
 * Writes `messages` as a message set: one entry each when uncompressed, or one
 * compressed wrapper holding them all. A magic 1 wrapper carries relative
 * inner offsets and the last absolute offset; magic 0 keeps absolute offsets.
 */
export function encodeMessageSet(messages: LegacyMessageInput[], options: LegacyEntryOptions): Uint8Array {
  const { magic, compression, timestampType } = options;
  if (compression < Compression.None || compression > Compression.Lz4) {
    throw new UnsupportedCompressionError(`codec ${compression} cannot be written in magic ${magic}`);
  }
  const writer = new Writer(256);
  const innerAttributes = attributesOf(Compression.None, magic, timestampType);
  if (compression === Compression.None || messages.length === 0) {
    for (const message of messages) {
      writeEntry(
        writer,
        message.offset,
        magic,
        innerAttributes,
        message.timestamp,
        message.key,
        message.value,
      );
    }
    return writer.finish();
  }
  const firstOffset = messages[0]!.offset;
  const inner = new Writer(256);
  for (const message of messages) {
    const innerOffset = magic === 1 ? message.offset - firstOffset : message.offset;
    writeEntry(inner, innerOffset, magic, innerAttributes, message.timestamp, message.key, message.value);
  }
  // Kafka's own v0 LZ4 code wrote a broken header checksum, and v0 readers expect it.
  const compressed = compress(compression, inner.finish(), { lz4BrokenHeaderChecksum: magic === 0 });
  const lastOffset = messages[messages.length - 1]!.offset;
  const wrapperTimestamp = messages.reduce((max, message) => Math.max(max, message.timestamp), -1);
  writeEntry(
    writer,
    lastOffset,
    magic,
    attributesOf(compression, magic, timestampType),
    wrapperTimestamp,
    null,
    compressed,
  );
  return writer.finish();
}
