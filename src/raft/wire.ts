/**
 * The Raft core's messages as Kafka protocol bodies, both ways, for the
 * node that carries them over real connections: `toWire` gives the body
 * (and API key) to encode with `encodeRequest`/`encodeResponse`, and
 * `requestFromWire`/`responseFromWire` turn decoded bodies back into core
 * messages.
 *
 * Every body names one topic and one partition, `__cluster_metadata-0`
 * (by topic id from Fetch v13). A request naming anything else is answered
 * with a top-level INVALID_REQUEST, as KRaft does, without reaching the
 * core. Fetch carries the batches as Kafka record batches; a response whose
 * records do not decode is dropped (null).
 */
import { ErrorCode, type Message, type RequestInput, type ResponseInput } from "../protocol/mod.ts";
import { encodeRaftBatches } from "./batch_codec.ts";
import type {
  beginQuorumEpoch,
  endQuorumEpoch,
  fetchApi,
  fetchSnapshot,
  vote,
} from "../protocol/messages/mod.ts";
import type {
  BeginQuorumEpochRequest,
  EndQuorumEpochRequest,
  FetchRequest,
  FetchResponse,
  FetchSnapshotRequest,
  FetchSnapshotResponse,
  RaftMessage,
  RaftRequest,
  RaftResponse,
  VoteRequest,
  VoteResponse,
} from "./messages.ts";
import { METADATA_PARTITION, METADATA_TOPIC } from "./types.ts";
import { METADATA_TOPIC_ID, RaftApiKey, TOP_LEVEL_ERRORS, ZERO_UUID } from "./wire_common.ts";
import { updateVoterRequestToWire, updateVoterResponseToWire } from "./wire_update_voter.ts";

function apiKeyOf(message: RaftMessage): number {
  switch (message.type) {
    case "UpdateRaftVoterRequest":
    case "UpdateRaftVoterResponse":
      return RaftApiKey.UPDATE_RAFT_VOTER;
    case "VoteRequest":
    case "VoteResponse":
      return RaftApiKey.VOTE;
    case "BeginQuorumEpochRequest":
    case "BeginQuorumEpochResponse":
      return RaftApiKey.BEGIN_QUORUM_EPOCH;
    case "EndQuorumEpochRequest":
    case "EndQuorumEpochResponse":
      return RaftApiKey.END_QUORUM_EPOCH;
    case "FetchRequest":
    case "FetchResponse":
      return RaftApiKey.FETCH;
    case "FetchSnapshotRequest":
    case "FetchSnapshotResponse":
      return RaftApiKey.FETCH_SNAPSHOT;
  }
}

function requestToWire(request: RaftRequest): Message {
  switch (request.type) {
    case "UpdateRaftVoterRequest":
      return updateVoterRequestToWire(request);
    case "VoteRequest":
      return voteRequestToWire(request);
    case "BeginQuorumEpochRequest":
      return beginQuorumEpochRequestToWire(request);
    case "EndQuorumEpochRequest":
      return endQuorumEpochRequestToWire(request);
    case "FetchRequest":
      return fetchRequestToWire(request);
    case "FetchSnapshotRequest":
      return fetchSnapshotRequestToWire(request);
  }
}

function voteRequestToWire(request: VoteRequest): RequestInput<typeof vote> {
  return {
    clusterId: request.clusterId,
    voterId: request.voterId,
    topics: [{
      topicName: METADATA_TOPIC,
      partitions: [{
        partitionIndex: METADATA_PARTITION,
        replicaEpoch: request.replicaEpoch,
        replicaId: request.replicaId,
        replicaDirectoryId: ZERO_UUID,
        voterDirectoryId: ZERO_UUID,
        lastOffsetEpoch: request.lastOffsetEpoch,
        lastOffset: request.lastOffset,
        preVote: request.preVote,
      }],
    }],
  };
}

function beginQuorumEpochRequestToWire(
  request: BeginQuorumEpochRequest,
): RequestInput<typeof beginQuorumEpoch> {
  return {
    clusterId: request.clusterId,
    voterId: request.voterId,
    topics: [{
      topicName: METADATA_TOPIC,
      partitions: [{
        partitionIndex: METADATA_PARTITION,
        voterDirectoryId: ZERO_UUID,
        leaderId: request.leaderId,
        leaderEpoch: request.leaderEpoch,
      }],
    }],
    leaderEndpoints: [],
  };
}

function endQuorumEpochRequestToWire(request: EndQuorumEpochRequest): RequestInput<typeof endQuorumEpoch> {
  return {
    clusterId: request.clusterId,
    topics: [{
      topicName: METADATA_TOPIC,
      partitions: [{
        partitionIndex: METADATA_PARTITION,
        leaderId: request.leaderId,
        leaderEpoch: request.leaderEpoch,
        preferredSuccessors: request.preferredCandidates,
        preferredCandidates: request.preferredCandidates.map((candidateId) => ({
          candidateId,
          candidateDirectoryId: ZERO_UUID,
        })),
      }],
    }],
    leaderEndpoints: [],
  };
}

function fetchSnapshotRequestToWire(request: FetchSnapshotRequest): RequestInput<typeof fetchSnapshot> {
  return {
    clusterId: request.clusterId,
    replicaId: request.replicaId,
    maxBytes: request.maxBytes,
    topics: [{
      name: METADATA_TOPIC,
      partitions: [{
        partition: METADATA_PARTITION,
        currentLeaderEpoch: request.currentLeaderEpoch,
        snapshotId: { ...request.snapshotId },
        position: request.position,
        replicaDirectoryId: ZERO_UUID,
      }],
    }],
  };
}

