/**
 * Validation of a produced batch before it is appended, as Kafka's
 * LogValidator does it, but from the batch header alone: records are not
 * decoded on the produce path. Each failure is the error code Kafka returns.
 */
import { ErrorCode } from "../protocol/errors.ts";
import {
  BATCH_HEADER_SIZE,
  batchCrcIsValid,
  type BatchHeader,
  isControl,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  readBatchHeader,
} from "../protocol/record_batch.ts";

export interface BatchLimits {
  maxMessageBytes: number;
  nowMs: number;
  /** message.timestamp.type is CreateTime (else LogAppendTime). */
  createTime: boolean;
  timestampBeforeMaxMs: number;
  timestampAfterMaxMs: number;
}

export type Validated =
  | { ok: true; header: BatchHeader }
  | { ok: false; errorCode: number; errorMessage: string };

function refuse(errorCode: number, errorMessage: string): Validated {
  return { ok: false, errorCode, errorMessage };
}

/** Checks that `bytes` is exactly one valid v2 batch that this topic accepts. */
export function validateProducedBatch(bytes: Uint8Array, limits: BatchLimits): Validated {
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
      `Record batch has ${header.recordCount} records but last offset delta ${header.lastOffsetDelta}`,
    );
  }
  if (isControl(header.attributes)) {
    return refuse(ErrorCode.INVALID_RECORD, "Clients may not produce control batches");
  }
  if (limits.createTime && header.maxTimestamp >= 0) {
    if (header.maxTimestamp - limits.nowMs > limits.timestampAfterMaxMs) {
      return refuse(ErrorCode.INVALID_TIMESTAMP, `Timestamp ${header.maxTimestamp} is too far in the future`);
    }
    if (limits.nowMs - header.baseTimestamp > limits.timestampBeforeMaxMs) {
      return refuse(ErrorCode.INVALID_TIMESTAMP, `Timestamp ${header.baseTimestamp} is too far in the past`);
    }
  }
  return { ok: true, header };
}
