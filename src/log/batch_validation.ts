/**
 * Validation of a client's batch before it is appended, as Kafka's
 * LogValidator does it for magic v2:
 *
 * - the header: size, CRC32C, offset range against the record count, no
 *   control batches, a sequence number for every producer id;
 * - every record: its offset delta, its key on a compacted topic, its
 *   timestamp against `message.timestamp.before/after.max.ms`;
 * - the batch's maxTimestamp is recomputed from the records and written back
 *   (with a new CRC) when the client's differs, or set to now under
 *   LogAppendTime. Retention, the time index and ListOffsets read that field,
 *   so a client's claim (librdkafka writes 0 when its records carry -1) must
 *   never reach the log.
 *
 * The records are walked, not decoded: only the few fields above are read
 * (src/protocol/records_scan.ts), and the bytes are appended as they came.
 * Each failure is the error code Kafka returns, with per-record errors
 * (KIP-467) where Kafka gives them.
 */
import {
  BATCH_HEADER_SIZE,
  batchCrcIsValid,
  type BatchHeader,
  Compression,
  compressionOf,
  CorruptRecordError,
  ErrorCode,
  isControl,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  NO_TIMESTAMP,
  readBatchHeader,
  scanRecordHeads,
  setCreateTimeMaxTimestamp,
  setLogAppendTime,
  timestampTypeIsLogAppend,
  UnsupportedCompressionError,
} from "../protocol/mod.ts";

/** The topic's settings and the time the batch is checked against. */
export interface BatchLimits {
  maxMessageBytes: number;
  nowMs: number;
  /** message.timestamp.type is CreateTime (else LogAppendTime). */
  createTime: boolean;
  timestampBeforeMaxMs: number;
  timestampAfterMaxMs: number;
  /** cleanup.policy includes compact: every record needs a key. */
  compacted: boolean;
  /** "topic-partition", for messages. */
  topicPartition: string;
  /** The Produce request's version: zstd needs v7 or later (KIP-110), as older clients cannot read it back. */
  produceVersion: number;
}

/** One refused record: its index in the batch and why (KIP-467). */
export interface RecordError {
  batchIndex: number;
  message: string;
}

/** Why a batch was refused: Kafka's error code, its message, and the records at fault. */
export interface Refused {
  ok: false;
  errorCode: number;
  errorMessage: string;
  recordErrors: RecordError[];
}

export type Validated = { ok: true; header: BatchHeader } | Refused;

function refuse(errorCode: number, errorMessage: string, recordErrors: RecordError[] = []): Refused {
  return { ok: false, errorCode, errorMessage, recordErrors };
}

/**
 * Checks that `bytes` is exactly one valid v2 batch that this topic accepts,
 * and rewrites its maxTimestamp (and CRC) to what Kafka stores. On success
 * the returned header describes the bytes as they are now.
 */
export function validateProducedBatch(bytes: Uint8Array, limits: BatchLimits): Validated {
  const checked = checkHeader(bytes, limits);
  if (!checked.ok) return checked;
  const header = checked.header;
  const walked = checkRecords(bytes, header, limits);
  if (!walked.ok) return walked;
  if (!limits.createTime) {
    setLogAppendTime(bytes, header, limits.nowMs);
  } else if (walked.maxTimestamp !== header.maxTimestamp || timestampTypeIsLogAppend(header.attributes)) {
    setCreateTimeMaxTimestamp(bytes, header, walked.maxTimestamp);
  }
  return { ok: true, header: readBatchHeader(bytes, 0) };
}

/** The header-only checks, in Kafka's order; no record is read. */
function checkHeader(bytes: Uint8Array, limits: BatchLimits): Validated {
  if (bytes.length < BATCH_HEADER_SIZE) {
    return refuse(
      ErrorCode.CORRUPT_MESSAGE,
      `Record batch of ${bytes.length} bytes is shorter than its header`,
    );
  }
  const magic = bytes[MAGIC_OFFSET]!;
  if (magic !== 2) {
    return refuse(
      ErrorCode.INVALID_RECORD,
      `Produce requests with version 3 and above must use magic 2, not ${magic}`,
    );
  }
  const header = readBatchHeader(bytes, 0);
  const size = LOG_OVERHEAD + header.batchLength;
  if (header.batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD || size > bytes.length) {
    return refuse(
      ErrorCode.CORRUPT_MESSAGE,
      `Record batch length ${header.batchLength} does not match the bytes sent`,
    );
  }
  if (size < bytes.length) {
    return refuse(
      ErrorCode.INVALID_RECORD,
      "Produce requests must contain exactly one record batch per partition",
    );
  }
  if (size > limits.maxMessageBytes) {
    return refuse(
      ErrorCode.MESSAGE_TOO_LARGE,
      `The record batch of ${size} bytes is larger than the maximum allowed (max.message.bytes=${limits.maxMessageBytes})`,
    );
  }
  if (!batchCrcIsValid(bytes, header)) {
    return refuse(ErrorCode.CORRUPT_MESSAGE, "Record batch CRC32C does not match its contents");
  }
  if (header.recordCount <= 0 || header.lastOffsetDelta !== header.recordCount - 1) {
    return refuse(
      ErrorCode.INVALID_RECORD,
      `Inconsistent batch offset range [0, ${header.lastOffsetDelta}] and count of records ${header.recordCount} in topic partition ${limits.topicPartition}`,
    );
  }
  if (isControl(header.attributes)) {
    return refuse(
      ErrorCode.INVALID_RECORD,
      `Clients are not allowed to write control records in topic partition ${limits.topicPartition}`,
    );
  }
  if (compressionOf(header.attributes) === Compression.Zstd && limits.produceVersion < 7) {
    return refuse(
      ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
      `Produce requests with version ${limits.produceVersion} cannot carry zstd batches (version 7 or later can)`,
    );
  }
  if (!Number.isSafeInteger(header.producerId)) {
    // The header's int64s become numbers: a producer id beyond 2^53 was never handed out and would be rounded.
    return refuse(
      ErrorCode.INVALID_RECORD,
      `Producer id out of range in topic partition ${limits.topicPartition}`,
    );
  }
  if (!Number.isSafeInteger(header.baseTimestamp) || !Number.isSafeInteger(header.maxTimestamp)) {
    return refuse(
      ErrorCode.INVALID_TIMESTAMP,
      `Batch timestamps beyond ±2^53 ms in topic partition ${limits.topicPartition}`,
    );
  }
  if (header.producerId >= 0 && header.baseSequence < 0) {
    return refuse(
      ErrorCode.INVALID_RECORD,
      `Invalid sequence number ${header.baseSequence} in record batch with producerId ${header.producerId} in topic partition ${limits.topicPartition}`,
    );
  }
  return { ok: true, header };
}

