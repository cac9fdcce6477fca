/**
 * OffsetForLeaderEpoch (key 23), v0-4 (KIP-101, KIP-279, KIP-320).
 * For a leader epoch, the end offset of that epoch on this log: the start
 * offset of the next larger epoch, or the log end offset for the current one.
 * v1: the epoch found in the response. v2: current leader epoch fencing.
 * v3: replica id. v4: flexible.
 */
import { ErrorCode } from "../../../protocol/mod.ts";
import { offsetForLeaderEpoch } from "../../../protocol/messages/mod.ts";
import type { ApiHandler } from "../../handler.ts";

export const offsetForLeaderEpochHandler: ApiHandler<typeof offsetForLeaderEpoch> = {
  schema: offsetForLeaderEpoch,
  handle(context, body) {
    const services = context.services;
    const topics = body.topics.map((topic) => ({
      topic: topic.topic,
      partitions: topic.partitions.map((request) => {
        const base = { partition: request.partition, leaderEpoch: -1, endOffset: -1 };
        const partition = services.partitions.partition(topic.topic, request.partition);
        if (!partition) {
          return {
            ...base,
            errorCode: services.partitions.partitionErrorCode(topic.topic, request.partition),
          };
        }
        const epochError = partition.checkLeaderEpoch(request.currentLeaderEpoch);
        if (epochError !== ErrorCode.NONE) return { ...base, errorCode: epochError };
        const found = partition.endOffsetForEpoch(request.leaderEpoch);
        return { partition: request.partition, errorCode: ErrorCode.NONE, ...found };
      }),
    }));
    return { throttleTimeMs: 0, topics };
  },
};
