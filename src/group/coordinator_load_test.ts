/**
 * Restart: a new coordinator replays what the old one wrote and serves the
 * same groups and offsets; loaded members must heartbeat within their
 * session, and a static member may come back without a rebalance.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../protocol/mod.ts";
import { Harness, TEST_CONFIG } from "./_coordinator_test_support.ts";
import { ClassicGroupState } from "./classic_group_state.ts";
import { GroupCoordinator } from "./coordinator.ts";
import { decodeOffsetsTopicRecord, encodeOffsetsTopicRecord } from "./offsets_topic_records.ts";
import type { JoinGroupResponse, SyncGroupResponse } from "./responses.ts";

/** A new coordinator loaded from `harness`'s log (each record through its bytes, as from disk). */
function restart(harness: Harness): Harness {
  let suffix = 0;
  // Member ids must not repeat the first incarnation's (real ones end in a random UUID).
  const restarted = new Harness({
    activePartitions: [],
    config: { newMemberIdSuffix: () => `after${++suffix}` },
  });
  restarted.nowMs = harness.nowMs;
  const coordinator = restarted.coordinator;
  for (let partition = 0; partition < TEST_CONFIG.partitionCount; partition++) {
    coordinator.beginLoading(partition);
    for (const record of harness.log.get(partition) ?? []) {
      const encoded = encodeOffsetsTopicRecord(record);
      coordinator.replay(partition, decodeOffsetsTopicRecord(encoded.key, encoded.value));
    }
    coordinator.finishLoading(partition, restarted.nowMs);
    restarted.log.set(partition, [...(harness.log.get(partition) ?? [])]);
  }
  restarted.pump();
  return restarted;
}

Deno.test("groups, generations, assignments and offsets survive a restart", () => {
  const before = new Harness();
  const group = before.formGroup("g", 2);
  before.commit({
    groupId: "g",
    memberId: group.memberIds[0]!,
    generationIdOrMemberEpoch: group.generationId,
  }, {
    "topic:0": 11,
  });
  before.commit({ groupId: "simple" }, { "t:3": 33 });
  before.commit({ groupId: "deleted" }, { "t:0": 1 });
  before.coordinator.deleteGroups(500, ["deleted"], before.nowMs);
  before.pump();
  const after = restart(before);
  const loaded = after.coordinator.classicGroup("g")!;
  assert.equal(loaded.state, ClassicGroupState.Stable);
  assert.equal(loaded.generationId, group.generationId);
  assert.equal(loaded.leaderId, group.leaderId);
  assert.deepEqual([...loaded.members.keys()].sort(), [...group.memberIds].sort());
  assert.equal(after.committed("g", "topic:0"), 11);
  assert.equal(after.committed("simple", "t:3"), 33);
  assert.equal(after.coordinator.group("deleted"), undefined);
  assert.equal(after.committed("deleted", "t:0"), -1);
  // The members carry on where they were: same generation, same assignment.
  const memberId = group.memberIds[1]!;
  assert.equal(after.heartbeat({ groupId: "g", memberId, generationId: group.generationId }).errorCode, 0);
  const sync = after.answered<SyncGroupResponse>(
    after.sync({ groupId: "g", memberId, generationId: group.generationId }),
  );
  assert.deepEqual(sync.assignment, group.assignments[1]);
});

Deno.test("loaded members that never come back are expired after their session timeout", () => {
  const before = new Harness();
  before.formGroup("g", 2);
  const after = restart(before);
  after.advance(10_001);
  const state = after.coordinator.classicGroup("g")!;
  assert.equal(state.size, 0);
  assert.equal(state.state, ClassicGroupState.Empty);
});

Deno.test("a static member restarting with the node keeps its assignment without a rebalance", () => {
  const before = new Harness();
  const join = before.join({ groupId: "s", groupInstanceId: "pod-0" });
  before.advanceUntil(() => before.reply(join) !== undefined);
  const joined = before.answered<JoinGroupResponse>(join);
  before.sync({
    groupId: "s",
    memberId: joined.memberId,
    generationId: joined.generationId,
    groupInstanceId: "pod-0",
    assignments: [{ memberId: joined.memberId, assignment: new Uint8Array([1, 2, 3]) }],
  });
  const after = restart(before);
  after.advance(5000);
  const again = after.answered<JoinGroupResponse>(after.join({ groupId: "s", groupInstanceId: "pod-0" }, 7));
  assert.equal(again.errorCode, 0);
  assert.equal(again.generationId, joined.generationId);
  const sync = after.answered<SyncGroupResponse>(
    after.sync({
      groupId: "s",
      memberId: again.memberId,
      generationId: again.generationId,
      groupInstanceId: "pod-0",
    }),
  );
  assert.deepEqual(sync.assignment, new Uint8Array([1, 2, 3]));
  const old = after.heartbeat({
    groupId: "s",
    memberId: joined.memberId,
    generationId: 1,
    groupInstanceId: "pod-0",
  });
  assert.equal(old.errorCode, ErrorCode.FENCED_INSTANCE_ID);
});

Deno.test("records of other group kinds are handed to their owner while loading", () => {
  const seen: number[] = [];
  const coordinator = new GroupCoordinator(TEST_CONFIG, {
    onOtherRecord: (partition) => seen.push(partition),
  });
  coordinator.beginLoading(2);
  coordinator.replay(2, { kind: "other", keyVersion: 3, key: new Uint8Array([0, 3]), value: null });
  coordinator.finishLoading(2, 0);
  assert.deepEqual(seen, [2]);
  assert.throws(() =>
    coordinator.replay(2, { kind: "other", keyVersion: 3, key: new Uint8Array(), value: null })
  );
});
