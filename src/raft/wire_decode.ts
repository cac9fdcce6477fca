/**
 * Decoded Kafka bodies of the Raft APIs back into the core's messages.
 * Requests that do not name exactly `__cluster_metadata-0` get the
 * top-level INVALID_REQUEST body to send back, without reaching the core.
 */
import {
  type ApiSchema,
  ErrorCode,
  type Message,
  type RequestOf,
  type ResponseInput,
  type ResponseOf,
} from "../protocol/mod.ts";
import type {
  beginQuorumEpoch,
  endQuorumEpoch,
  fetchApi,
  fetchSnapshot,
  vote,
} from "../protocol/messages/mod.ts";
import { decodeRaftBatches } from "./batch_codec.ts";
import type { RaftRequest, RaftResponse } from "./messages.ts";
import { METADATA_PARTITION, METADATA_TOPIC, type RaftBatch } from "./types.ts";
import { METADATA_TOPIC_ID, RaftApiKey, sameBytes, UNKNOWN_FETCHER_HIGH_WATERMARK } from "./wire_common.ts";
import { updateVoterRequestFromWire, updateVoterResponseFromWire } from "./wire_update_voter.ts";

/** A request for the core, or the answer to send straight back. */
export type RequestFromWire = { request: RaftRequest } | { errorResponse: Message };

/**
 * The caller decoded `body` with the schema of the API key it passes along, so
 * once that key is matched the body has that schema's type: the one place
 * where the untyped body becomes a typed one. `_apiKey` is the matched key; it
 * must be `S`'s, which the compiler checks.
 */
function decodedRequest<S extends ApiSchema>(_apiKey: S["apiKey"], body: Message): RequestOf<S> {
  return body as RequestOf<S>;
}

/** As `decodedRequest`, for responses. */
function decodedResponse<S extends ApiSchema>(_apiKey: S["apiKey"], body: Message): ResponseOf<S> {
  return body as ResponseOf<S>;
}

/** The one partition of a body, if it names exactly the metadata partition. */
function onlyPartition<Topic extends { partitions: readonly unknown[] }>(
  topics: readonly Topic[],
  isMetadataTopic: (topic: Topic) => boolean,
  indexOf: (partition: Topic["partitions"][number]) => number,
): Topic["partitions"][number] | null {
  if (topics.length !== 1) return null;
  const topic = topics[0]!;
  if (!isMetadataTopic(topic)) return null;
  if (topic.partitions.length !== 1) return null;
  const partition = topic.partitions[0]!;
  return indexOf(partition) === METADATA_PARTITION ? partition : null;
}

const byTopicName = (topic: { topicName: string }) => topic.topicName === METADATA_TOPIC;
const byPartitionIndex = (partition: { partitionIndex: number }) => partition.partitionIndex;

/** Fetch names the topic by id from v13, by name before. */
function isFetchedMetadataTopic(apiVersion: number) {
  return (topic: { topic: string; topicId: Uint8Array }) =>
    apiVersion >= 13 ? sameBytes(topic.topicId, METADATA_TOPIC_ID) : topic.topic === METADATA_TOPIC;
}

const bySnapshotTopicName = (topic: { name: string }) => topic.name === METADATA_TOPIC;

/** The top-level INVALID_REQUEST answer of an API. */
function invalidRequestBody(apiKey: number): Message {
  const errorCode = ErrorCode.INVALID_REQUEST;
  if (apiKey === RaftApiKey.FETCH) {
    const fetchAnswer: ResponseInput<typeof fetchApi> = {
      throttleTimeMs: 0,
      errorCode,
      sessionId: 0,
      responses: [],
      nodeEndpoints: [],
    };
    return fetchAnswer;
  }
  if (apiKey === RaftApiKey.FETCH_SNAPSHOT) {
    const snapshotAnswer: ResponseInput<typeof fetchSnapshot> = {
      throttleTimeMs: 0,
      errorCode,
      topics: [],
      nodeEndpoints: [],
    };
    return snapshotAnswer;
  }
  // Vote, BeginQuorumEpoch and EndQuorumEpoch answer with the same top-level fields.
  const answer: ResponseInput<typeof vote> = { errorCode, topics: [], nodeEndpoints: [] };
  return answer;
}

