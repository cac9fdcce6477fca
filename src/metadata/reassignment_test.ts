/**
 * Partition reassignment (KIP-455): the target replicas go in with the
 * joining and leaving lists, the ISR change that holds every target replica
 * completes it (a leaving leader hands over), a null target cancels it, and
 * Kafka's errors refuse what cannot be done.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../protocol/mod.ts";
import { decideAlterPartition } from "./alter_partition.ts";
import type { MetadataImage } from "./image.ts";
import { decideAlterPartitionReassignments, listPartitionReassignments } from "./reassignment.ts";
import { applyAll, clusterImage, partitionOf, TOPIC_ID } from "./_broker_test_support.ts";
import { ConfigResourceType, MetadataRecordType } from "./records.ts";

const BROKERS = [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }];

function reassign(image: MetadataImage, replicas: number[] | null, partitionIndex = 0, name = "orders") {
  return decideAlterPartitionReassignments(image, {
    topics: [{ name, partitions: [{ partitionIndex, replicas }] }],
  });
}

/** The leader's AlterPartition with `isr` (v3), as the broker sends it once followers caught up. */
function leaderReports(image: MetadataImage, isr: number[]) {
  const partition = partitionOf(image, 0);
  return decideAlterPartition(image, {
    version: 3,
    brokerId: partition.leader,
    brokerEpoch: 100 + partition.leader,
    topics: [{
      topicName: "",
      topicId: TOPIC_ID,
      partitions: [{
        partitionIndex: 0,
        leaderEpoch: partition.leaderEpoch,
        newIsr: [],
        newIsrWithEpochs: isr.map((brokerId) => ({ brokerId, brokerEpoch: 100 + brokerId })),
        leaderRecoveryState: 0,
        partitionEpoch: partition.partitionEpoch,
      }],
    }],
  });
}

function errorOf(decision: ReturnType<typeof reassign>) {
  const result = decision.responses[0]!.partitions[0]!;
  return { errorCode: result.errorCode, errorMessage: result.errorMessage };
}

