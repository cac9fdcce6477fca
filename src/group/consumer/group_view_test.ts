import assert from "node:assert/strict";
import { ConsumerGroupView } from "./group_view.ts";
import { decodeConsumerGroupRecord } from "./records.ts";
import { context, heartbeatRequest, joinRequest, makeCoordinator, topicSource } from "./test_helpers.ts";
import { ErrorCode } from "../../protocol/mod.ts";

const topics = topicSource({ foo: 2 });

Deno.test("the group view answers the offset and admin paths from the coordinator", () => {
  const coordinator = makeCoordinator();
  coordinator.heartbeat(joinRequest("m1", ["foo"]), context(0, topics));
  const view = new ConsumerGroupView("group", coordinator);
  assert.deepEqual([view.type, view.stateName(), view.protocolTypeName()], [
    "consumer",
    "Stable",
    "consumer",
  ]);
  assert.equal(view.isEmpty(), false);
  assert.equal(view.isSubscribedToTopic("foo"), true);
  assert.equal(view.isSubscribedToTopic("bar"), false);
  const commit = { memberId: "m1", groupInstanceId: null, generationIdOrMemberEpoch: 1, apiVersion: 9 };
  assert.equal(view.validateOffsetCommit(commit), ErrorCode.NONE);
  assert.equal(
    view.validateOffsetCommit({ ...commit, generationIdOrMemberEpoch: 0 }),
    ErrorCode.STALE_MEMBER_EPOCH,
  );
  assert.equal(view.validateOffsetFetch("m2", 1), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(view.validateDeleteGroup(), ErrorCode.NON_EMPTY_GROUP);

  coordinator.heartbeat(heartbeatRequest({ memberId: "m1", memberEpoch: -1 }), context(1, topics));
  assert.equal(view.validateDeleteGroup(), ErrorCode.NONE);
  const tombstones = view.tombstones();
  assert.deepEqual(tombstones.map((record) => record.kind === "other" && record.keyVersion), [6, 4, 3]);
  for (const record of tombstones) {
    if (record.kind !== "other") continue;
    coordinator.replay(decodeConsumerGroupRecord(record.key, record.value)!);
  }
  assert.equal(view.isDead(), true);
});
