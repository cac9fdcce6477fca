/**
 * Helpers shared by the tests of this folder: topics with readable ids,
 * request builders, and a coordinator with deterministic member ids.
 * Not used by broker code.
 */
import {
  type Assignment,
  assignmentFromPairs,
  assignmentFromWire,
  assignmentToWire,
  type TopicPartitionsWire,
} from "./assignment.ts";
import { ConsumerGroupCoordinator, type ConsumerGroupCoordinatorOptions } from "./coordinator.ts";
import type { ConsumerGroupHeartbeatRequest, HeartbeatContext } from "./heartbeat_types.ts";
import { type TopicInfo, type TopicMetadataSource, topicsFromList } from "./topics.ts";
import { uuidToString } from "../../protocol/mod.ts";

/** A topic id whose 16 bytes are `seed` repeated, in printed form. */
export function topicIdFor(seed: number): string {
  return uuidToString(new Uint8Array(16).fill(seed));
}

/** Topics named as given, ids from their position (1, 2, ...). */
export function makeTopics(partitionCounts: Record<string, number>): TopicInfo[] {
  return Object.entries(partitionCounts).map(([name, partitionCount], index) => ({
    name,
    topicId: topicIdFor(index + 1),
    partitionCount,
  }));
}

/** A metadata source over `makeTopics`. */
export function topicSource(partitionCounts: Record<string, number>): TopicMetadataSource {
  return topicsFromList(makeTopics(partitionCounts));
}

/** A coordinator whose generated member ids are "generated-1", "generated-2", ... */
export function makeCoordinator(
  options: Partial<ConsumerGroupCoordinatorOptions> = {},
): ConsumerGroupCoordinator {
  let next = 0;
  return new ConsumerGroupCoordinator({ generateMemberId: () => `generated-${++next}`, ...options });
}

/** A heartbeat request with every optional field unchanged (null / -1). */
export function heartbeatRequest(
  fields: Partial<ConsumerGroupHeartbeatRequest>,
): ConsumerGroupHeartbeatRequest {
  return {
    groupId: "group",
    memberId: "",
    memberEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: -1,
    subscribedTopicNames: null,
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: null,
    ...fields,
  };
}

/** A first heartbeat (epoch 0) subscribing to `topics`. */
export function joinRequest(
  memberId: string,
  topics: string[],
  fields: Partial<ConsumerGroupHeartbeatRequest> = {},
): ConsumerGroupHeartbeatRequest {
  return heartbeatRequest({
    memberId,
    memberEpoch: 0,
    rebalanceTimeoutMs: 30_000,
    subscribedTopicNames: topics,
    topicPartitions: [],
    ...fields,
  });
}

/** A heartbeat context at `nowMs` (API version 1). */
export function context(nowMs: number, topics: TopicMetadataSource, apiVersion = 1): HeartbeatContext {
  return { nowMs, apiVersion, clientId: "client", clientHost: "/127.0.0.1", topics };
}

/** Owned partitions in wire form from `[topicId, partition]` pairs. */
export function ownedWire(pairs: [string, number][]): TopicPartitionsWire[] {
  return assignmentToWire(assignmentFromPairs(pairs));
}

/** A response assignment as `[topicId, partition]` text pairs, sorted, for assertions. */
export function pairsOf(wire: TopicPartitionsWire[] | null | undefined): string[] {
  const assignment: Assignment = assignmentFromWire(wire ?? []);
  return [...assignment].flatMap(([topicId, partitions]) =>
    [...partitions].map((partition) => `${topicId}-${partition}`)
  )
    .sort();
}
