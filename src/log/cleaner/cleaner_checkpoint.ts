/**
 * `cleaner-offset-checkpoint`: per compacted partition of a log directory,
 * the first offset the cleaner has not yet cleaned (the "first dirty
 * offset"). Kafka's offset checkpoint format, written atomically after each
 * cleaning round. A crash before the write only means the next round cleans
 * again what was cleaned already.
 */
import type { Disk } from "../../io/mod.ts";
import {
  readOffsetCheckpoint,
  topicPartitionKey,
  type TopicPartitionOffset,
  writeOffsetCheckpoint,
} from "../checkpoint_file.ts";
import { joinPath } from "../file_names.ts";

/** The checkpoint's file name at the top of a log directory. */
export const CLEANER_OFFSET_CHECKPOINT_FILE = "cleaner-offset-checkpoint";

/** The cleaner's checkpoint of one log directory, kept in memory and written through. */
export class CleanerCheckpoint {
  readonly path: string;
  readonly #disk: Disk;
  readonly #entries = new Map<string, TopicPartitionOffset>();

  constructor(disk: Disk, logDirectory: string, log?: (line: string) => void) {
    this.#disk = disk;
    this.path = joinPath(logDirectory, CLEANER_OFFSET_CHECKPOINT_FILE);
    try {
      for (const entry of readOffsetCheckpoint(disk, this.path)) {
        this.#entries.set(topicPartitionKey(entry.topic, entry.partition), entry);
      }
    } catch (error) {
      // Kafka treats an unreadable checkpoint as empty: every log is dirty from its start.
      log?.(`cannot read ${this.path} (${(error as Error).message}); cleaning from the log starts`);
    }
  }

  /** The partition's first dirty offset, if the checkpoint has one. */
  get(topic: string, partition: number): number | undefined {
    return this.#entries.get(topicPartitionKey(topic, partition))?.offset;
  }

  /** Records the partition's first dirty offset and writes the file. */
  set(topic: string, partition: number, offset: number): void {
    this.#entries.set(topicPartitionKey(topic, partition), { topic, partition, offset });
    this.#write();
  }

  /** Forgets a partition (its log was deleted) and writes the file. */
  remove(topic: string, partition: number): void {
    if (this.#entries.delete(topicPartitionKey(topic, partition))) this.#write();
  }

  #write(): void {
    const entries = [...this.#entries.values()].sort((left, right) =>
      left.topic.localeCompare(right.topic) || left.partition - right.partition
    );
    writeOffsetCheckpoint(this.#disk, this.path, entries);
  }
}
