/**
 * A compacted topic refuses records without a key (Kafka's LogValidator,
 * KIP-467 record errors): compaction keeps the latest record per key, and a
 * record without one could never be found again. This is the only place the
 * produce path decodes records, and only for compacted topics.
 */
import type { BatchHeader } from "../../protocol/record_batch.ts";
import { decodeRecords } from "../../protocol/records.ts";

/** One refused record: its index in the batch and why. */
export interface RecordError {
  batchIndex: number;
  message: string;
}

/**
 * The records of the batch (header at `header.position` in `bytes`) that
 * have no key, with Kafka's message. Throws CorruptRecordError (or
 * UnsupportedCompressionError) when the records cannot be decoded.
 */
export function recordsWithoutKey(
  bytes: Uint8Array,
  header: BatchHeader,
  topicPartition: string,
): RecordError[] {
  const errors: RecordError[] = [];
  decodeRecords(bytes, header).forEach((record, batchIndex) => {
    if (record.key === null) {
      errors.push({
        batchIndex,
        message: `Compacted topic cannot accept message without key in topic partition ${topicPartition}.`,
      });
    }
  });
  return errors;
}

/** The partition-level message for refused records, naming at most the first three. */
export function describeRecordErrors(errors: readonly RecordError[]): string {
  const shown = errors.slice(0, 3).map((error) => `record ${error.batchIndex}: ${error.message}`).join("; ");
  return `${errors.length} record(s) refused${errors.length > 3 ? ", the first three" : ""}: ${shown}`;
}
