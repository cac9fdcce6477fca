import assert from "node:assert/strict";
import { ErrorCode } from "../protocol/mod.ts";
import {
  type AlterPartitionData,
  type AlterPartitionRequest,
  decideAlterPartition,
} from "./alter_partition.ts";
import { applyAll, clusterImage, incarnation, stateOf, TOPIC_ID } from "./_broker_test_support.ts";
import type { MetadataImage } from "./image.ts";
import { LeaderRecoveryState, MetadataRecordType } from "./records.ts";

// Brokers 1-3 at epochs 101-103; partition 0 of "orders" led by 1 with ISR [1, 2] at leader epoch 5,
// partition epoch 10.
function image(): MetadataImage {
  return clusterImage([{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }], [
    { replicas: [1, 2, 3], isr: [1, 2], leader: 1 },
  ]);
}

function partitionData(change: Partial<AlterPartitionData> = {}): AlterPartitionData {
  return {
    partitionIndex: 0,
    leaderEpoch: 5,
    newIsr: [1, 2, 3],
    newIsrWithEpochs: [],
    leaderRecoveryState: 0,
    partitionEpoch: 10,
    ...change,
  };
}

function request(change: Partial<AlterPartitionData> = {}, top: Partial<AlterPartitionRequest> = {}) {
  return {
    version: 2,
    brokerId: 1,
    brokerEpoch: 101,
    topics: [{ topicName: "", topicId: TOPIC_ID, partitions: [partitionData(change)] }],
    ...top,
  };
}

/** The error of the one partition of the answer, after checking nothing was written for it. */
function refusal(metadata: MetadataImage, alter: AlterPartitionRequest): number {
  const decision = decideAlterPartition(metadata, alter);
  assert.equal(decision.response.errorCode, ErrorCode.NONE);
  assert.deepEqual(decision.records, []);
  return decision.response.topics[0]!.partitions[0]!.errorCode;
}

Deno.test("an ISR expansion is one PartitionChangeRecord: partition epoch +1, leader and its epoch unchanged", () => {
  const metadata = image();
  const decision = decideAlterPartition(metadata, request());
  assert.deepEqual(decision.records, [{
    type: MetadataRecordType.PartitionChange,
    topicId: TOPIC_ID,
    partitionId: 0,
    isr: [1, 2, 3],
    leader: -2,
    replicas: null,
  }]);
  assert.deepEqual(decision.response.topics[0]!.partitions[0], {
    partitionIndex: 0,
    errorCode: ErrorCode.NONE,
    leaderId: 1,
    leaderEpoch: 5,
    isr: [1, 2, 3],
    leaderRecoveryState: 0,
    partitionEpoch: 11,
  });
  applyAll(metadata, decision.records);
  assert.deepEqual(stateOf(metadata, 0), { leader: 1, isr: [1, 2, 3], leaderEpoch: 5, partitionEpoch: 11 });
});

Deno.test("an ISR shrink is accepted the same way", () => {
  const metadata = image();
  const decision = decideAlterPartition(metadata, request({ newIsr: [1] }));
  applyAll(metadata, decision.records);
  assert.deepEqual(stateOf(metadata, 0), { leader: 1, isr: [1], leaderEpoch: 5, partitionEpoch: 11 });
});

Deno.test("an ISR equal to the current one is answered with the current state and writes nothing", () => {
  const decision = decideAlterPartition(image(), request({ newIsr: [1, 2] }));
  assert.deepEqual(decision.records, []);
  const partition = decision.response.topics[0]!.partitions[0]!;
  assert.equal(partition.errorCode, ErrorCode.NONE);
  assert.deepEqual(partition.isr, [1, 2]);
  assert.equal(partition.partitionEpoch, 10);
});

