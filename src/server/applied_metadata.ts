/**
 * The metadata image this node has applied from the Raft quorum, and the
 * requests waiting for it to show something.
 *
 * It exists before the quorum (which applies to it) and before the broker
 * (which follows it): the node builds it first, hands `applier` to the
 * quorum, and the broker subscribes to its changes. Each committed batch
 * reports which topics it touched and which it deleted, so that partition
 * logs and the group coordinator can follow.
 */
import type { Clock } from "../io/mod.ts";
import { imageToRecords, MetadataImage, type MetadataRecord, MetadataRecordType } from "../metadata/mod.ts";
import { uuidToString } from "../protocol/mod.ts";
import { MetadataWaiters } from "./metadata_waiters.ts";
import type { MetadataApplier } from "./raft_driver/mod.ts";

/** What one applied batch (or loaded snapshot) changed. */
export interface MetadataChange {
  /** Topics whose partitions may differ now (created, changed, deleted). */
  topics: Set<string>;
  /** Topics deleted by this batch, with their partition counts. */
  deleted: { name: string; partitions: number }[];
  /** Whether a snapshot replaced the whole image. */
  snapshot: boolean;
}

export class AppliedMetadata {
  /** The image as applied (replaced whole when a snapshot loads). */
  image = new MetadataImage();
  readonly waiters: MetadataWaiters;
  #listener: (change: MetadataChange) => void = () => {};

  constructor(clock: Clock) {
    this.waiters = new MetadataWaiters(clock);
  }

  /** Sets the one listener of changes (the broker's). */
  onChange(listener: (change: MetadataChange) => void): void {
    this.#listener = listener;
  }

  /** What the quorum applies committed metadata to. */
  readonly applier: MetadataApplier = {
    loadSnapshot: (records) => {
      const topics = new Set(this.image.topicsByName.keys());
      this.image = new MetadataImage();
      for (const record of records) this.image.apply(record);
      for (const name of this.image.topicsByName.keys()) topics.add(name);
      this.#changed({ topics, deleted: [], snapshot: true });
    },
    apply: (records) => {
      const change: MetadataChange = { topics: new Set(), deleted: [], snapshot: false };
      for (const record of records) this.#apply(record, change);
      this.#changed(change);
    },
    snapshotRecords: () => imageToRecords(this.image),
  };

  #apply(record: MetadataRecord, change: MetadataChange): void {
    const removed = record.type === MetadataRecordType.RemoveTopic
      ? this.image.topicsById.get(uuidToString(record.topicId))
      : undefined;
    this.image.apply(record);
    if (record.type === MetadataRecordType.Partition || record.type === MetadataRecordType.PartitionChange) {
      const topic = this.image.topicsById.get(uuidToString(record.topicId));
      if (topic) change.topics.add(topic.name);
    }
    if (removed) {
      change.topics.add(removed.name);
      change.deleted.push({ name: removed.name, partitions: removed.partitions.length });
    }
  }

  #changed(change: MetadataChange): void {
    this.#listener(change);
    this.waiters.notify();
  }
}
