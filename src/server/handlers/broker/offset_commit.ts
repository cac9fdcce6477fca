/**
 * OffsetCommit (key 8), v0-9: a group's committed positions, stored in
 * `__consumer_offsets` and acknowledged once durable. v1 adds the
 * generation and member id (checked against the group: ILLEGAL_GENERATION,
 * UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS; generation -1 commits for a
 * consumer outside group management) and a per-partition timestamp; v2-4
 * carry a retention time; v6 the leader epoch; v7 the static instance id;
 * v8 is flexible; v9 answers GROUP_ID_NOT_FOUND for a missing group.
 * Partitions of topics that do not exist get UNKNOWN_TOPIC_OR_PARTITION
 * before the coordinator sees the request, as in Kafka.
 */
import type { OffsetCommitPartition, OffsetCommitRequest } from "../../../group/mod.ts";
import { ErrorCode } from "../../../protocol/mod.ts";
import { offsetCommit } from "../../../protocol/messages/mod.ts";
import type { ApiHandler, RequestContext } from "../../handler.ts";
import { groupRequestSource } from "./_group_request.ts";

function partitionExists(context: RequestContext, topic: string, partition: number): boolean {
  const image = context.services.metadata.image.topicsByName.get(topic);
  return image !== undefined && partition >= 0 && partition < image.partitions.length;
}

export const offsetCommitHandler: ApiHandler<typeof offsetCommit> = {
  schema: offsetCommit,
  async handle(context, body) {
    const unknown = new Set<string>();
    const valid: OffsetCommitRequest["topics"] = [];
    for (const topic of body.topics) {
      const partitions: OffsetCommitPartition[] = [];
      for (const partition of topic.partitions) {
        if (!partitionExists(context, topic.name, partition.partitionIndex)) {
          unknown.add(`${topic.name}\u0000${partition.partitionIndex}`);
          continue;
        }
        partitions.push({
          partitionIndex: partition.partitionIndex,
          committedOffset: partition.committedOffset,
          committedLeaderEpoch: partition.committedLeaderEpoch ?? -1,
          commitTimestamp: context.version === 1 ? partition.commitTimestamp : -1,
          committedMetadata: partition.committedMetadata ?? null,
        });
      }
      if (partitions.length > 0) valid.push({ name: topic.name, partitions });
    }
    const errors = new Map<string, number>();
    if (valid.length > 0) {
      const response = await context.services.groups.commitOffsets({
        groupId: body.groupId,
        generationIdOrMemberEpoch: context.version >= 1 ? body.generationIdOrMemberEpoch : -1,
        memberId: context.version >= 1 ? body.memberId : "",
        groupInstanceId: body.groupInstanceId ?? null,
        retentionTimeMs: context.version >= 2 && context.version <= 4 ? body.retentionTimeMs : -1,
        topics: valid,
      }, groupRequestSource(context));
      for (const topic of response.topics) {
        for (const partition of topic.partitions) {
          errors.set(`${topic.name}\u0000${partition.partitionIndex}`, partition.errorCode);
        }
      }
    }
    // The response lists every requested partition, in the request's order.
    const topics = body.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => {
        const key = `${topic.name}\u0000${partition.partitionIndex}`;
        const errorCode = unknown.has(key)
          ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
          : errors.get(key) ?? ErrorCode.NONE;
        return { partitionIndex: partition.partitionIndex, errorCode };
      }),
    }));
    return { throttleTimeMs: 0, topics };
  },
};
