/**
 * Committed offsets by group, topic and partition: the coordinator's view of
 * what `__consumer_offsets` holds (the latest value of every offset key).
 */
import type { OffsetCommitValue } from "./offsets_topic_records.ts";

/** One stored offset with its coordinates. */
export interface StoredOffset {
  topic: string;
  partition: number;
  value: OffsetCommitValue;
}

export class OffsetStore {
  readonly #byGroup = new Map<string, Map<string, Map<number, OffsetCommitValue>>>();
  #count = 0;

  /** How many offsets are stored, over all groups. */
  get size(): number {
    return this.#count;
  }

  get(groupId: string, topic: string, partition: number): OffsetCommitValue | undefined {
    return this.#byGroup.get(groupId)?.get(topic)?.get(partition);
  }

  put(groupId: string, topic: string, partition: number, value: OffsetCommitValue): void {
    let topics = this.#byGroup.get(groupId);
    if (!topics) this.#byGroup.set(groupId, topics = new Map());
    let partitions = topics.get(topic);
    if (!partitions) topics.set(topic, partitions = new Map());
    if (!partitions.has(partition)) this.#count++;
    partitions.set(partition, value);
  }

  /** Deletes one offset; returns whether it was there. */
  delete(groupId: string, topic: string, partition: number): boolean {
    const topics = this.#byGroup.get(groupId);
    const partitions = topics?.get(topic);
    if (!topics || !partitions || !partitions.delete(partition)) return false;
    this.#count--;
    if (partitions.size === 0) topics.delete(topic);
    if (topics.size === 0) this.#byGroup.delete(groupId);
    return true;
  }

  hasOffsets(groupId: string): boolean {
    return this.#byGroup.has(groupId);
  }

  /** A group's offsets grouped by topic, in commit order of first appearance. */
  topicsOf(groupId: string): ReadonlyMap<string, ReadonlyMap<number, OffsetCommitValue>> {
    return this.#byGroup.get(groupId) ?? new Map();
  }

  /** Every offset of a group, flattened. */
  offsetsOf(groupId: string): StoredOffset[] {
    const found: StoredOffset[] = [];
    for (const [topic, partitions] of this.topicsOf(groupId)) {
      for (const [partition, value] of partitions) found.push({ topic, partition, value });
    }
    return found;
  }

  /** Every group with offsets. */
  groupIds(): IterableIterator<string> {
    return this.#byGroup.keys();
  }

  /** Every group's offsets for some partitions of a topic (to delete them when the topic goes). */
  offsetsOfTopicPartitions(
    topic: string,
    partitions: ReadonlySet<number>,
  ): (StoredOffset & { groupId: string })[] {
    const found: (StoredOffset & { groupId: string })[] = [];
    for (const [groupId, topics] of this.#byGroup) {
      for (const [partition, value] of topics.get(topic) ?? []) {
        if (partitions.has(partition)) found.push({ groupId, topic, partition, value });
      }
    }
    return found;
  }
}
