/**
 * The Kafka error codes the log answers with (values from Kafka's Errors).
 * They are data in a result, not exceptions: the request handler puts them
 * in the response for the partition.
 */
export const LogErrorCode = {
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  RECORD_LIST_TOO_LARGE: 18,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  INVALID_PRODUCER_EPOCH: 47,
  INVALID_TXN_STATE: 48,
  TRANSACTION_COORDINATOR_FENCED: 52,
  KAFKA_STORAGE_ERROR: 56,
} as const;

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
