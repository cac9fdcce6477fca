/**
 * Decoding a record set that may mix formats, as a fetch response or an old
 * log can: v2 batches and magic 0/1 message sets, told apart by the magic
 * byte, which sits at the same place (byte 16) in both.
 */
import { LOG_OVERHEAD, MAGIC_OFFSET } from "./record_batch.ts";
import { decodeBatch, type DecodeOptions } from "./records_decode.ts";
import { CorruptRecordError } from "./records_error.ts";
import type { DecodedRecord } from "./records_types.ts";
import { messagesOfEntry, readLegacyEntry } from "./message_set_decode.ts";

/**
 * Every record of every whole entry in `bytes`, in order; a partial entry at
 * the end is ignored. Records from old formats have no headers.
 */
export function decodeRecordSet(bytes: Uint8Array, options: DecodeOptions = {}): DecodedRecord[] {
  const records: DecodedRecord[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let position = 0;
  while (position + LOG_OVERHEAD <= bytes.length) {
    const length = view.getInt32(position + 8);
    if (length < 0) throw new CorruptRecordError(`negative entry length ${length}`);
    const end = position + LOG_OVERHEAD + length;
    if (end > bytes.length || position + MAGIC_OFFSET >= bytes.length) break;
    if (bytes[position + MAGIC_OFFSET] === 2) {
      for (const record of decodeBatch(bytes, position, options).records) records.push(record);
    } else {
      const entry = readLegacyEntry(bytes, position, options.verifyCrc ?? true);
      for (const message of messagesOfEntry(entry, options)) {
        records.push({
          offset: message.offset,
          timestamp: message.timestamp,
          key: message.key,
          value: message.value,
          headers: [],
        });
      }
    }
    position = end;
  }
  return records;
}
