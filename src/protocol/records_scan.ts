/**
 * A light walk over a v2 batch's records that reads only what the broker's
 * validation needs from each one: its timestamp delta, offset delta and
 * whether it has a key. Values and headers are skipped by the record's
 * declared length, nothing is copied, and compressed records are
 * decompressed once. Malformed records throw a CorruptRecordError.
 */
import { decompress, DEFAULT_MAX_DECOMPRESSED_BYTES } from "./compression/mod.ts";
import { BATCH_HEADER_SIZE, type BatchHeader, batchSize, compressionOf } from "./record_batch.ts";
import { CorruptRecordError } from "./records_error.ts";

/** The fields of one record that validation reads. */
export interface RecordHead {
  /** The record's position in the batch, from 0. */
  index: number;
  timestampDelta: number;
  offsetDelta: number;
  /** False for a null key (length -1); an empty key is a key. */
  hasKey: boolean;
}

/** Where the last readZigZag stopped: a module variable, so the per-record walk allocates nothing. */
let next = 0;

/** Reads a zig-zag varint or varlong at `position` (exact up to 2^53) and sets `next` past it. */
function readZigZag(bytes: Uint8Array, position: number, maxBytes: number): number {
  let raw = 0;
  let multiplier = 1;
  for (let index = 0; index < maxBytes; index++) {
    const byte = bytes[position + index];
    if (byte === undefined) throw new CorruptRecordError("a record field runs past the end of the records");
    raw += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) {
      next = position + index + 1;
      return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
    }
    multiplier *= 128;
  }
  throw new CorruptRecordError(`a varint longer than ${maxBytes} bytes`);
}

/**
 * Calls `visit` for each record of the batch at `header.position` in
 * `bytes`, in order, and checks that the records fill the records section
 * exactly and number `header.recordCount`.
 */
export function scanRecordHeads(
  bytes: Uint8Array,
  header: BatchHeader,
  visit: (record: RecordHead) => void,
  maxDecompressedBytes = DEFAULT_MAX_DECOMPRESSED_BYTES,
): void {
  const section = bytes.subarray(header.position + BATCH_HEADER_SIZE, header.position + batchSize(header));
  const records = decompress(compressionOf(header.attributes), section, maxDecompressedBytes);
  let position = 0;
  let index = 0;
  const head: RecordHead = { index: 0, timestampDelta: 0, offsetDelta: 0, hasKey: false };
  while (position < records.length) {
    if (index >= header.recordCount) {
      throw new CorruptRecordError(
        `${records.length - position} bytes left after the ${header.recordCount} declared records`,
      );
    }
    const length = readZigZag(records, position, 5);
    const end = next + length;
    if (length < 6 || end > records.length) {
      throw new CorruptRecordError(`invalid record length ${length} at record ${index}`);
    }
    // Record attributes (one byte) are unused in format v2.
    head.timestampDelta = readZigZag(records, next + 1, 10);
    head.offsetDelta = readZigZag(records, next, 5);
    const keyLength = readZigZag(records, next, 5);
    if (keyLength < -1 || next + Math.max(0, keyLength) > end) {
      throw new CorruptRecordError(`record ${index} has a key longer than the record`);
    }
    head.index = index;
    head.hasKey = keyLength !== -1;
    visit(head);
    position = end;
    index++;
  }
  if (index !== header.recordCount) {
    throw new CorruptRecordError(`the batch declares ${header.recordCount} records and holds ${index}`);
  }
}
