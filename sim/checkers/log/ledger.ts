/**
 * What the workload tried to write: every batch sent, with its records'
 * exact content, its producer id, epoch and sequence, and how its attempts
 * ended. A record in the log is legitimate only if it is in the ledger.
 */
import type { SentRecord } from "../../scenarios/node/records.ts";

/** A batch some producer sent (possibly several times, always with the same bytes). */
export interface AttemptedBatch {
  batchId: string;
  topic: string;
  partition: number;
  /** -1 for a producer without idempotence. */
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  records: SentRecord[];
  /** Every record's timestamp; -1 when they carry none. */
  timestampMs: number;
  /** The MaxTimestamp the producer wrote in the batch header (librdkafka writes 0 for records without one). */
  headerMaxTimestampMs: number;
  /** Sent with acks=0, or some attempt ended without an answer: it may or may not be in the log. */
  inDoubt: boolean;
  /** Some attempt was answered with an error: that attempt was not appended. */
  refused: boolean;
  /** Some attempt was acknowledged. */
  acknowledged: boolean;
  /** How many times it was sent. */
  attempts: number;
}

/** The batches a run sent, by id and by record id. */
export class Ledger {
  readonly #batches = new Map<string, AttemptedBatch>();

  /** Registers a new batch (before its first attempt). */
  add(batch: AttemptedBatch): void {
    if (this.#batches.has(batch.batchId)) throw new Error(`batch ${batch.batchId} registered twice`);
    this.#batches.set(batch.batchId, batch);
  }

  /** The batch with this id. */
  batch(batchId: string): AttemptedBatch | undefined {
    return this.#batches.get(batchId);
  }

  /** The batch a record id belongs to and the record's index in it. */
  locate(recordId: string): { batch: AttemptedBatch; index: number } | undefined {
    const slash = recordId.lastIndexOf("/");
    if (slash < 0) return undefined;
    const batch = this.#batches.get(recordId.slice(0, slash));
    const index = Number(recordId.slice(slash + 1));
    if (batch === undefined || !Number.isInteger(index) || batch.records[index]?.id !== recordId) {
      return undefined;
    }
    return { batch, index };
  }

  /** Every batch, in the order they were registered. */
  all(): IterableIterator<AttemptedBatch> {
    return this.#batches.values();
  }
}
