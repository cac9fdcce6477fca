import assert from "node:assert/strict";
import { type Assignment, assignmentFromPairs, assignmentPairs, EMPTY_ASSIGNMENT } from "./assignment.ts";
import { type ConsumerGroupMember, MemberState, newMember } from "./member.ts";
import { reconcile } from "./reconciliation.ts";
import { topicIdFor } from "./test_helpers.ts";
import { ErrorCode, KafkaError } from "../../protocol/mod.ts";

const topic = topicIdFor(1);
const partitions = (...numbers: number[]): Assignment =>
  assignmentFromPairs(numbers.map((number) => [topic, number]));
const numbers = (assignment: Assignment) => assignmentPairs(assignment).map(([, partition]) => partition);

function member(fields: Partial<ConsumerGroupMember>): ConsumerGroupMember {
  return { ...newMember("m"), ...fields };
}

/** Partition epochs of the other members: partition -> epoch. */
const ownedByOthers = (owners: Record<number, number>) => (_topicId: string, partition: number) =>
  owners[partition] ?? -1;

Deno.test("a member reconciled to the target epoch is left as it is", () => {
  const stable = member({ memberEpoch: 4, assignedPartitions: partitions(0, 1) });
  const result = reconcile({
    member: stable,
    targetAssignmentEpoch: 4,
    targetAssignment: partitions(0, 1, 2),
    currentPartitionEpoch: ownedByOthers({}),
    ownedPartitions: null,
  });
  assert.equal(result, stable);
});

Deno.test("a joining member gets its free target partitions at the target epoch", () => {
  const result = reconcile({
    member: member({ memberEpoch: 0 }),
    targetAssignmentEpoch: 3,
    targetAssignment: partitions(0, 1),
    currentPartitionEpoch: ownedByOthers({}),
    ownedPartitions: EMPTY_ASSIGNMENT,
  });
  assert.equal(result.state, MemberState.STABLE);
  assert.equal(result.memberEpoch, 3);
  assert.equal(result.previousMemberEpoch, 0);
  assert.deepEqual(numbers(result.assignedPartitions), [0, 1]);
});

Deno.test("a member revokes before it moves to the next epoch or gets anything new", () => {
  const result = reconcile({
    member: member({ memberEpoch: 3, assignedPartitions: partitions(0, 1, 2) }),
    targetAssignmentEpoch: 4,
    targetAssignment: partitions(0, 5),
    currentPartitionEpoch: ownedByOthers({ 0: 3, 1: 3, 2: 3 }),
    ownedPartitions: partitions(0, 1, 2),
  });
  assert.equal(result.state, MemberState.UNREVOKED_PARTITIONS);
  assert.equal(result.memberEpoch, 3);
  assert.deepEqual(numbers(result.assignedPartitions), [0]);
  assert.deepEqual(numbers(result.partitionsPendingRevocation), [1, 2]);
});

Deno.test("a member still reporting a revoked partition stays where it is", () => {
  const revoking = member({
    memberEpoch: 3,
    state: MemberState.UNREVOKED_PARTITIONS,
    assignedPartitions: partitions(0),
    partitionsPendingRevocation: partitions(1, 2),
  });
  for (const owned of [partitions(0, 2), null]) {
    const result = reconcile({
      member: revoking,
      targetAssignmentEpoch: 4,
      targetAssignment: partitions(0, 5),
      currentPartitionEpoch: ownedByOthers({}),
      ownedPartitions: owned,
    });
    assert.equal(result, revoking);
  }
});

Deno.test("once revoked, a member moves to the target epoch and waits for unreleased partitions", () => {
  const result = reconcile({
    member: member({
      memberEpoch: 3,
      state: MemberState.UNREVOKED_PARTITIONS,
      assignedPartitions: partitions(0),
      partitionsPendingRevocation: partitions(1, 2),
    }),
    targetAssignmentEpoch: 4,
    targetAssignment: partitions(0, 5, 6),
    currentPartitionEpoch: ownedByOthers({ 1: 3, 2: 3, 6: 3 }),
    ownedPartitions: partitions(0),
  });
  assert.equal(result.state, MemberState.UNRELEASED_PARTITIONS);
  assert.equal(result.memberEpoch, 4);
  assert.deepEqual(numbers(result.assignedPartitions), [0, 5]);
  assert.deepEqual(numbers(result.partitionsPendingRevocation), []);
});

Deno.test("a member waiting for unreleased partitions gets them once released", () => {
  const result = reconcile({
    member: member({
      memberEpoch: 4,
      state: MemberState.UNRELEASED_PARTITIONS,
      assignedPartitions: partitions(0, 5),
    }),
    targetAssignmentEpoch: 4,
    targetAssignment: partitions(0, 5, 6),
    currentPartitionEpoch: ownedByOthers({}),
    ownedPartitions: null,
  });
  assert.equal(result.state, MemberState.STABLE);
  assert.deepEqual(numbers(result.assignedPartitions), [0, 5, 6]);
});

Deno.test("a partition the member itself was revoking is given back once revoked", () => {
  const result = reconcile({
    member: member({
      memberEpoch: 3,
      state: MemberState.UNREVOKED_PARTITIONS,
      assignedPartitions: partitions(0),
      partitionsPendingRevocation: partitions(1),
    }),
    targetAssignmentEpoch: 5,
    targetAssignment: partitions(0, 1),
    // Partition 1 is still recorded as owned by this member at epoch 3.
    currentPartitionEpoch: ownedByOthers({ 0: 3, 1: 3 }),
    ownedPartitions: partitions(0),
  });
  assert.equal(result.state, MemberState.STABLE);
  assert.deepEqual(numbers(result.assignedPartitions), [0, 1]);
});

Deno.test("a member in an unknown state is fenced unless it owns nothing", () => {
  const unknown = member({ memberEpoch: 3, state: MemberState.UNKNOWN, assignedPartitions: partitions(0) });
  const input = {
    member: unknown,
    targetAssignmentEpoch: 5,
    targetAssignment: partitions(0, 1),
    currentPartitionEpoch: ownedByOthers({ 0: 3 }),
  };
  assert.throws(
    () => reconcile({ ...input, ownedPartitions: partitions(0) }),
    (error) => error instanceof KafkaError && error.code === ErrorCode.FENCED_MEMBER_EPOCH,
  );
  const result = reconcile({ ...input, ownedPartitions: EMPTY_ASSIGNMENT });
  assert.equal(result.state, MemberState.STABLE);
  assert.equal(result.memberEpoch, 5);
});
