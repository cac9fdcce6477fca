import assert from "node:assert/strict";
import {
  API_SCHEMAS,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  ErrorCode,
} from "../protocol/mod.ts";
import type { RaftRequest, RaftResponse } from "./messages.ts";
import type { RaftBatch } from "./types.ts";
import { requestFromWire, responseFromWire, toWire } from "./wire.ts";

const batches: RaftBatch[] = [
  {
    baseOffset: 10,
    epoch: 3,
    appendTimeMs: 1_700_000_000_000,
    control: true,
    records: [{
      type: "leaderChange",
      version: 0,
      leaderId: 2,
      voters: [{ voterId: 1 }, { voterId: 2 }],
      grantingVoters: [{ voterId: 2 }],
    }],
  },
  {
    baseOffset: 11,
    epoch: 3,
    appendTimeMs: 1_700_000_000_005,
    control: false,
    records: [{ type: "data", value: new Uint8Array([1, 2, 3]) }, {
      type: "data",
      value: new Uint8Array([4]),
    }],
  },
];

const requests: RaftRequest[] = [
  {
    type: "VoteRequest",
    clusterId: "c",
    voterId: 3,
    replicaId: 1,
    replicaEpoch: 5,
    lastOffsetEpoch: 4,
    lastOffset: 99,
    preVote: true,
  },
  { type: "BeginQuorumEpochRequest", clusterId: null, voterId: 2, leaderId: 1, leaderEpoch: 5 },
  { type: "EndQuorumEpochRequest", clusterId: "c", leaderId: 1, leaderEpoch: 5, preferredCandidates: [3, 2] },
  {
    type: "FetchRequest",
    clusterId: "c",
    replicaId: 2,
    maxWaitMs: 500,
    maxBytes: 8_388_608,
    currentLeaderEpoch: 5,
    fetchOffset: 12,
    lastFetchedEpoch: 3,
    logStartOffset: 0,
    highWatermark: Number.MAX_SAFE_INTEGER,
  },
  {
    type: "FetchSnapshotRequest",
    clusterId: "c",
    replicaId: 2,
    maxBytes: 1024,
    currentLeaderEpoch: 5,
    snapshotId: { endOffset: 100, epoch: 4 },
    position: 2048,
  },
  {
    type: "UpdateRaftVoterRequest",
    clusterId: "c",
    currentLeaderEpoch: 5,
    voterId: 2,
    voterDirectoryId: "AAAAAAAAAAAAAAAAAAAAAQ",
    endpoints: [{ name: "CONTROLLER", host: "10.0.0.2", port: 9093 }],
    kraftVersionMin: 0,
    kraftVersionMax: 1,
  },
];

const responses: RaftResponse[] = [
  { type: "VoteResponse", errorCode: 0, leaderId: -1, leaderEpoch: 5, voteGranted: true },
  { type: "BeginQuorumEpochResponse", errorCode: ErrorCode.FENCED_LEADER_EPOCH, leaderId: 1, leaderEpoch: 6 },
  { type: "EndQuorumEpochResponse", errorCode: 0, leaderId: 1, leaderEpoch: 5 },
  {
    type: "FetchResponse",
    errorCode: 0,
    highWatermark: 11,
    logStartOffset: 0,
    currentLeader: { leaderId: 1, leaderEpoch: 5 },
    divergingEpoch: null,
    snapshotId: null,
    batches,
  },
  {
    type: "FetchResponse",
    errorCode: 0,
    highWatermark: 11,
    logStartOffset: 0,
    currentLeader: { leaderId: 1, leaderEpoch: 5 },
    divergingEpoch: { epoch: 2, endOffset: 7 },
    snapshotId: null,
    batches: [],
  },
  {
    type: "FetchSnapshotResponse",
    errorCode: 0,
    currentLeader: { leaderId: 1, leaderEpoch: 5 },
    snapshotId: { endOffset: 100, epoch: 4 },
    size: 5000,
    position: 2048,
    bytes: new Uint8Array([9, 9, 9]),
  },
  { type: "UpdateRaftVoterResponse", errorCode: ErrorCode.VOTER_NOT_FOUND, leaderId: 1, leaderEpoch: 5 },
];

function latestVersion(apiKey: number): number {
  const range = API_SCHEMAS.get(apiKey)!.versions;
  return Number(range.split("-").at(-1));
}

Deno.test("Raft requests survive the Kafka wire at the latest versions", async (t) => {
  for (const request of requests) {
    await t.step(request.type, () => {
      const { apiKey, body } = toWire(request);
      const apiVersion = latestVersion(apiKey);
      const frame = encodeRequest({ apiKey, apiVersion, correlationId: 7, clientId: "raft" }, body);
      const decoded = decodeRequest(frame.subarray(4));
      assert.deepEqual(requestFromWire(apiKey, apiVersion, decoded.body), { request });
    });
  }
});

Deno.test("Raft responses survive the Kafka wire, batches as record batches", async (t) => {
  for (const response of responses) {
    await t.step(response.type, () => {
      const { apiKey, body } = toWire(response);
      const apiVersion = latestVersion(apiKey);
      const chunks = encodeResponse(API_SCHEMAS.get(apiKey)!, apiVersion, 7, body);
      const frame = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
      let position = 0;
      for (const chunk of chunks) {
        frame.set(chunk, position);
        position += chunk.length;
      }
      const decoded = decodeResponse(apiKey, apiVersion, frame.subarray(4));
      assert.deepEqual(responseFromWire(apiKey, apiVersion, decoded.body), response);
    });
  }
});

Deno.test("a request for another partition is refused with a top-level INVALID_REQUEST", () => {
  const { apiKey, body } = toWire(requests[0]!);
  body.topics[0].topicName = "other";
  const result = requestFromWire(apiKey, 2, body);
  assert.ok("errorResponse" in result);
  assert.equal(result.errorResponse.errorCode, ErrorCode.INVALID_REQUEST);
  const twoPartitions = toWire(requests[1]!).body;
  twoPartitions.topics[0].partitions.push({ ...twoPartitions.topics[0].partitions[0] });
  assert.ok("errorResponse" in requestFromWire(53, 1, twoPartitions));
});

Deno.test("a cluster id mismatch travels as a top-level error", () => {
  const { body } = toWire({
    type: "VoteResponse",
    errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID,
    leaderId: -1,
    leaderEpoch: -1,
    voteGranted: false,
  });
  assert.equal(body.errorCode, ErrorCode.INCONSISTENT_CLUSTER_ID);
  assert.deepEqual(body.topics, []);
  const back = responseFromWire(52, 2, body);
  assert.equal(back?.errorCode, ErrorCode.INCONSISTENT_CLUSTER_ID);
});

Deno.test("a Fetch response whose records are corrupt is dropped", () => {
  const { body } = toWire(responses[3]!);
  const records: Uint8Array = body.responses[0].partitions[0].records;
  records[records.length - 1]! ^= 0xff;
  assert.equal(responseFromWire(1, 16, body), null);
});
