/**
 * A metadata image as one canonical string, for comparing images of
 * different nodes (or a node's with the one the history replays to).
 * Maps are sorted, so the order in which a node happened to insert
 * entries (a snapshot's order or the log's) does not matter; the count of
 * applied records is left out, since a node that loaded a snapshot counts
 * differently from one that replayed the log.
 */
import type { MetadataImage } from "../../../src/metadata/mod.ts";
import { uuidToString } from "../../../src/protocol/mod.ts";

function sortedEntries<V>(map: ReadonlyMap<string | number, V>): [string | number, V][] {
  return [...map.entries()].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
}

/** The image as a canonical string: equal images give equal strings. */
export function describeImage(image: MetadataImage): string {
  const topics = sortedEntries(image.topicsByName).map(([name, topic]) => [
    name,
    topic.topicIdString,
    topic.partitions.map((partition) =>
      partition === undefined ? null : [
        partition.partition,
        partition.replicas,
        partition.isr,
        partition.leader,
        partition.leaderEpoch,
        partition.partitionEpoch,
      ]
    ),
  ]);
  const topicIds = [...image.topicsById.keys()].sort();
  const configs = sortedEntries(image.configs).map(([key, entries]) => [key, sortedEntries(entries)]);
  const brokers = sortedEntries(image.brokers).map(([id, broker]) => [
    id,
    broker.brokerEpoch,
    uuidToString(broker.incarnationId),
    broker.endPoints,
    broker.rack,
    broker.fenced,
    broker.inControlledShutdown,
  ]);
  return JSON.stringify({
    topics,
    topicIds,
    configs,
    brokers,
    features: sortedEntries(image.features),
    nextProducerId: image.nextProducerId,
  });
}

/** A short human summary of an image (for failure messages). */
export function summarizeImage(image: MetadataImage): string {
  const topics = [...image.topicsByName.values()].map((topic) => `${topic.name}/${topic.partitions.length}`);
  return `${topics.length} topics [${topics.sort().join(" ")}], ${image.brokers.size} brokers`;
}
