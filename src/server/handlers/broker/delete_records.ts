/**
 * DeleteRecords (key 21), v0-2 (KIP-107): moves partitions' log start
 * offsets forward, so that the records below them can no longer be read and
 * the segments wholly below them are deleted at the next retention check.
 * v1 changes nothing on the wire (throttling after the response), v2 is
 * flexible.
 *
 * Per partition, as Kafka answers: an internal topic is refused with
 * INVALID_TOPIC_EXCEPTION; a partition not led here gets
 * UNKNOWN_TOPIC_OR_PARTITION or NOT_LEADER_OR_FOLLOWER; offset -1 means the
 * high watermark; an offset above the high watermark gets
 * OFFSET_OUT_OF_RANGE; a topic whose cleanup.policy lacks delete gets
 * POLICY_VIOLATION. The answer's lowWatermark is the new log start offset;
 * with one replica it is reached at once, so timeoutMs is never waited on.
 */
import { ErrorCode } from "../../../protocol/mod.ts";
import { deleteRecords } from "../../../protocol/messages/mod.ts";
import { isInternalTopic } from "../../../metadata/mod.ts";
import type { ApiHandler, NodeServices } from "../../handler.ts";

/** Why a partition not led here cannot be answered. */
function notHere(services: NodeServices, topic: string, index: number): number {
  const image = services.metadata.image.topicsByName.get(topic);
  return image?.partitions[index] ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
}

export const deleteRecordsHandler: ApiHandler<typeof deleteRecords> = {
  schema: deleteRecords,
  handle(context, body) {
    const services = context.services;
    let moved = false;
    const topics = body.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((request) => {
        const index = request.partitionIndex;
        const answer = (errorCode: number, lowWatermark = -1) => ({
          partitionIndex: index,
          lowWatermark,
          errorCode,
        });
        if (isInternalTopic(topic.name)) return answer(ErrorCode.INVALID_TOPIC_EXCEPTION);
        const partition = services.partitions.partition(topic.name, index);
        if (!partition) return answer(notHere(services, topic.name, index));
        const result = partition.deleteRecords(request.offset);
        if (result.errorCode === ErrorCode.NONE) moved = true;
        return answer(result.errorCode, result.lowWatermark);
      }),
    }));
    if (moved) services.partitions.checkpointLogStartOffsets();
    return { throttleTimeMs: 0, topics };
  },
};