Deno.test("a stale or unknown requesting broker epoch fails the whole request with STALE_BROKER_EPOCH", () => {
  for (const top of [{ brokerEpoch: 99 }, { brokerId: 9, brokerEpoch: 109 }]) {
    const decision = decideAlterPartition(image(), request({}, top));
    assert.deepEqual(decision, {
      records: [],
      response: { errorCode: ErrorCode.STALE_BROKER_EPOCH, topics: [] },
    });
  }
});

Deno.test("an unknown topic is UNKNOWN_TOPIC_ID by id (v2+) and UNKNOWN_TOPIC_OR_PARTITION by name (v0-1)", () => {
  const byId = request();
  byId.topics[0]!.topicId = new Uint8Array(16).fill(9);
  assert.equal(refusal(image(), byId), ErrorCode.UNKNOWN_TOPIC_ID);
  const byName = request({}, { version: 1 });
  byName.topics[0]!.topicName = "missing";
  assert.equal(refusal(image(), byName), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
});

Deno.test("v0 and v1 find the topic by name", () => {
  const byName = request({}, { version: 0 });
  byName.topics[0]!.topicName = "orders";
  byName.topics[0]!.topicId = new Uint8Array(16);
  assert.equal(decideAlterPartition(image(), byName).records.length, 1);
});

Deno.test("an unknown partition is UNKNOWN_TOPIC_OR_PARTITION", () => {
  assert.equal(refusal(image(), request({ partitionIndex: 7 })), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
});

Deno.test("a request from a broker that does not lead the partition is INVALID_REQUEST (as Kafka answers)", () => {
  assert.equal(refusal(image(), request({}, { brokerId: 2, brokerEpoch: 102 })), ErrorCode.INVALID_REQUEST);
});

Deno.test("an older leader epoch is FENCED_LEADER_EPOCH; a newer one means this controller is behind", () => {
  assert.equal(refusal(image(), request({ leaderEpoch: 4 })), ErrorCode.FENCED_LEADER_EPOCH);
  assert.equal(refusal(image(), request({ leaderEpoch: 6 })), ErrorCode.NOT_CONTROLLER);
});

Deno.test("an older partition epoch is INVALID_UPDATE_VERSION; a newer one NOT_CONTROLLER", () => {
  assert.equal(refusal(image(), request({ partitionEpoch: 9 })), ErrorCode.INVALID_UPDATE_VERSION);
  assert.equal(refusal(image(), request({ partitionEpoch: 11 })), ErrorCode.NOT_CONTROLLER);
});

Deno.test("an empty ISR, one with a non-replica or a duplicate, or one without the leader is INVALID_REQUEST", () => {
  for (const newIsr of [[], [1, 4], [1, 1], [2, 3]]) {
    assert.equal(refusal(image(), request({ newIsr })), ErrorCode.INVALID_REQUEST, `ISR ${newIsr}`);
  }
});

Deno.test("a fenced, shutting-down or unregistered replica is INELIGIBLE_REPLICA (v2+), OPERATION_NOT_ATTEMPTED before", () => {
  const fenced = clusterImage([{ id: 1 }, { id: 2 }, { id: 3, fenced: true }], [
    { replicas: [1, 2, 3], isr: [1, 2], leader: 1 },
  ]);
  assert.equal(refusal(fenced, request()), ErrorCode.INELIGIBLE_REPLICA);
  const shuttingDown = image();
  shuttingDown.apply({
    type: MetadataRecordType.BrokerRegistrationChange,
    brokerId: 3,
    brokerEpoch: 103,
    fenced: 0,
    inControlledShutdown: 1,
  });
  assert.equal(refusal(shuttingDown, request()), ErrorCode.INELIGIBLE_REPLICA);
  const unregistered = image();
  unregistered.apply({ type: MetadataRecordType.UnregisterBroker, brokerId: 3, brokerEpoch: 103 });
  assert.equal(refusal(unregistered, request()), ErrorCode.INELIGIBLE_REPLICA);
  const byName = request({}, { version: 1 });
  byName.topics[0]!.topicName = "orders";
  assert.equal(refusal(fenced, byName), ErrorCode.OPERATION_NOT_ATTEMPTED);
});

Deno.test("v3: a member whose broker epoch is not the registered one is INELIGIBLE_REPLICA (KIP-903)", () => {
  const members = (epochOf3: number) => [
    { brokerId: 1, brokerEpoch: 101 },
    { brokerId: 2, brokerEpoch: 102 },
    { brokerId: 3, brokerEpoch: epochOf3 },
  ];
  const v3 = (epochOf3: number) =>
    request({ newIsr: [], newIsrWithEpochs: members(epochOf3) }, { version: 3 });
  assert.equal(refusal(image(), v3(90)), ErrorCode.INELIGIBLE_REPLICA);
  // A restart registers a new incarnation at a new epoch; the leader's view of the old one is refused.
  const restarted = image();
  restarted.apply({
    type: MetadataRecordType.RegisterBroker,
    brokerId: 3,
    brokerEpoch: 200,
    incarnationId: incarnation(3, 1),
    endPoints: [],
    rack: null,
    fenced: false,
  });
  assert.equal(refusal(restarted, v3(103)), ErrorCode.INELIGIBLE_REPLICA);
  assert.equal(decideAlterPartition(restarted, v3(200)).records.length, 1);
  assert.equal(decideAlterPartition(image(), v3(-1)).records.length, 1, "-1 skips the check");
});

Deno.test("a leader recovering from an unclean election reports RECOVERED, then others may join", () => {
  const metadata = clusterImage([{ id: 1 }, { id: 2 }], [{ replicas: [1, 2], isr: [1], leader: 1 }]);
  metadata.apply({
    type: MetadataRecordType.PartitionChange,
    topicId: TOPIC_ID,
    partitionId: 0,
    isr: null,
    leader: -2,
    replicas: null,
    leaderRecoveryState: LeaderRecoveryState.Recovering,
  });
  const recovering = { newIsr: [1], partitionEpoch: 11, leaderRecoveryState: LeaderRecoveryState.Recovering };
  assert.equal(
    refusal(metadata, request({ ...recovering, newIsr: [1, 2] })),
    ErrorCode.INVALID_REQUEST,
    "no second member while recovering",
  );
  const decision = decideAlterPartition(metadata, request({ ...recovering, leaderRecoveryState: 0 }));
  assert.deepEqual(decision.records.map((record) => [record.isr, record.leaderRecoveryState]), [[null, 0]]);
  assert.equal(decision.response.topics[0]!.partitions[0]!.leaderRecoveryState, 0);
  applyAll(metadata, decision.records);
  assert.equal(metadata.topicsByName.get("orders")!.partitions[0]!.leaderRecoveryState, 0);
  assert.equal(
    refusal(metadata, request({ newIsr: [1], partitionEpoch: 12, leaderRecoveryState: 1 })),
    ErrorCode.INVALID_REQUEST,
    "RECOVERED never goes back to RECOVERING",
  );
});

Deno.test("each partition of a request is decided on its own", () => {
  const metadata = clusterImage([{ id: 1 }, { id: 2 }], [
    { replicas: [1, 2], isr: [1], leader: 1 },
    { replicas: [1, 2], isr: [1], leader: 1 },
  ]);
  const alter = request();
  alter.topics[0]!.partitions = [
    partitionData({ newIsr: [1, 2] }),
    partitionData({ partitionIndex: 1, newIsr: [1, 2], leaderEpoch: 3 }),
  ];
  const decision = decideAlterPartition(metadata, alter);
  assert.deepEqual(decision.records.map((record) => record.partitionId), [0]);
  assert.deepEqual(
    decision.response.topics[0]!.partitions.map((partition) => partition.errorCode),
    [ErrorCode.NONE, ErrorCode.FENCED_LEADER_EPOCH],
  );
});
