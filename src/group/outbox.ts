/**
 * What the coordinator hands its driver, in the etcd-raft `Ready` manner:
 * records to append to `__consumer_offsets` and responses to deliver.
 *
 * The order is the contract: the driver appends every write of a `Ready`,
 * reports each one's outcome with `writeCompleted`, and only then delivers
 * that `Ready`'s responses. A response that depends on a write (an offset
 * commit's acknowledgement) is produced by the write's completion, so it
 * comes in a later `Ready`, after the write is durable.
 */
import type { OffsetsTopicRecord } from "./offsets_topic_records.ts";

/** Records for one `__consumer_offsets` partition, appended as one unit. */
export interface Write {
  writeId: number;
  partition: number;
  records: OffsetsTopicRecord[];
}

/** A response for the request the driver numbered `replyId`. */
export interface Reply {
  replyId: number;
  response: unknown;
}

export interface Ready {
  writes: Write[];
  replies: Reply[];
}

/** Called with 0 when a write is durable, or the Kafka error code of its failure. */
export type WriteContinuation = (errorCode: number) => void;

export class Outbox {
  #writes: Write[] = [];
  #replies: Reply[] = [];
  readonly #continuations = new Map<number, WriteContinuation>();
  #nextWriteId = 1;

  /** Writes handed out and not yet completed. */
  get writesInFlight(): number {
    return this.#continuations.size;
  }

  reply(replyId: number, response: unknown): void {
    this.#replies.push({ replyId, response });
  }

  /** Queues records for `partition`; `then` runs when the driver reports the outcome. */
  write(partition: number, records: OffsetsTopicRecord[], then: WriteContinuation): void {
    if (records.length === 0) throw new Error("a write needs at least one record");
    const writeId = this.#nextWriteId++;
    this.#writes.push({ writeId, partition, records });
    this.#continuations.set(writeId, then);
  }

  /** Everything queued since the last call. */
  take(): Ready {
    const ready = { writes: this.#writes, replies: this.#replies };
    this.#writes = [];
    this.#replies = [];
    return ready;
  }

  /** Runs the continuation of `writeId`. */
  complete(writeId: number, errorCode: number): void {
    const then = this.#continuations.get(writeId);
    if (!then) throw new Error(`write ${writeId} is not in flight`);
    this.#continuations.delete(writeId);
    then(errorCode);
  }
}
