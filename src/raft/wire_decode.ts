/**
 * Decoded Kafka bodies of the Raft APIs back into the core's messages.
 * Requests that do not name exactly `__cluster_metadata-0` get the
 * top-level INVALID_REQUEST body to send back, without reaching the core.
 */
import type { Message } from "../protocol/codec.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { decodeRaftBatches } from "./batch_codec.ts";
import type { RaftRequest, RaftResponse } from "./messages.ts";
import { METADATA_PARTITION, METADATA_TOPIC, type RaftBatch } from "./types.ts";
import { METADATA_TOPIC_ID, RaftApiKey, sameBytes, UNKNOWN_FETCHER_HIGH_WATERMARK } from "./wire_common.ts";

/** A request for the core, or the answer to send straight back. */
export type RequestFromWire = { request: RaftRequest } | { errorResponse: Message };

/** The one partition of a body, if it names exactly the metadata partition. */
function onlyPartition(
  topics: Message[] | undefined,
  names: { topic: (topic: Message) => boolean; partition: (partition: Message) => number },
  listName = "partitions",
): Message | null {
  if (topics?.length !== 1) return null;
  const topic = topics[0]!;
  if (!names.topic(topic)) return null;
  const partitions = topic[listName] as Message[] | undefined;
  if (partitions?.length !== 1) return null;
  const partition = partitions[0]!;
  return names.partition(partition) === METADATA_PARTITION ? partition : null;
}

const byTopicName = {
  topic: (topic: Message) => topic.topicName === METADATA_TOPIC,
  partition: (partition: Message) => partition.partitionIndex,
};

function fetchNames(apiVersion: number) {
  return {
    topic: (topic: Message) =>
      apiVersion >= 13 ? sameBytes(topic.topicId, METADATA_TOPIC_ID) : topic.topic === METADATA_TOPIC,
    partition: (partition: Message) => partition.partition ?? partition.partitionIndex,
  };
}

const snapshotNames = {
  topic: (topic: Message) => topic.name === METADATA_TOPIC,
  partition: (partition: Message) => partition.partition ?? partition.index,
};

/** The top-level INVALID_REQUEST answer of an API. */
function invalidRequestBody(apiKey: number): Message {
  const errorCode = ErrorCode.INVALID_REQUEST;
  if (apiKey === RaftApiKey.FETCH) {
    return { throttleTimeMs: 0, errorCode, sessionId: 0, responses: [], nodeEndpoints: [] };
  }
  if (apiKey === RaftApiKey.FETCH_SNAPSHOT) {
    return { throttleTimeMs: 0, errorCode, topics: [], nodeEndpoints: [] };
  }
  return { errorCode, topics: [], nodeEndpoints: [] };
}

function decodeRequest(apiKey: number, apiVersion: number, body: Message): RaftRequest | null {
  switch (apiKey) {
    case RaftApiKey.VOTE: {
      const partition = onlyPartition(body.topics, byTopicName);
      if (partition === null) return null;
      return {
        type: "VoteRequest",
        clusterId: body.clusterId ?? null,
        voterId: body.voterId ?? -1,
        replicaId: partition.replicaId,
        replicaEpoch: partition.replicaEpoch,
        lastOffsetEpoch: partition.lastOffsetEpoch,
        lastOffset: partition.lastOffset,
        preVote: partition.preVote ?? false,
      };
    }
    case RaftApiKey.BEGIN_QUORUM_EPOCH: {
      const partition = onlyPartition(body.topics, byTopicName);
      if (partition === null) return null;
      return {
        type: "BeginQuorumEpochRequest",
        clusterId: body.clusterId ?? null,
        voterId: body.voterId ?? -1,
        leaderId: partition.leaderId,
        leaderEpoch: partition.leaderEpoch,
      };
    }
    case RaftApiKey.END_QUORUM_EPOCH: {
      const partition = onlyPartition(body.topics, byTopicName);
      if (partition === null) return null;
      const preferredCandidates: number[] = apiVersion >= 1
        ? (partition.preferredCandidates as Message[]).map((candidate) => candidate.candidateId)
        : partition.preferredSuccessors;
      return {
        type: "EndQuorumEpochRequest",
        clusterId: body.clusterId ?? null,
        leaderId: partition.leaderId,
        leaderEpoch: partition.leaderEpoch,
        preferredCandidates,
      };
    }
    case RaftApiKey.FETCH:
      return decodeFetchRequest(apiVersion, body);
    case RaftApiKey.FETCH_SNAPSHOT: {
      const partition = onlyPartition(body.topics, snapshotNames);
      if (partition === null) return null;
      return {
        type: "FetchSnapshotRequest",
        clusterId: body.clusterId ?? null,
        replicaId: body.replicaId,
        maxBytes: body.maxBytes,
        currentLeaderEpoch: partition.currentLeaderEpoch,
        snapshotId: { endOffset: partition.snapshotId.endOffset, epoch: partition.snapshotId.epoch },
        position: partition.position,
      };
    }
  }
  return null;
}