function fetchRequestToWire(request: FetchRequest): RequestInput<typeof fetchApi> {
  return {
    clusterId: request.clusterId,
    replicaId: request.replicaId,
    replicaState: { replicaId: request.replicaId, replicaEpoch: -1 },
    maxWaitMs: request.maxWaitMs,
    minBytes: 0,
    maxBytes: request.maxBytes,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{
      topic: METADATA_TOPIC,
      topicId: METADATA_TOPIC_ID,
      partitions: [{
        partition: METADATA_PARTITION,
        currentLeaderEpoch: request.currentLeaderEpoch,
        fetchOffset: request.fetchOffset,
        lastFetchedEpoch: request.lastFetchedEpoch,
        logStartOffset: request.logStartOffset,
        partitionMaxBytes: request.maxBytes,
      }],
    }],
    forgottenTopicsData: [],
    rackId: "",
  };
}

/** BeginQuorumEpoch and EndQuorumEpoch answers (the same fields in both). */
function epochResponseToWire(
  response: { errorCode: number; leaderId: number; leaderEpoch: number },
): ResponseInput<typeof beginQuorumEpoch> & ResponseInput<typeof endQuorumEpoch> {
  if (TOP_LEVEL_ERRORS.has(response.errorCode)) {
    return { errorCode: response.errorCode, topics: [], nodeEndpoints: [] };
  }
  return {
    errorCode: ErrorCode.NONE,
    topics: [{
      topicName: METADATA_TOPIC,
      partitions: [{
        partitionIndex: METADATA_PARTITION,
        errorCode: response.errorCode,
        leaderId: response.leaderId,
        leaderEpoch: response.leaderEpoch,
      }],
    }],
    nodeEndpoints: [],
  };
}

function voteResponseToWire(response: VoteResponse): ResponseInput<typeof vote> {
  if (TOP_LEVEL_ERRORS.has(response.errorCode)) {
    return { errorCode: response.errorCode, topics: [], nodeEndpoints: [] };
  }
  return {
    errorCode: ErrorCode.NONE,
    topics: [{
      topicName: METADATA_TOPIC,
      partitions: [{
        partitionIndex: METADATA_PARTITION,
        errorCode: response.errorCode,
        leaderId: response.leaderId,
        leaderEpoch: response.leaderEpoch,
        voteGranted: response.voteGranted,
      }],
    }],
    nodeEndpoints: [],
  };
}

function responseToWire(response: RaftResponse): Message {
  switch (response.type) {
    case "UpdateRaftVoterResponse":
      return updateVoterResponseToWire(response);
    case "VoteResponse":
      return voteResponseToWire(response);
    case "BeginQuorumEpochResponse":
    case "EndQuorumEpochResponse":
      return epochResponseToWire(response);
    case "FetchResponse":
      return fetchResponseToWire(response);
    case "FetchSnapshotResponse":
      return fetchSnapshotResponseToWire(response);
  }
}

function fetchResponseToWire(response: FetchResponse): ResponseInput<typeof fetchApi> {
  if (TOP_LEVEL_ERRORS.has(response.errorCode)) {
    return {
      throttleTimeMs: 0,
      errorCode: response.errorCode,
      sessionId: 0,
      responses: [],
      nodeEndpoints: [],
    };
  }
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    sessionId: 0,
    responses: [{
      topic: METADATA_TOPIC,
      topicId: METADATA_TOPIC_ID,
      partitions: [{
        partitionIndex: METADATA_PARTITION,
        errorCode: response.errorCode,
        highWatermark: response.highWatermark,
        lastStableOffset: response.highWatermark,
        logStartOffset: response.logStartOffset,
        divergingEpoch: response.divergingEpoch ?? { epoch: -1, endOffset: -1 },
        currentLeader: { ...response.currentLeader },
        snapshotId: response.snapshotId ?? { endOffset: -1, epoch: -1 },
        abortedTransactions: null,
        preferredReadReplica: -1,
        records: encodeRaftBatches(response.batches),
      }],
    }],
    nodeEndpoints: [],
  };
}

function fetchSnapshotResponseToWire(response: FetchSnapshotResponse): ResponseInput<typeof fetchSnapshot> {
  if (TOP_LEVEL_ERRORS.has(response.errorCode)) {
    return { throttleTimeMs: 0, errorCode: response.errorCode, topics: [], nodeEndpoints: [] };
  }
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    topics: [{
      name: METADATA_TOPIC,
      partitions: [{
        index: METADATA_PARTITION,
        errorCode: response.errorCode,
        snapshotId: { ...response.snapshotId },
        currentLeader: { ...response.currentLeader },
        size: response.size,
        position: response.position,
        unalignedRecords: response.bytes,
      }],
    }],
    nodeEndpoints: [],
  };
}

/** A core message as the API key and body the protocol codec encodes. */
export function toWire(message: RaftMessage): { apiKey: number; body: Message } {
  const body = message.type.endsWith("Request")
    ? requestToWire(message as RaftRequest)
    : responseToWire(message as RaftResponse);
  return { apiKey: apiKeyOf(message), body };
}

export { requestFromWire, responseFromWire } from "./wire_decode.ts";
export { describeQuorumToWire } from "./wire_describe_quorum.ts";
export { METADATA_TOPIC_ID, RaftApiKey } from "./wire_common.ts";
