/**
 * Records inside v2 batches: decoding (with decompression) and building.
 * The batch header itself lives in record_batch.ts; old message formats in
 * message_set.ts.
 */
export { buildBatch, type BuildBatchOptions } from "./records_build.ts";
export {
  decodeBatch,
  decodeBatches,
  type DecodedBatch,
  type DecodeOptions,
  decodeRecords,
} from "./records_decode.ts";
export { CorruptRecordError, UnsupportedCompressionError } from "./records_error.ts";
export { type DecodedRecord, type RecordHeader, type RecordInput, TimestampType } from "./records_types.ts";
export { ControlRecordType, readControlRecordType } from "./records_control.ts";
export { decodeRecordSet } from "./records_mixed.ts";
