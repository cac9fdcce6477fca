/**
 * A metadata image as records, for snapshots of the metadata log: applying
 * `imageToRecords(image)` to an empty image rebuilds an equal one. The order
 * is Kafka's snapshot order: feature levels (metadata.version first, since a
 * reader needs it before anything else), brokers, topics with their
 * partitions, configs, producer ids.
 *
 * Each map is walked in its insertion order, so that the rebuilt image also
 * iterates topics and brokers in the same order as the original, and the
 * controller's decisions (which walk those maps) write the same records.
 */
import { MetadataImage } from "./image.ts";
import { type MetadataRecord, MetadataRecordType } from "./records.ts";

const METADATA_VERSION = "metadata.version";

/** Records that rebuild `image` from an empty image. */
export function imageToRecords(image: MetadataImage): MetadataRecord[] {
  return [
    ...featureRecords(image),
    ...brokerRecords(image),
    ...topicRecords(image),
    ...configRecords(image),
    ...producerIdRecords(image),
  ];
}

/**
 * Rebuilds an image from snapshot records. Applying them counts only the
 * snapshot's own records, so `recordsApplied` is set afterwards to the
 * position the snapshot stands for (`image.recordsApplied` when it was
 * taken): the count then keeps growing across restarts, as ApiVersions'
 * finalized features epoch must.
 */
export function imageFromSnapshot(records: Iterable<MetadataRecord>, recordsApplied: number): MetadataImage {
  const image = new MetadataImage();
  for (const record of records) image.apply(record);
  image.recordsApplied = recordsApplied;
  return image;
}

function featureRecords(image: MetadataImage): MetadataRecord[] {
  const names = [...image.features.keys()];
  const ordered = names.includes(METADATA_VERSION)
    ? [METADATA_VERSION, ...names.filter((name) => name !== METADATA_VERSION)]
    : names;
  return ordered.map((name) => ({
    type: MetadataRecordType.FeatureLevel,
    name,
    featureLevel: image.features.get(name)!,
  }));
}

function brokerRecords(image: MetadataImage): MetadataRecord[] {
  return [...image.brokers.values()].map((broker) => ({
    type: MetadataRecordType.RegisterBroker,
    brokerId: broker.brokerId,
    brokerEpoch: broker.brokerEpoch,
    incarnationId: broker.incarnationId,
    endPoints: broker.endPoints.map((endPoint) => ({ ...endPoint })),
    rack: broker.rack,
    fenced: broker.fenced,
    inControlledShutdown: broker.inControlledShutdown,
  }));
}

function topicRecords(image: MetadataImage): MetadataRecord[] {
  const records: MetadataRecord[] = [];
  for (const topic of image.topicsById.values()) {
    records.push({ type: MetadataRecordType.Topic, name: topic.name, topicId: topic.topicId });
    // forEach skips holes, so a partition array with gaps rebuilds with the same gaps.
    topic.partitions.forEach((partition) =>
      records.push({
        type: MetadataRecordType.Partition,
        topicId: topic.topicId,
        partitionId: partition.partition,
        replicas: [...partition.replicas],
        isr: [...partition.isr],
        leader: partition.leader,
        leaderEpoch: partition.leaderEpoch,
        partitionEpoch: partition.partitionEpoch,
        leaderRecoveryState: partition.leaderRecoveryState,
      })
    );
  }
  return records;
}

function configRecords(image: MetadataImage): MetadataRecord[] {
  const records: MetadataRecord[] = [];
  for (const [key, entries] of image.configs) {
    // Keys are "resourceType:resourceName"; the type is digits, so the first colon splits them.
    const colon = key.indexOf(":");
    const resourceType = Number(key.slice(0, colon));
    const resourceName = key.slice(colon + 1);
    for (const [name, value] of entries) {
      records.push({ type: MetadataRecordType.Config, resourceType, resourceName, name, value });
    }
  }
  return records;
}

/**
 * The image keeps only the next producer id, not which broker took the last
 * block, so the record names no broker (-1); replay reads only the id.
 */
function producerIdRecords(image: MetadataImage): MetadataRecord[] {
  if (image.nextProducerId === 0) return [];
  return [{
    type: MetadataRecordType.ProducerIds,
    brokerId: -1,
    brokerEpoch: -1,
    nextProducerId: image.nextProducerId,
  }];
}