function decodeRequest(apiKey: number, apiVersion: number, body: Message): RaftRequest | null {
  switch (apiKey) {
    case RaftApiKey.UPDATE_RAFT_VOTER:
      return updateVoterRequestFromWire(body);
    case RaftApiKey.VOTE: {
      const request = decodedRequest<typeof vote>(apiKey, body);
      const partition = onlyPartition(request.topics, byTopicName, byPartitionIndex);
      if (partition === null) return null;
      return {
        type: "VoteRequest",
        clusterId: request.clusterId,
        voterId: request.voterId,
        replicaId: partition.replicaId,
        replicaEpoch: partition.replicaEpoch,
        lastOffsetEpoch: partition.lastOffsetEpoch,
        lastOffset: partition.lastOffset,
        preVote: partition.preVote,
      };
    }
    case RaftApiKey.BEGIN_QUORUM_EPOCH: {
      const request = decodedRequest<typeof beginQuorumEpoch>(apiKey, body);
      const partition = onlyPartition(request.topics, byTopicName, byPartitionIndex);
      if (partition === null) return null;
      return {
        type: "BeginQuorumEpochRequest",
        clusterId: request.clusterId,
        voterId: request.voterId,
        leaderId: partition.leaderId,
        leaderEpoch: partition.leaderEpoch,
      };
    }
    case RaftApiKey.END_QUORUM_EPOCH: {
      const request = decodedRequest<typeof endQuorumEpoch>(apiKey, body);
      const partition = onlyPartition(request.topics, byTopicName, byPartitionIndex);
      if (partition === null) return null;
      const preferredCandidates = apiVersion >= 1
        ? partition.preferredCandidates.map((candidate) => candidate.candidateId)
        : partition.preferredSuccessors;
      return {
        type: "EndQuorumEpochRequest",
        clusterId: request.clusterId,
        leaderId: partition.leaderId,
        leaderEpoch: partition.leaderEpoch,
        preferredCandidates,
      };
    }
    case RaftApiKey.FETCH:
      return decodeFetchRequest(apiVersion, decodedRequest<typeof fetchApi>(apiKey, body));
    case RaftApiKey.FETCH_SNAPSHOT: {
      const request = decodedRequest<typeof fetchSnapshot>(apiKey, body);
      const partition = onlyPartition(
        request.topics,
        bySnapshotTopicName,
        (partition) => partition.partition,
      );
      if (partition === null) return null;
      return {
        type: "FetchSnapshotRequest",
        clusterId: request.clusterId,
        replicaId: request.replicaId,
        maxBytes: request.maxBytes,
        currentLeaderEpoch: partition.currentLeaderEpoch,
        snapshotId: { endOffset: partition.snapshotId.endOffset, epoch: partition.snapshotId.epoch },
        position: partition.position,
      };
    }
  }
  return null;
}

function decodeFetchRequest(apiVersion: number, body: RequestOf<typeof fetchApi>): RaftRequest | null {
  const partition = onlyPartition(
    body.topics,
    isFetchedMetadataTopic(apiVersion),
    (partition) => partition.partition,
  );
  if (partition === null) return null;
  return {
    type: "FetchRequest",
    clusterId: body.clusterId,
    replicaId: apiVersion >= 15 ? body.replicaState.replicaId : body.replicaId,
    maxWaitMs: body.maxWaitMs,
    maxBytes: Math.min(body.maxBytes, partition.partitionMaxBytes),
    currentLeaderEpoch: partition.currentLeaderEpoch,
    fetchOffset: partition.fetchOffset,
    lastFetchedEpoch: partition.lastFetchedEpoch,
    logStartOffset: partition.logStartOffset,
    // The versions Dafka serves (up to 16) carry no fetcher high watermark (the tagged field comes later).
    highWatermark: UNKNOWN_FETCHER_HIGH_WATERMARK,
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
    case "UpdateRaftVoterResponse":
      return { type, errorCode, ...leader };
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
  [RaftApiKey.UPDATE_RAFT_VOTER]: "UpdateRaftVoterResponse",
};

function decodeBatchesOrNull(records: Uint8Array | null): RaftBatch[] | null {
  try {
    return records === null ? [] : decodeRaftBatches(records);
  } catch {
    return null;
  }
}

function decodeFetchResponse(apiVersion: number, body: ResponseOf<typeof fetchApi>): RaftResponse | null {
  const partition = onlyPartition(
    body.responses,
    isFetchedMetadataTopic(apiVersion),
    (partition) => partition.partitionIndex,
  );
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
  // UpdateRaftVoter has no partitions: its error code is the answer's own.
  if (apiKey === RaftApiKey.UPDATE_RAFT_VOTER) return updateVoterResponseFromWire(body);
  if (body.errorCode !== ErrorCode.NONE) return topLevelError(type, body.errorCode);
  if (apiKey === RaftApiKey.FETCH) {
    return decodeFetchResponse(apiVersion, decodedResponse<typeof fetchApi>(apiKey, body));
  }
  if (apiKey === RaftApiKey.FETCH_SNAPSHOT) {
    const response = decodedResponse<typeof fetchSnapshot>(apiKey, body);
    const partition = onlyPartition(response.topics, bySnapshotTopicName, (partition) => partition.index);
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
  // Vote, BeginQuorumEpoch and EndQuorumEpoch answers share their partitions' fields but for voteGranted.
  const response = decodedResponse<typeof vote>(RaftApiKey.VOTE, body);
  const partition = onlyPartition(response.topics, byTopicName, byPartitionIndex);
  if (partition === null) return null;
  const common = {
    errorCode: partition.errorCode,
    leaderId: partition.leaderId,
    leaderEpoch: partition.leaderEpoch,
  };
  if (type === "VoteResponse") return { type, ...common, voteGranted: partition.voteGranted };
  return { type: type as "BeginQuorumEpochResponse" | "EndQuorumEpochResponse", ...common };
}