Deno.test("raising the replication factor completes when the leader reports every new replica in sync", () => {
  const image = clusterImage(BROKERS, [{ replicas: [1], isr: [1], leader: 1 }]);
  const started = reassign(image, [1, 2, 3]);
  assert.equal(errorOf(started).errorCode, ErrorCode.NONE);
  applyAll(image, started.records);
  const partition = partitionOf(image, 0);
  assert.deepEqual([partition.replicas, partition.addingReplicas, partition.removingReplicas], [[1, 2, 3], [
    2,
    3,
  ], []]);
  assert.deepEqual(partition.isr, [1]);
  assert.equal(partition.leaderEpoch, 5, "adding replicas keeps the leader epoch");
  assert.deepEqual(listPartitionReassignments(image, null), [{
    name: "orders",
    partitions: [{ partitionIndex: 0, replicas: [1, 2, 3], addingReplicas: [2, 3], removingReplicas: [] }],
  }]);
  applyAll(image, leaderReports(image, [1, 2]).records);
  assert.deepEqual(partitionOf(image, 0).addingReplicas, [2, 3], "3 has not caught up yet");
  const completing = leaderReports(image, [1, 2, 3]);
  assert.equal(completing.response.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
  applyAll(image, completing.records);
  const done = partitionOf(image, 0);
  assert.deepEqual([done.replicas, done.isr, done.addingReplicas, done.removingReplicas], [
    [1, 2, 3],
    [1, 2, 3],
    [],
    [],
  ]);
  assert.deepEqual(listPartitionReassignments(image, null), []);
});

Deno.test("moving a partition off its leader hands leadership to a target replica when the move completes", () => {
  const image = clusterImage(BROKERS, [{ replicas: [1, 2], isr: [1, 2], leader: 1 }]);
  applyAll(image, reassign(image, [3, 2]).records);
  const moving = partitionOf(image, 0);
  assert.deepEqual([moving.replicas, moving.addingReplicas, moving.removingReplicas], [[3, 2, 1], [3], [1]]);
  assert.equal(moving.leader, 1, "the leader keeps leading while 3 catches up");
  const completing = leaderReports(image, [1, 2, 3]);
  assert.equal(completing.response.topics[0]!.partitions[0]!.errorCode, ErrorCode.NEW_LEADER_ELECTED);
  applyAll(image, completing.records);
  const done = partitionOf(image, 0);
  assert.deepEqual([done.replicas, done.isr, done.leader], [[3, 2], [2, 3], 3]);
  assert.deepEqual([done.addingReplicas, done.removingReplicas], [[], []]);
  assert.equal(done.leaderEpoch, 6);
});

Deno.test("a reassignment the ISR already satisfies completes in one record", async (t) => {
  await t.step("dropping the leader elects the next target replica in the ISR", () => {
    const image = clusterImage(BROKERS, [{ replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1 }]);
    const decision = reassign(image, [2, 3]);
    assert.equal(decision.records.length, 1);
    applyAll(image, decision.records);
    const partition = partitionOf(image, 0);
    assert.deepEqual([partition.replicas, partition.isr, partition.leader], [[2, 3], [2, 3], 2]);
    assert.deepEqual([partition.addingReplicas, partition.removingReplicas], [[], []]);
  });
  await t.step(
    "reordering keeps the leader (a preferred election moves it) and bumps no leader epoch",
    () => {
      const image = clusterImage(BROKERS, [{ replicas: [1, 2], isr: [1, 2], leader: 1 }]);
      applyAll(image, reassign(image, [2, 1]).records);
      const partition = partitionOf(image, 0);
      assert.deepEqual([partition.replicas, partition.leader, partition.leaderEpoch], [[2, 1], 1, 5]);
    },
  );
  await t.step("the same replicas write nothing", () => {
    const image = clusterImage(BROKERS, [{ replicas: [1, 2], isr: [1, 2], leader: 1 }]);
    const decision = reassign(image, [1, 2]);
    assert.deepEqual([decision.records, errorOf(decision).errorCode], [[], ErrorCode.NONE]);
  });
});

Deno.test("cancelling drops the joining replicas and keeps the leaving ones", () => {
  const image = clusterImage(BROKERS, [{ replicas: [1, 2], isr: [1, 2], leader: 1 }]);
  applyAll(image, reassign(image, [3, 4]).records);
  applyAll(image, leaderReports(image, [1, 2, 3]).records);
  assert.deepEqual(partitionOf(image, 0).replicas, [3, 4, 1, 2]);
  const cancelled = reassign(image, null);
  assert.equal(errorOf(cancelled).errorCode, ErrorCode.NONE);
  applyAll(image, cancelled.records);
  const partition = partitionOf(image, 0);
  assert.deepEqual([partition.replicas, partition.isr, partition.leader], [[1, 2], [1, 2], 1]);
  assert.deepEqual([partition.addingReplicas, partition.removingReplicas], [[], []]);
  assert.deepEqual(errorOf(reassign(image, null)), {
    errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
    errorMessage: "No partition reassignment is in progress.",
  });
});

Deno.test("a cancellation that would need an unclean election is refused unless the topic allows one", () => {
  const setUp = () => {
    const image = clusterImage(BROKERS, [{ replicas: [1], isr: [1], leader: 1 }]);
    // Moving 1 -> 2, and only the joining replica is left in the ISR.
    image.apply({
      type: MetadataRecordType.PartitionChange,
      topicId: TOPIC_ID,
      partitionId: 0,
      isr: [2],
      leader: 2,
      replicas: [2, 1],
      addingReplicas: [2],
      removingReplicas: [1],
    });
    return image;
  };
  const refused = setUp();
  assert.deepEqual(errorOf(reassign(refused, null)), {
    errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    errorMessage: "Unable to revert partition assignment for orders:0 because it would require an unclean " +
      "leader election.",
  });
  const allowed = setUp();
  allowed.apply({
    type: MetadataRecordType.Config,
    resourceType: ConfigResourceType.Topic,
    resourceName: "orders",
    name: "unclean.leader.election.enable",
    value: "true",
  });
  const reverted = reassign(allowed, null);
  assert.equal(errorOf(reverted).errorCode, ErrorCode.NONE);
  applyAll(allowed, reverted.records);
  const partition = partitionOf(allowed, 0);
  assert.deepEqual([partition.replicas, partition.isr, partition.leader], [[1], [1], 1]);
});

Deno.test("Kafka's errors refuse a reassignment", () => {
  const image = clusterImage(BROKERS, [{ replicas: [1], isr: [1], leader: 1 }]);
  assert.deepEqual(errorOf(reassign(image, [1], 0, "missing")), {
    errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    errorMessage: "Unable to find a topic named missing.",
  });
  assert.deepEqual(errorOf(reassign(image, [1], 7)), {
    errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    errorMessage: "Unable to find partition orders:7.",
  });
  assert.deepEqual(errorOf(reassign(image, [])), {
    errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    errorMessage: "The manual partition assignment includes an empty replica list.",
  });
  assert.deepEqual(errorOf(reassign(image, [1, 9])), {
    errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    errorMessage: "The manual partition assignment includes broker 9, but no such broker is registered.",
  });
  assert.deepEqual(errorOf(reassign(image, [2, 2])), {
    errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    errorMessage: "The manual partition assignment includes the broker 2 more than once.",
  });
  assert.deepEqual(reassign(image, []).records, []);
});

Deno.test("listing names only reassigning partitions of known topics", () => {
  const image = clusterImage(BROKERS, [
    { replicas: [1], isr: [1], leader: 1 },
    { replicas: [2], isr: [2], leader: 2 },
  ]);
  applyAll(
    image,
    decideAlterPartitionReassignments(image, {
      topics: [{ name: "orders", partitions: [{ partitionIndex: 1, replicas: [2, 3] }] }],
    }).records,
  );
  assert.deepEqual(
    listPartitionReassignments(image, [{ name: "orders", partitionIndexes: [0, 1, 5] }, {
      name: "missing",
      partitionIndexes: [0],
    }]),
    [{
      name: "orders",
      partitions: [{ partitionIndex: 1, replicas: [2, 3], addingReplicas: [3], removingReplicas: [] }],
    }],
  );
  assert.deepEqual(listPartitionReassignments(image, [{ name: "orders", partitionIndexes: [0] }]), []);
});
