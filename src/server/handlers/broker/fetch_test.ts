import assert from "node:assert/strict";
import { BrokerConfig } from "../../../config/mod.ts";
import { ErrorCode } from "../../../protocol/mod.ts";
import { replicatedPartition } from "../../_partition_test_support.ts";
import type { Partition } from "../../partition.ts";
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

// KIP-392: one partition replicated on brokers 1 (leader, rack-1), 2 (rack-2) and 3 (rack-3).
const replicatedImage = imageWith({ orders: [{ replicas: [1, 2, 3], leader: 1, leaderEpoch: 1 }] });

function servicesOn(partition: Partition, nodeId: number, selector: string | null) {
  const config = new BrokerConfig(
    new Map([
      ["node.id", String(nodeId)],
      ["process.roles", "broker"],
      ...(selector === null ? [] : [["replica.selector.class", selector] as [string, string]]),
    ]),
  );
  return fakeServices({
    clock,
    settings: { config },
    metadata: metadataOver(replicatedImage, nodeId),
    partitions: {
      partition: () => partition.isLeader ? partition : undefined,
      replica: () => partition,
      partitionErrorCode: () => ErrorCode.NOT_LEADER_OR_FOLLOWER,
    },
  });
}

function committedOnAll() {
  const replication = replicatedPartition();
  replication.produce(5);
  for (const brokerId of [2, 3, 2, 3]) replication.replicate(brokerId);
  return replication;
}

const RACK_AWARE = "org.apache.kafka.common.replica.RackAwareReplicaSelector";
const idOf = (answer: Awaited<ReturnType<typeof fetchHandler.handle>>) =>
  answer!.responses[0]!.partitions[0]!.preferredReadReplica;

Deno.test("KIP-392: the leader sends a consumer on a follower's rack there, with no records", async () => {
  const { leader } = committedOnAll();
  const answer = await fetchHandler.handle(
    fakeContext(1, 12, servicesOn(leader, 1, RACK_AWARE)),
    consumerFetch({ rackId: "rack-3" }),
  );
  const partition = answer!.responses[0]!.partitions[0]!;
  assert.equal(partition.errorCode, ErrorCode.NONE);
  assert.equal(partition.preferredReadReplica, 3);
  assert.equal(partition.highWatermark, 5);
  assert.equal(partition.records!.length, 0);
});

Deno.test("KIP-392: on the leader's rack, on no replica's rack, or without a selector, the leader serves", async () => {
  const { leader } = committedOnAll();
  for (
    const [selector, rackId] of [[RACK_AWARE, "rack-1"], [RACK_AWARE, "elsewhere"], [RACK_AWARE, ""], [
      null,
      "rack-3",
    ]] as const
  ) {
    const answer = await fetchHandler.handle(
      fakeContext(1, 12, servicesOn(leader, 1, selector)),
      consumerFetch({ rackId }),
    );
    assert.equal(idOf(answer), -1, `${selector} ${rackId}`);
    assert.ok(answer!.responses[0]!.partitions[0]!.records!.length > 0);
  }
});

Deno.test("KIP-392: a follower serves a v11+ consumer up to its high watermark; before v11 it refuses", async () => {
  const { followers } = committedOnAll();
  const follower = followers.get(3)!;
  const answer = await fetchHandler.handle(
    fakeContext(1, 12, servicesOn(follower, 3, RACK_AWARE)),
    consumerFetch(),
  );
  const partition = answer!.responses[0]!.partitions[0]!;
  assert.equal(partition.errorCode, ErrorCode.NONE);
  assert.equal(partition.highWatermark, 5);
  assert.equal(partition.preferredReadReplica, -1);
  assert.ok(partition.records!.length > 0);
  const old = await fetchHandler.handle(
    fakeContext(1, 10, servicesOn(follower, 3, RACK_AWARE)),
    consumerFetch(),
  );
  assert.equal(old!.responses[0]!.partitions[0]!.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
});
