/**
 * DescribeTopicPartitions (key 75), v0 (KIP-966): topics with their
 * partitions' leader, epoch, replicas, ISR, eligible leader replicas, last
 * known ELR and offline replicas, paged as Kafka's
 * DescribeTopicPartitionsRequestHandler does:
 *
 * - topics are taken in name order, from the cursor's topic on (an empty list
 *   asks for every topic; a named list must hold the cursor's topic, and the
 *   cursor's partition must not be negative, else INVALID_REQUEST for every
 *   topic named);
 * - at most min(`responsePartitionLimit`, `max.request.partition.size.limit`)
 *   partitions (at least 1) go in one answer; when a topic is cut short,
 *   `nextCursor` names it and the partition to resume at, and when the limit
 *   is used up exactly at a topic's end, it names the next topic at 0;
 * - a named topic that does not exist answers UNKNOWN_TOPIC_OR_PARTITION
 *   (INVALID_TOPIC_EXCEPTION for an invalid name); the all-topics form skips
 *   such errors.
 *
 * The leader is -1 when its broker is not alive, and partitions carry no
 * error (unlike Metadata). The image keeps no ELR yet (eligible.leader.replicas
 * is not enabled), so both ELR lists are empty. Without an authorizer every
 * topic gets all topic operations, as Kafka fills them for each topic answered.
 */
import { ErrorCode, type RequestOf, type ResponseInput, ZERO_UUID } from "../../../protocol/mod.ts";
import { describeTopicPartitions } from "../../../protocol/messages/mod.ts";
import { isInternalTopic, type MetadataImage, topicNameProblem } from "../../../metadata/mod.ts";
import { TOPIC_OPERATIONS } from "../../../security/mod.ts";
import type { ApiHandler } from "../../handler.ts";
import { offlineReplicasOf } from "./metadata.ts";

type Request = RequestOf<typeof describeTopicPartitions>;
type Response = ResponseInput<typeof describeTopicPartitions>;
type TopicAnswer = Response["topics"][number];
type PartitionAnswer = TopicAnswer["partitions"][number];

function refuseAll(body: Request, errorCode: number): Response {
  return {
    throttleTimeMs: 0,
    topics: body.topics.map((topic) => ({
      errorCode,
      name: topic.name,
      topicId: ZERO_UUID,
      isInternal: false,
      partitions: [],
      topicAuthorizedOperations: -2147483648,
    })),
    nextCursor: null,
  };
}

/** Partitions `from` up to `from + limit` of `name`, and the index to resume at (-1: the topic is done). */
function pageOf(
  image: MetadataImage,
  name: string,
  from: number,
  limit: number,
): { partitions: PartitionAnswer[]; next: number } | null {
  const topic = image.topicsByName.get(name);
  if (topic === undefined) return null;
  const count = topic.partitions.length;
  const upper = Math.min(count, from + limit);
  const partitions: PartitionAnswer[] = [];
  for (let index = from; index < upper; index++) {
    const partition = topic.partitions[index];
    if (partition === undefined) continue;
    const leader = image.brokers.get(partition.leader);
    partitions.push({
      errorCode: ErrorCode.NONE,
      partitionIndex: partition.partition,
      leaderId: leader !== undefined && !leader.fenced ? partition.leader : -1,
      leaderEpoch: partition.leaderEpoch,
      replicaNodes: partition.replicas,
      isrNodes: partition.isr,
      eligibleLeaderReplicas: partition.eligibleLeaderReplicas ?? [],
      lastKnownElr: partition.lastKnownElr ?? [],
      offlineReplicas: offlineReplicasOf(image, partition.replicas),
    });
  }
  return { partitions, next: upper < count ? upper : -1 };
}

export const describeTopicPartitionsHandler: ApiHandler<typeof describeTopicPartitions> = {
  schema: describeTopicPartitions,
  handle(context, body) {
    const image = context.services.metadata.image;
    const all = body.topics.length === 0;
    const cursor = body.cursor;
    const cursorTopic = cursor?.topicName ?? "";
    const names = new Set<string>();
    for (const name of all ? image.topicsByName.keys() : body.topics.map((topic) => topic.name)) {
      if (name >= cursorTopic) names.add(name);
    }
    if (cursor !== null && ((!all && !names.has(cursor.topicName)) || cursor.partitionIndex < 0)) {
      return refuseAll(body, ErrorCode.INVALID_REQUEST);
    }
    const limit = Math.max(
      Math.min(
        context.services.settings.config.int("max.request.partition.size.limit"),
        body.responsePartitionLimit,
      ),
      1,
    );
    let remaining = limit;
    const topics: TopicAnswer[] = [];
    let nextCursor: Response["nextCursor"] = null;
    for (const name of [...names].sort()) {
      if (remaining === 0) {
        // The limit ran out exactly at the previous topic's end: resume at this one's start.
        nextCursor = { topicName: name, partitionIndex: 0 };
        break;
      }
      const start = cursor !== null && name === cursorTopic ? cursor.partitionIndex : 0;
      const page = pageOf(image, name, start, remaining);
      if (page === null) {
        if (all) continue;
        topics.push({
          errorCode: topicNameProblem(name)
            ? ErrorCode.INVALID_TOPIC_EXCEPTION
            : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          name,
          topicId: ZERO_UUID,
          isInternal: isInternalTopic(name),
          partitions: [],
          topicAuthorizedOperations: TOPIC_OPERATIONS,
        });
        continue;
      }
      topics.push({
        errorCode: ErrorCode.NONE,
        name,
        topicId: image.topicsByName.get(name)!.topicId,
        isInternal: isInternalTopic(name),
        partitions: page.partitions,
        topicAuthorizedOperations: TOPIC_OPERATIONS,
      });
      if (page.next !== -1) {
        nextCursor = { topicName: name, partitionIndex: page.next };
        break;
      }
      remaining -= page.partitions.length;
    }
    return { throttleTimeMs: 0, topics, nextCursor };
  },
};
