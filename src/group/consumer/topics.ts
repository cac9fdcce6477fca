/**
 * The topic metadata the consumer group coordinator reads: topic name, id and
 * partition count. It comes in as an input on every call, so the coordinator
 * holds no reference to the metadata image and stays a pure state machine.
 */
import { uuidToString } from "../../protocol/mod.ts";

/** One topic as the coordinator sees it. */
export interface TopicInfo {
  name: string;
  /** The topic id in Kafka's printed form (22 characters). */
  topicId: string;
  partitionCount: number;
}

/** Looks topics up by name and by id (printed form). */
export interface TopicMetadataSource {
  topicByName(name: string): TopicInfo | undefined;
  topicById(topicId: string): TopicInfo | undefined;
}

/** A source over a fixed list of topics, for tests and the simulator. */
export function topicsFromList(topics: readonly TopicInfo[]): TopicMetadataSource {
  const byName = new Map(topics.map((topic) => [topic.name, topic]));
  const byId = new Map(topics.map((topic) => [topic.topicId, topic]));
  return {
    topicByName: (name) => byName.get(name),
    topicById: (topicId) => byId.get(topicId),
  };
}

/** The parts of `MetadataImage` (src/metadata/image.ts) this adapter reads. */
export interface TopicImageLike {
  name: string;
  topicId: Uint8Array;
  partitions: readonly unknown[];
}

/**
 * A source over the broker's metadata image: `topicsByName` keyed by name and
 * `topicsById` keyed by the printed topic id, as `MetadataImage` keeps them.
 */
export function topicsFromImage(image: {
  topicsByName: ReadonlyMap<string, TopicImageLike>;
  topicsById: ReadonlyMap<string, TopicImageLike>;
}): TopicMetadataSource {
  const convert = (topic: TopicImageLike | undefined): TopicInfo | undefined =>
    topic &&
    { name: topic.name, topicId: uuidToString(topic.topicId), partitionCount: topic.partitions.length };
  return {
    topicByName: (name) => convert(image.topicsByName.get(name)),
    topicById: (topicId) => convert(image.topicsById.get(topicId)),
  };
}
