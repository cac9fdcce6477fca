/**
 * ListOffsets (key 2), v0-9.
 * Special timestamps: -1 latest (the high watermark, or the last stable offset
 * under read_committed), -2 earliest, -3 the offset of the max timestamp (v7+,
 * KIP-734), -4 earliest local (v8+, KIP-405: the log start here, no tiering),
 * -5 the last tiered offset (v9+, KIP-1005: -1, nothing is tiered). Any other
 * timestamp finds the first offset whose timestamp is at or after it.
 * v0 returns up to maxNumOffsets offsets in an array.
 */
import { ErrorCode, type RequestOf, type ResponseInput } from "../../../protocol/mod.ts";
import { listOffsets } from "../../../protocol/messages/mod.ts";
import type { ApiHandler, RequestContext } from "../../handler.ts";

type PartitionRequest = RequestOf<typeof listOffsets>["topics"][number]["partitions"][number];
type PartitionAnswer = ResponseInput<typeof listOffsets>["topics"][number]["partitions"][number];

const LATEST = -1;
const EARLIEST = -2;
const MAX_TIMESTAMP = -3;
const EARLIEST_LOCAL = -4;
const LATEST_TIERED = -5;

function answer(
  index: number,
  errorCode: number,
  offset = -1,
  timestamp = -1,
  leaderEpoch = -1,
): PartitionAnswer {
  return { partitionIndex: index, errorCode, oldStyleOffsets: [], timestamp, offset, leaderEpoch };
}

function lookup(
  context: RequestContext,
  topic: string,
  request: PartitionRequest,
  readCommitted: boolean,
): PartitionAnswer {
  const index = request.partitionIndex;
  const partition = context.services.partitions.partition(topic, index);
  if (!partition) return answer(index, context.services.partitions.partitionErrorCode(topic, index));
  const epochError = partition.checkLeaderEpoch(request.currentLeaderEpoch);
  if (epochError !== ErrorCode.NONE) return answer(index, epochError);
  const timestamp = request.timestamp;
  const epoch = partition.leaderEpoch;
  if (context.version === 0) {
    const offsets = timestamp === EARLIEST ? [partition.logStartOffset] : [partition.highWatermark];
    return {
      ...answer(index, ErrorCode.NONE),
      oldStyleOffsets: offsets.slice(0, Math.max(0, request.maxNumOffsets)),
    };
  }
  switch (timestamp) {
    case LATEST:
      return answer(
        index,
        ErrorCode.NONE,
        readCommitted ? partition.lastStableOffset : partition.highWatermark,
        -1,
        epoch,
      );
    case EARLIEST:
    case EARLIEST_LOCAL:
      return answer(
        index,
        ErrorCode.NONE,
        partition.logStartOffset,
        -1,
        partition.epochForOffset(partition.logStartOffset),
      );
    case LATEST_TIERED:
      return answer(index, ErrorCode.NONE, -1, -1, -1);
    case MAX_TIMESTAMP: {
      const found = partition.maxTimestamp();
      return found
        ? answer(index, ErrorCode.NONE, found.offset, found.timestamp, partition.epochForOffset(found.offset))
        : answer(index, ErrorCode.NONE, -1, -1, -1);
    }
    default: {
      if (timestamp < 0) return answer(index, ErrorCode.INVALID_REQUEST);
      const found = partition.offsetForTimestamp(timestamp);
      return found
        ? answer(index, ErrorCode.NONE, found.offset, found.timestamp, partition.epochForOffset(found.offset))
        : answer(index, ErrorCode.NONE, -1, -1, -1);
    }
  }
}

export const listOffsetsHandler: ApiHandler<typeof listOffsets> = {
  schema: listOffsets,
  handle(context, body) {
    const readCommitted = context.version >= 2 && body.isolationLevel === 1;
    const seen = new Set<string>();
    const topics = body.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((request) => {
        const key = `${topic.name}:${request.partitionIndex}`;
        if (seen.has(key) && context.version > 0) {
          return answer(request.partitionIndex, ErrorCode.INVALID_REQUEST);
        }
        seen.add(key);
        return lookup(context, topic.name, request, readCommitted);
      }),
    }));
    return { throttleTimeMs: 0, topics };
  },
};
