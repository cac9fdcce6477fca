/**
 * The partition change builder on its own: what it writes for each kind of
 * target, in Kafka's order, and that reaching no new state writes nothing.
 */
import assert from "node:assert/strict";
import type { PartitionImage } from "./image.ts";
import { buildPartitionChange, type PartitionChangeInput } from "./partition_change_builder.ts";
import { LeaderRecoveryState } from "./records.ts";

const TOPIC_ID = new Uint8Array(16).fill(7);

function partition(overrides: Partial<PartitionImage> = {}): PartitionImage {
  return {
    partition: 0,
    replicas: [1, 2, 3],
    isr: [1, 2, 3],
    leader: 1,
    leaderEpoch: 4,
    partitionEpoch: 9,
    leaderRecoveryState: LeaderRecoveryState.Recovered,
    removingReplicas: [],
    addingReplicas: [],
    eligibleLeaderReplicas: [],
    lastKnownElr: [],
    ...overrides,
  };
}

function build(current: PartitionImage, input: Partial<PartitionChangeInput> = {}) {
  return buildPartitionChange({
    topicId: TOPIC_ID,
    partition: current,
    isAcceptableLeader: () => true,
    minIsr: 1,
    elrEnabled: false,
    ...input,
  });
}

Deno.test("no new state writes no record", () => {
  assert.equal(build(partition()), null);
  assert.equal(build(partition(), { targetIsr: [1, 2, 3], election: "preferred" }), null);
});

Deno.test("a preferred election takes the first replica, else keeps a valid leader, else the next valid replica", () => {
  assert.equal(build(partition({ leader: 2 }), { election: "preferred" })?.leader, 1);
  assert.equal(
    build(partition({ leader: 2 }), { election: "preferred", isAcceptableLeader: (id) => id !== 1 }),
    null,
  );
  const fallback = build(partition({ leader: 2, isr: [1, 3] }), {
    election: "preferred",
    isAcceptableLeader: (id) => id === 3,
  });
  assert.equal(fallback?.leader, 3);
});

Deno.test("removing replicas bumps the leader epoch even when the leader stays", () => {
  const record = build(partition(), { targetReplicas: [1, 2], targetIsr: [1, 2] });
  assert.deepEqual([record?.leader, record?.replicas, record?.isr], [1, [1, 2], [1, 2]]);
  const added = build(partition({ replicas: [1], isr: [1] }), { targetReplicas: [1, 2], targetAdding: [2] });
  assert.equal(added?.leader, -2, "adding replicas keeps the epoch");
});

Deno.test("without ELR the last ISR member stays; with it the ISR empties and the ELR remembers", () => {
  const alone = partition({ isr: [1] });
  const kept = build(alone, { targetIsr: [], isAcceptableLeader: (id) => id !== 1 });
  assert.deepEqual([kept?.leader, kept?.isr], [-1, null]);
  const emptied = build(alone, {
    targetIsr: [],
    isAcceptableLeader: (id) => id !== 1,
    elrEnabled: true,
    minIsr: 2,
  });
  assert.deepEqual(
    [emptied?.leader, emptied?.isr, emptied?.eligibleLeaderReplicas, emptied?.lastKnownElr],
    [-1, [], [1], [1]],
  );
});

Deno.test("an unclean election leads alone and RECOVERING, once", () => {
  const record = build(partition({ isr: [1], leader: -1 }), {
    election: "unclean",
    isAcceptableLeader: (id) => id === 3,
  });
  assert.deepEqual([record?.leader, record?.isr, record?.leaderRecoveryState], [
    3,
    [3],
    LeaderRecoveryState.Recovering,
  ]);
  const again = build(
    partition({ isr: [2], leader: -1, leaderRecoveryState: LeaderRecoveryState.Recovering }),
    {
      election: "unclean",
      isAcceptableLeader: (id) => id === 3,
    },
  );
  assert.equal(again?.leaderRecoveryState, undefined, "already RECOVERING: left as it is");
});