type Walked = { ok: true; maxTimestamp: number } | Refused;

/** Walks the records: offsets, keys and timestamps, and the largest timestamp among them. */
function checkRecords(bytes: Uint8Array, header: BatchHeader, limits: BatchLimits): Walked {
  const logAppendTimeBatch = timestampTypeIsLogAppend(header.attributes);
  const earliest = limits.nowMs - limits.timestampBeforeMaxMs;
  const latest = limits.nowMs + limits.timestampAfterMaxMs;
  const errors: RecordError[] = [];
  let invalidTimestamp = false;
  let offsetsInOrder = true;
  let maxTimestamp = NO_TIMESTAMP;
  try {
    scanRecordHeads(bytes, header, (record) => {
      if (record.offsetDelta !== record.index) offsetsInOrder = false;
      const timestamp = logAppendTimeBatch
        ? header.maxTimestamp
        : header.baseTimestamp + record.timestampDelta;
      if (!Number.isSafeInteger(timestamp)) {
        // Beyond 2^53 ms (year 287,000) a timestamp cannot be held exactly: refused, never rounded.
        invalidTimestamp = true;
        errors.push({
          batchIndex: record.index,
          message: `Timestamp of message with offset ${record.index} is beyond ±2^53 ms`,
        });
        return;
      }
      if (timestamp > maxTimestamp) maxTimestamp = timestamp;
      if (limits.compacted && !record.hasKey) {
        errors.push({
          batchIndex: record.index,
          message:
            `Compacted topic cannot accept message without key in topic partition ${limits.topicPartition}.`,
        });
      } else if (limits.createTime && timestamp !== NO_TIMESTAMP) {
        if (timestamp < earliest || timestamp > latest) {
          invalidTimestamp = true;
          errors.push({
            batchIndex: record.index,
            message:
              `Timestamp ${timestamp} of message with offset ${record.index} is out of range. The timestamp should be within [${earliest}, ${latest}]`,
          });
        }
      } else if (logAppendTimeBatch) {
        invalidTimestamp = true;
        errors.push({
          batchIndex: record.index,
          message:
            "Invalid timestamp type in message. Producer should not set timestamp type to LogAppendTime.",
        });
      }
    });
  } catch (error) {
    if (error instanceof CorruptRecordError || error instanceof UnsupportedCompressionError) {
      return refuse(error.code, `${error.message} in topic partition ${limits.topicPartition}`);
    }
    throw error;
  }
  if (errors.length > 0) {
    return invalidTimestamp
      ? refuse(
        ErrorCode.INVALID_TIMESTAMP,
        "One or more records have been rejected due to invalid timestamp",
        errors,
      )
      : refuse(ErrorCode.INVALID_RECORD, describeRecordErrors(errors), errors);
  }
  // Kafka rebuilds such a batch with fresh offsets; Dafka appends bytes as they came, so it refuses it.
  if (!offsetsInOrder) {
    return refuse(
      ErrorCode.INVALID_RECORD,
      `The records' offset deltas are not 0 to ${header.lastOffsetDelta} in order in topic partition ${limits.topicPartition}`,
    );
  }
  return { ok: true, maxTimestamp };
}

/** The partition-level message for refused records, naming at most the first three, as Kafka does. */
export function describeRecordErrors(errors: readonly RecordError[]): string {
  const shown = errors.slice(0, 3).map((error) => `record ${error.batchIndex}: ${error.message}`).join("; ");
  return `One or more records have been rejected due to ${errors.length} record errors in total, and only showing the first three errors at most: ${shown}`;
}
