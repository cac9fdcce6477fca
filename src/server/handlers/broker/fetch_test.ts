import assert from "node:assert/strict";
import { ErrorCode } from "../../../protocol/mod.ts";
import { fakeContext, fakeServices } from "../../_handler_test_support.ts";
import { fetchHandler } from "./fetch.ts";
import { imageWith, metadataOver } from "./_image_test_support.ts";

const image = imageWith({ orders: [{ replicas: [3, 1, 2], leader: 3, leaderEpoch: 5 }] });
const ordersId = image.topicsByName.get("orders")!.topicId;
const clock = { nowMs: () => 0, monotonicMs: () => 0 };

function consumerFetch(options: { currentLeaderEpoch?: number; rackId?: string } = {}) {
  return {
    clusterId: null,
    replicaId: -1,
    replicaState: { replicaId: -1, replicaEpoch: -1 },
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{
      topic: "orders",
      topicId: ordersId,
      partitions: [{
        partition: 0,
        currentLeaderEpoch: options.currentLeaderEpoch ?? -1,
        fetchOffset: 0,
        lastFetchedEpoch: -1,
        logStartOffset: -1,
        partitionMaxBytes: 1 << 20,
      }],
    }],
    forgottenTopicsData: [],
    rackId: options.rackId ?? "",
  };
}

const notLeaderHere = fakeServices({
  clock,
  metadata: metadataOver(image),
  partitions: {
    partition: () => undefined,
    replica: () => undefined,
    partitionErrorCode: () => ErrorCode.NOT_LEADER_OR_FOLLOWER,
  },
});

Deno.test("KIP-951: fetch v16 from a broker that does not lead names the leader and its endpoint", async () => {
  const answer = await fetchHandler.handle(fakeContext(1, 16, notLeaderHere), consumerFetch());
  const partition = answer!.responses[0]!.partitions[0]!;
  assert.equal(partition.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  assert.deepEqual(partition.currentLeader, { leaderId: 3, leaderEpoch: 5 });
  assert.deepEqual(answer!.nodeEndpoints, [{ nodeId: 3, host: "broker-3", port: 9093, rack: "rack-3" }]);
});

Deno.test("KIP-951: fetch v15 gets no leader hint", async () => {
  const answer = await fetchHandler.handle(fakeContext(1, 15, notLeaderHere), consumerFetch());
  assert.equal(answer!.responses[0]!.partitions[0]!.currentLeader, undefined);
  assert.deepEqual(answer!.nodeEndpoints, []);
});
