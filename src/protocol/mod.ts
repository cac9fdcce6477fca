/**
 * Kafka's wire format: primitives, request and response headers, the generic codec over the schemas of
 * messages/, record batches and records, legacy message sets, CRC32C, KRaft metadata records, UUIDs and
 * Kafka's error codes.
 *
 * This file is the folder's public face: other folders import from it, not from its files.
 */
export {
  API_SCHEMAS,
  decodeRequest,
  decodeRequestBody,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  isFlexible,
  type RequestInputForKey,
  type ResponseForKey,
  responseHeaderIsFlexible,
} from "./apis.ts";
export { decodeFields, defaultOf, encodeFields, type Message } from "./codec.ts";
export { crc32c } from "./crc32c.ts";
export { ErrorCode, KafkaError } from "./errors.ts";
export { readRequestHeader, type RequestHeader, skipTaggedFields } from "./header.ts";
export { convertBatchesToMessageSet, convertMessageSetToBatch } from "./message_set.ts";
export { messagesOfEntry, readLegacyEntry } from "./message_set_decode.ts";
export {
  type ElementOf,
  type MessageInputOf,
  type MessageOf,
  type RequestInput,
  type RequestOf,
  type ResponseInput,
  type ResponseOf,
  type UnknownFields,
} from "./message_types.ts";
export {
  decodeMetadataRecord,
  encodeMetadataRecord,
  type MetadataRecordInput,
  MetadataRecordType,
  type MetadataRecordTypeId,
  type MetadataRecordValue,
} from "./metadata_records.ts";
export { ProtocolError, Reader } from "./reader.ts";
export {
  assignOffsets,
  BATCH_HEADER_SIZE,
  batchCrcIsValid,
  type BatchHeader,
  batchSize,
  Compression,
  compressionOf,
  isControl,
  isTransactional,
  lastOffset,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  NO_TIMESTAMP,
  readBatchHeader,
  scanBatches,
  sealBatch,
  setCreateTimeMaxTimestamp,
  setLogAppendTime,
  timestampTypeIsLogAppend,
} from "./record_batch.ts";
export {
  buildBatch,
  ControlRecordType,
  decodeBatch,
  decodeBatches,
  type DecodedBatch,
  type DecodedRecord,
  decodeRecords,
  readControlRecordType,
  type RecordHeader,
  type RecordInput,
  TimestampType,
} from "./records.ts";
export { CorruptRecordError, UnsupportedCompressionError } from "./records_error.ts";
export { scanRecordHeads } from "./records_scan.ts";
export {
  type ApiSchema,
  arrayOf,
  type Field,
  field,
  type FieldType,
  inRange,
  parseRange,
  struct,
  structs,
} from "./schema.ts";
export { randomUuid, uuidFromString, uuidToString, ZERO_UUID } from "./uuid.ts";
export { Writer } from "./writer.ts";
