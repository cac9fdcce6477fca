/**
 * Adopting partition folders the metadata log does not know, as found in a
 * log directory written by Kafka in ZooKeeper mode (where topics lived in
 * ZooKeeper, not in the log directory). Each topic is inferred from its
 * `<topic>-<partition>` folders: its id from `partition.metadata` when Kafka
 * 2.8+ wrote one, its partition count from the highest partition found. The
 * records make the topics Dafka's own, led by this node.
 */
import { topicNameProblem } from "./topic_names.ts";
import type { MetadataImage } from "./image.ts";
import { ConfigResourceType, type MetadataRecord, MetadataRecordType } from "./records.ts";

export interface PartitionFolder {
  topic: string;
  partition: number;
  /** From partition.metadata, when present. */
  topicId: Uint8Array | null;
  /** The latest leader epoch in the folder's leader-epoch-checkpoint (-1 when none). */
  latestEpoch: number;
}

/** Kafka's internal topics are compacted; their folders say nothing about it. */
const INTERNAL_TOPIC_CONFIGS: Record<string, Record<string, string>> = {
  "__consumer_offsets": {
    "cleanup.policy": "compact",
    "compression.type": "producer",
    "segment.bytes": "104857600",
  },
  "__transaction_state": {
    "cleanup.policy": "compact",
    "compression.type": "uncompressed",
    "segment.bytes": "104857600",
  },
};

/** Records adopting every folder's topic that the image lacks; folders with invalid names are skipped. */
export function decideAdoption(
  image: MetadataImage,
  folders: PartitionFolder[],
  nodeId: number,
  newTopicId: () => Uint8Array,
): MetadataRecord[] {
  const byTopic = new Map<string, PartitionFolder[]>();
  for (const folder of folders) {
    if (image.topicsByName.has(folder.topic) || topicNameProblem(folder.topic)) continue;
    const list = byTopic.get(folder.topic) ?? [];
    list.push(folder);
    byTopic.set(folder.topic, list);
  }
  const records: MetadataRecord[] = [];
  for (const [name, list] of [...byTopic].sort(([left], [right]) => left.localeCompare(right))) {
    const topicId = list.find((folder) => folder.topicId !== null)?.topicId ?? newTopicId();
    records.push({ type: MetadataRecordType.Topic, name, topicId });
    for (const [key, value] of Object.entries(INTERNAL_TOPIC_CONFIGS[name] ?? {})) {
      records.push({
        type: MetadataRecordType.Config,
        resourceType: ConfigResourceType.Topic,
        resourceName: name,
        name: key,
        value,
      });
    }
    const count = Math.max(...list.map((folder) => folder.partition)) + 1;
    for (let partitionId = 0; partitionId < count; partitionId++) {
      // Leadership moves to this node: a new epoch above any the folder's batches carry.
      const latestEpoch = list.find((folder) => folder.partition === partitionId)?.latestEpoch ?? -1;
      records.push({
        type: MetadataRecordType.Partition,
        partitionId,
        topicId,
        replicas: [nodeId],
        isr: [nodeId],
        leader: nodeId,
        leaderEpoch: latestEpoch + 1,
        partitionEpoch: 0,
      });
    }
  }
  return records;
}
