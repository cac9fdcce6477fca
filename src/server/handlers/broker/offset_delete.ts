/**
 * OffsetDelete (key 47), v0 (KIP-496): deletes a group's committed offsets
 * for some partitions. Refused for a group with members unless it uses the
 * consumer protocol (NON_EMPTY_GROUP), and per topic while a member
 * subscribes to it (GROUP_SUBSCRIBED_TO_TOPIC). Partitions of topics that do
 * not exist get UNKNOWN_TOPIC_OR_PARTITION, as in Kafka.
 */
import type { OffsetDeleteRequest } from "../../../group/mod.ts";
import { ErrorCode } from "../../../protocol/mod.ts";
import { offsetDelete } from "../../../protocol/messages/mod.ts";
import type { ApiHandler } from "../../handler.ts";

export const offsetDeleteHandler: ApiHandler<typeof offsetDelete> = {
  schema: offsetDelete,
  async handle(context, body) {
    const image = context.services.metadata.image;
    const known = (name: string, partition: number) => {
      const topic = image.topicsByName.get(name);
      return topic !== undefined && partition >= 0 && partition < topic.partitions.length;
    };
    const valid: OffsetDeleteRequest["topics"] = [];
    for (const topic of body.topics) {
      const partitions = topic.partitions
        .filter((partition) => known(topic.name, partition.partitionIndex))
        .map((partition) => ({ partitionIndex: partition.partitionIndex }));
      if (partitions.length > 0) valid.push({ name: topic.name, partitions });
    }
    const response = await context.services.groups.deleteOffsets({ groupId: body.groupId, topics: valid });
    if (response.errorCode !== ErrorCode.NONE) {
      return { errorCode: response.errorCode, throttleTimeMs: 0, topics: [] };
    }
    const errors = new Map<string, number>();
    for (const topic of response.topics) {
      for (const partition of topic.partitions) {
        errors.set(`${topic.name}\u0000${partition.partitionIndex}`, partition.errorCode);
      }
    }
    const topics = body.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => ({
        partitionIndex: partition.partitionIndex,
        errorCode: errors.get(`${topic.name}\u0000${partition.partitionIndex}`) ??
          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      })),
    }));
    return { errorCode: ErrorCode.NONE, throttleTimeMs: 0, topics };
  },
};