function decodeFetchRequest(apiVersion: number, body: Message): RaftRequest | null {
  const partition = onlyPartition(body.topics, fetchNames(apiVersion));
  if (partition === null) return null;
  return {
    type: "FetchRequest",
    clusterId: body.clusterId ?? null,
    replicaId: apiVersion >= 15 ? body.replicaState?.replicaId ?? -1 : body.replicaId,
    maxWaitMs: body.maxWaitMs,
    maxBytes: Math.min(body.maxBytes, partition.partitionMaxBytes),
    currentLeaderEpoch: partition.currentLeaderEpoch,
    fetchOffset: partition.fetchOffset,
    lastFetchedEpoch: partition.lastFetchedEpoch,
    logStartOffset: partition.logStartOffset,
    highWatermark: partition.highWatermark ?? UNKNOWN_FETCHER_HIGH_WATERMARK,
  };
}

/** A decoded request body of a Raft API (`apiKey` at `apiVersion`) for the core. */
export function requestFromWire(apiKey: number, apiVersion: number, body: Message): RequestFromWire {
  const request = decodeRequest(apiKey, apiVersion, body);
  return request === null ? { errorResponse: invalidRequestBody(apiKey) } : { request };
}

function topLevelError(type: RaftResponse["type"], errorCode: number): RaftResponse {
  const leader = { leaderId: -1, leaderEpoch: -1 };
  switch (type) {
    case "VoteResponse":
      return { type, errorCode, ...leader, voteGranted: false };
    case "BeginQuorumEpochResponse":
    case "EndQuorumEpochResponse":
      return { type, errorCode, ...leader };
    case "FetchResponse":
      return {
        type,
        errorCode,
        highWatermark: -1,
        logStartOffset: -1,
        currentLeader: leader,
        divergingEpoch: null,
        snapshotId: null,
        batches: [],
      };
    case "FetchSnapshotResponse":
      return {
        type,
        errorCode,
        currentLeader: leader,
        snapshotId: { endOffset: -1, epoch: -1 },
        size: -1,
        position: -1,
        bytes: new Uint8Array(0),
      };
  }
}

const RESPONSE_TYPES: Record<number, RaftResponse["type"]> = {
  [RaftApiKey.VOTE]: "VoteResponse",
  [RaftApiKey.BEGIN_QUORUM_EPOCH]: "BeginQuorumEpochResponse",
  [RaftApiKey.END_QUORUM_EPOCH]: "EndQuorumEpochResponse",
  [RaftApiKey.FETCH]: "FetchResponse",
  [RaftApiKey.FETCH_SNAPSHOT]: "FetchSnapshotResponse",
};

function decodeBatchesOrNull(records: Uint8Array | null): RaftBatch[] | null {
  try {
    return records === null ? [] : decodeRaftBatches(records);
  } catch {
    return null;
  }
}

function decodeFetchResponse(apiVersion: number, body: Message): RaftResponse | null {
  const partition = onlyPartition(body.responses, fetchNames(apiVersion));
  if (partition === null) return null;
  const batches = decodeBatchesOrNull(partition.records);
  if (batches === null) return null;
  const diverging = partition.divergingEpoch;
  const snapshot = partition.snapshotId;
  return {
    type: "FetchResponse",
    errorCode: partition.errorCode,
    highWatermark: partition.highWatermark,
    logStartOffset: partition.logStartOffset,
    currentLeader: {
      leaderId: partition.currentLeader.leaderId,
      leaderEpoch: partition.currentLeader.leaderEpoch,
    },
    divergingEpoch: diverging.epoch < 0 && diverging.endOffset < 0
      ? null
      : { epoch: diverging.epoch, endOffset: diverging.endOffset },
    snapshotId: snapshot.epoch < 0 && snapshot.endOffset < 0
      ? null
      : { endOffset: snapshot.endOffset, epoch: snapshot.epoch },
    batches,
  };
}

/** A decoded response body of a Raft API for the core, or null when it is malformed (drop it). */
export function responseFromWire(apiKey: number, apiVersion: number, body: Message): RaftResponse | null {
  const type = RESPONSE_TYPES[apiKey];
  if (type === undefined) return null;
  if (body.errorCode !== ErrorCode.NONE) return topLevelError(type, body.errorCode);
  if (apiKey === RaftApiKey.FETCH) return decodeFetchResponse(apiVersion, body);
  if (apiKey === RaftApiKey.FETCH_SNAPSHOT) {
    const partition = onlyPartition(body.topics, snapshotNames);
    if (partition === null) return null;
    return {
      type: "FetchSnapshotResponse",
      errorCode: partition.errorCode,
      currentLeader: {
        leaderId: partition.currentLeader.leaderId,
        leaderEpoch: partition.currentLeader.leaderEpoch,
      },
      snapshotId: { endOffset: partition.snapshotId.endOffset, epoch: partition.snapshotId.epoch },
      size: partition.size,
      position: partition.position,
      bytes: partition.unalignedRecords ?? new Uint8Array(0),
    };
  }
  const partition = onlyPartition(body.topics, byTopicName);
  if (partition === null) return null;
  const common = {
    errorCode: partition.errorCode,
    leaderId: partition.leaderId,
    leaderEpoch: partition.leaderEpoch,
  };
  if (type === "VoteResponse") return { type, ...common, voteGranted: partition.voteGranted };
  return { type: type as "BeginQuorumEpochResponse" | "EndQuorumEpochResponse", ...common };
}
