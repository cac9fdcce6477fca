/**
 * OffsetFetch (key 9), v0-9: a group's committed offsets, with their
 * metadata and leader epoch as committed. v0 (offsets kept in ZooKeeper by
 * Kafka) is served from `__consumer_offsets` like v1; v2 lets the topic list
 * be null for every offset and adds a top-level error; v5 returns leader
 * epochs; v6 is flexible; v7 adds require-stable; v8 asks for several groups
 * at once (KIP-709); v9 identifies KIP-848 members. Before v2, a group-level
 * error is reported on every requested partition.
 */
import type { OffsetFetchGroupRequest, OffsetFetchGroupResponse } from "../../../group/mod.ts";
import { ErrorCode, type RequestOf, type ResponseInput } from "../../../protocol/mod.ts";
import { offsetFetch } from "../../../protocol/messages/mod.ts";
import type { ApiHandler, RequestContext } from "../../handler.ts";

const FIRST_BATCHED_VERSION = 8;
const FIRST_VERSION_WITH_TOP_LEVEL_ERROR = 2;

/** The topics asked for (null: all), as v0-7 and each group of v8+ name them. */
function topicsOf(
  topics: readonly { name: string; partitionIndexes: number[] }[] | null,
): OffsetFetchGroupRequest["topics"] {
  if (topics === null) return null;
  return topics.map((topic) => ({ name: topic.name, partitionIndexes: topic.partitionIndexes }));
}

function fetchGroup(
  context: RequestContext,
  request: OffsetFetchGroupRequest,
): Promise<OffsetFetchGroupResponse> {
  return Promise.resolve(context.services.groups.fetchOffsets(request));
}

/** The single-group response of v0-7. */
async function singleGroupResponse(
  context: RequestContext,
  body: RequestOf<typeof offsetFetch>,
): Promise<ResponseInput<typeof offsetFetch>> {
  const requested = topicsOf(body.topics);
  const group = await fetchGroup(context, {
    groupId: body.groupId,
    memberId: null,
    memberEpoch: -1,
    topics: requested,
  });
  if (group.errorCode !== ErrorCode.NONE && context.version < FIRST_VERSION_WITH_TOP_LEVEL_ERROR) {
    // v0-1 have no top-level error: every requested partition carries it.
    const topics = (requested ?? []).map((topic) => ({
      name: topic.name,
      partitions: topic.partitionIndexes.map((partitionIndex) => ({
        partitionIndex,
        committedOffset: -1,
        committedLeaderEpoch: -1,
        metadata: "",
        errorCode: group.errorCode,
      })),
    }));
    return { throttleTimeMs: 0, topics, errorCode: group.errorCode };
  }
  return { throttleTimeMs: 0, topics: group.topics, errorCode: group.errorCode };
}

export const offsetFetchHandler: ApiHandler<typeof offsetFetch> = {
  schema: offsetFetch,
  async handle(context, body) {
    if (context.version < FIRST_BATCHED_VERSION) return singleGroupResponse(context, body);
    const groups = await Promise.all(body.groups.map((group) =>
      fetchGroup(context, {
        groupId: group.groupId,
        memberId: group.memberId,
        memberEpoch: group.memberEpoch,
        topics: topicsOf(group.topics),
      })
    ));
    return { throttleTimeMs: 0, groups };
  },
};
