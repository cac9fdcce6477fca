/**
 * ElectLeaders (KIP-460) and the automatic preferred leader elections:
 * PREFERRED moves leadership to the first replica when it is in the ISR and
 * active, UNCLEAN gives a leaderless partition any live replica, and each
 * partition answers with Kafka's error when no election is needed or none
 * is possible.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../protocol/mod.ts";
import { decideElectLeaders, ElectionType, preferredLeaderElections } from "./elect_leaders.ts";
import type { MetadataImage } from "./image.ts";
import { applyAll, clusterImage, partitionOf } from "./_broker_test_support.ts";
import { LeaderRecoveryState, MetadataRecordType } from "./records.ts";

function elect(image: MetadataImage, electionType: number, partitions: number[] | null) {
  return decideElectLeaders(image, {
    electionType,
    topicPartitions: partitions === null ? null : [{ topic: "orders", partitions }],
  });
}

function codes(decision: ReturnType<typeof elect>) {
  return decision.results.flatMap((topic) =>
    topic.partitionResult.map((result) => [topic.topic, result.partitionId, result.errorCode])
  );
}

/** Partition 0 led by its second replica; 1 led by its first; 2 with its first replica out of the ISR. */
function imbalanced(): MetadataImage {
  return clusterImage([{ id: 1 }, { id: 2 }, { id: 3 }], [
    { replicas: [1, 2], isr: [1, 2], leader: 2 },
    { replicas: [2, 3], isr: [2, 3], leader: 2 },
    { replicas: [3, 1], isr: [1], leader: 1 },
  ]);
}

Deno.test("a preferred election moves leadership to the first replica when it may lead", () => {
  const image = imbalanced();
  const decision = elect(image, ElectionType.Preferred, [0, 1, 2, 9]);
  assert.equal(decision.errorCode, ErrorCode.NONE);
  assert.deepEqual(codes(decision), [
    ["orders", 0, ErrorCode.NONE],
    ["orders", 1, ErrorCode.ELECTION_NOT_NEEDED],
    ["orders", 2, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE],
    ["orders", 9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
  ]);
  applyAll(image, decision.records);
  assert.deepEqual([partitionOf(image, 0).leader, partitionOf(image, 0).leaderEpoch], [1, 6]);
  assert.equal(decision.records.length, 1);
});

Deno.test("a fenced preferred replica is not elected", () => {
  const image = clusterImage([{ id: 1, fenced: true }, { id: 2 }], [{
    replicas: [1, 2],
    isr: [1, 2],
    leader: 2,
  }]);
  assert.deepEqual(codes(elect(image, ElectionType.Preferred, [0])), [
    ["orders", 0, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE],
  ]);
});

Deno.test("no topics means every partition, answering only those an election was tried for", () => {
  const image = imbalanced();
  assert.deepEqual(codes(elect(image, ElectionType.Preferred, null)), [
    ["orders", 0, ErrorCode.NONE],
    ["orders", 2, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE],
  ]);
  const unknown = decideElectLeaders(image, {
    electionType: ElectionType.Preferred,
    topicPartitions: [{ topic: "missing", partitions: [0] }],
  });
  assert.deepEqual(codes(unknown), [["missing", 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]);
  assert.equal(unknown.results[0]!.partitionResult[0]!.errorMessage, "No such topic as missing");
});

Deno.test("an unclean election gives a leaderless partition a live replica, RECOVERING", () => {
  const image = clusterImage([{ id: 1, fenced: true }, { id: 2 }], [
    { replicas: [1, 2], isr: [1], leader: -1 },
    { replicas: [1, 2], isr: [2], leader: 2 },
  ]);
  const decision = elect(image, ElectionType.Unclean, [0, 1]);
  assert.deepEqual(codes(decision), [
    ["orders", 0, ErrorCode.NONE],
    ["orders", 1, ErrorCode.ELECTION_NOT_NEEDED],
  ]);
  applyAll(image, decision.records);
  const partition = partitionOf(image, 0);
  assert.deepEqual([partition.leader, partition.isr], [2, [2]]);
  assert.equal(partition.leaderRecoveryState, LeaderRecoveryState.Recovering);
});

Deno.test("an unclean election with no live replica is ELIGIBLE_LEADERS_NOT_AVAILABLE", () => {
  const image = clusterImage([{ id: 1, fenced: true }, { id: 2, fenced: true }], [
    { replicas: [1, 2], isr: [1], leader: -1 },
  ]);
  assert.deepEqual(codes(elect(image, ElectionType.Unclean, [0])), [
    ["orders", 0, ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE],
  ]);
});

Deno.test("an unknown election type is INVALID_REQUEST and elects nothing", () => {
  const decision = elect(imbalanced(), 7, [0]);
  assert.deepEqual([decision.errorCode, decision.records], [ErrorCode.INVALID_REQUEST, []]);
});

Deno.test("a partition named twice is elected once", () => {
  const decision = elect(imbalanced(), ElectionType.Preferred, [0, 0]);
  assert.equal(decision.records.length, 1);
  assert.deepEqual(codes(decision), [["orders", 0, ErrorCode.NONE], ["orders", 0, ErrorCode.NONE]]);
});

Deno.test("the automatic rebalance elects every preferred replica that may lead, within its bound", () => {
  const image = imbalanced();
  image.apply({
    type: MetadataRecordType.Partition,
    topicId: image.topicsByName.get("orders")!.topicId,
    partitionId: 3,
    replicas: [3, 2],
    isr: [3, 2],
    leader: 2,
    leaderEpoch: 0,
    partitionEpoch: 0,
  });
  assert.equal(preferredLeaderElections(image, undefined, 1).length, 1);
  const records = preferredLeaderElections(image);
  assert.deepEqual(records.map((record) => [record.partitionId, record.leader]), [[0, 1], [3, 3]]);
  applyAll(image, records);
  assert.deepEqual(
    preferredLeaderElections(image),
    [],
    "balanced now (2's preferred replica is not in sync)",
  );
});
