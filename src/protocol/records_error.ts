/**
 * Errors raised while reading or building records, carrying the Kafka error
 * code a broker reports for them, so a Produce handler can turn them into a
 * per-partition error instead of closing the connection.
 */
import { ErrorCode, KafkaError } from "./errors.ts";

/** The bytes are not a valid batch, message or compressed stream (CORRUPT_MESSAGE). */
export class CorruptRecordError extends KafkaError {
  constructor(message: string) {
    super(ErrorCode.CORRUPT_MESSAGE, message);
    this.name = "CorruptRecordError";
  }
}

/**
 * The codec cannot be used here, such as zstd in an old message format or an
 * unknown codec number (UNSUPPORTED_COMPRESSION_TYPE).
 */
export class UnsupportedCompressionError extends KafkaError {
  constructor(message: string) {
    super(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, message);
    this.name = "UnsupportedCompressionError";
  }
}
