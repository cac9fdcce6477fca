/**
 * What a disk error does to a partition (Kafka's maybeHandleIOException and
 * LogDirFailureChannel, at the grain of one partition).
 *
 * An I/O error or a full disk while a partition's log reads or writes takes
 * that log offline: its files are closed as they are, nothing more is written
 * to them, and every later request for the partition answers
 * KAFKA_STORAGE_ERROR. What the log held before stays on disk untouched, and
 * the next start recovers it as after a crash (the clean-shutdown marker is
 * not written while a log is offline). Kafka takes a whole log directory
 * offline, and with a single directory it stops the broker; Dafka keeps
 * serving the other partitions, which a failed append elsewhere cannot harm
 * (see docs/configuration.md, "Disk failures").
 */
import { DiskError } from "../io/mod.ts";
import { KafkaStorageError } from "./log_errors.ts";
import type { PartitionLog } from "./partition_log.ts";

/** Whether `error` means the disk failed: an error of the Disk, or a log already offline. */
export function isStorageFailure(error: unknown): error is DiskError | KafkaStorageError {
  return error instanceof DiskError || error instanceof KafkaStorageError;
}

/**
 * Runs `work` against `log`. A disk failure takes the log offline and is
 * thrown again as a KafkaStorageError; any other error passes through.
 */
export function guardStorage<T>(log: PartitionLog, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (!isStorageFailure(error)) throw error;
    if (error instanceof KafkaStorageError) throw error;
    log.markOffline(`${error.code}: ${error.message}`);
    throw new KafkaStorageError(`${log.topic}-${log.partition} is offline after ${error.message}`);
  }
}
