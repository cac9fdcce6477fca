/**
 * The few places where the log looks inside a batch's records: finding a
 * record by timestamp (ListOffsets) and reading a transaction marker from a
 * control batch (producer state). Everything else works on batch headers.
 *
 * A v2 record is: length varint, attributes int8, timestampDelta varlong,
 * offsetDelta varint, key, value, headers. Compressed batches need a
 * decompressor, passed in so the log does not depend on codecs.
 */
import {
  BATCH_HEADER_SIZE,
  type BatchHeader,
  batchSize,
  Compression,
  compressionOf,
  Reader,
  timestampTypeIsLogAppend,
} from "../protocol/mod.ts";

/** Turns a compressed records section into the records it holds. */
export type Decompress = (compression: Compression, compressed: Uint8Array) => Uint8Array;

/** Thrown when records are compressed and no decompressor was given. */
export class CompressedRecordsError extends Error {
  constructor(compression: Compression) {
    super(`records compressed with codec ${compression} and no decompressor was given`);
    this.name = "CompressedRecordsError";
  }
}

/** A record's absolute offset and timestamp. */
export interface RecordTimestamp {
  offset: number;
  timestamp: number;
}

function recordsOf(batch: Uint8Array, header: BatchHeader, decompress?: Decompress): Uint8Array {
  const records = batch.subarray(header.position + BATCH_HEADER_SIZE, header.position + batchSize(header));
  const compression = compressionOf(header.attributes);
  if (compression === Compression.None) return records;
  if (decompress === undefined) throw new CompressedRecordsError(compression);
  return decompress(compression, records);
}

/**
 * The first record of the batch (at `header.position` in `batch`) for which
 * `accept(offset, timestamp)` holds, or null. Records of a LogAppendTime
 * batch all carry the batch's maxTimestamp, as Kafka reports them.
 */
export function findRecord(
  batch: Uint8Array,
  header: BatchHeader,
  accept: (offset: number, timestamp: number) => boolean,
  decompress?: Decompress,
): RecordTimestamp | null {
  const reader = new Reader(recordsOf(batch, header, decompress));
  const logAppendTime = timestampTypeIsLogAppend(header.attributes);
  for (let index = 0; index < header.recordCount && reader.remaining > 0; index++) {
    const length = reader.varint();
    const start = reader.position;
    reader.int8();
    const timestampDelta = reader.varlong();
    const offsetDelta = reader.varint();
    const offset = header.baseOffset + offsetDelta;
    const timestamp = logAppendTime ? header.maxTimestamp : header.baseTimestamp + timestampDelta;
    if (accept(offset, timestamp)) return { offset, timestamp };
    reader.position = start + length;
  }
  return null;
}

/** The marker a control batch carries (Kafka's EndTransactionMarker). */
export interface ControlMarker {
  /** 0 is ABORT, 1 is COMMIT; other types are not transaction markers. */
  type: number;
  /** The transaction coordinator's epoch, or -1 when the record has no marker value. */
  coordinatorEpoch: number;
}

export const CONTROL_TYPE_ABORT = 0;
export const CONTROL_TYPE_COMMIT = 1;

/**
 * The marker in the first record of a control batch, or null when the batch
 * has no records (the cleaner may have emptied it).
 */
export function readControlMarker(batch: Uint8Array, header: BatchHeader): ControlMarker | null {
  if (header.recordCount === 0) return null;
  const reader = new Reader(recordsOf(batch, header));
  reader.varint();
  reader.int8();
  reader.varlong();
  reader.varint();
  const keyLength = reader.varint();
  if (keyLength < 4) return null;
  const key = new Reader(reader.raw(keyLength));
  key.int16();
  const type = key.int16();
  const valueLength = reader.varint();
  if (valueLength < 6) return { type, coordinatorEpoch: -1 };
  const value = new Reader(reader.raw(valueLength));
  value.int16();
  return { type, coordinatorEpoch: value.int32() };
}
