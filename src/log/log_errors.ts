import { ErrorCode } from "../protocol/mod.ts";

/**
 * The Kafka error codes the log answers with: the node's one table. They are
 * data in a result, not exceptions: the request handler puts them in the
 * response for the partition.
 */
export const LogErrorCode = ErrorCode;

/** A fetch or read asked for an offset outside [logStartOffset, logEndOffset]. */
export class OffsetOutOfRangeError extends Error {
  readonly errorCode = LogErrorCode.OFFSET_OUT_OF_RANGE;
  constructor(readonly offset: number, readonly logStartOffset: number, readonly logEndOffset: number) {
    super(`offset ${offset} is outside the log's range [${logStartOffset}, ${logEndOffset}]`);
    this.name = "OffsetOutOfRangeError";
  }
}

/**
 * The log stopped after a disk error (Kafka's KafkaStorageException): the
 * partition answers KAFKA_STORAGE_ERROR until the node restarts and recovers it.
 */
export class KafkaStorageError extends Error {
  readonly errorCode = LogErrorCode.KAFKA_STORAGE_ERROR;
  constructor(message: string) {
    super(message);
    this.name = "KafkaStorageError";
  }
}
