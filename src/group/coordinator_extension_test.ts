/**
 * The hooks for other kinds of groups (KIP-848): their groups share the map
 * the offset and admin APIs read, their timers tick with the coordinator's,
 * and their writes and answers follow the same order (persist, then answer).
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../protocol/mod.ts";
import { TEST_CONFIG } from "./_coordinator_test_support.ts";
import { GroupCoordinator } from "./coordinator.ts";
import type { Group } from "./group.ts";

function consumerGroup(groupId: string): Group {
  return {
    groupId,
    type: "consumer",
    stateName: () => "Stable",
    protocolTypeName: () => "consumer",
    isEmpty: () => false,
    isDead: () => false,
    validateOffsetCommit: (identity) =>
      identity.generationIdOrMemberEpoch === 7 ? 0 : ErrorCode.STALE_MEMBER_EPOCH,
    validateOffsetFetch: () => 0,
    validateOffsetDelete: () => 0,
    validateDeleteGroup: () => ErrorCode.NON_EMPTY_GROUP,
    isSubscribedToTopic: () => true,
    offsetRetentionBaseMs: () => null,
    tombstones: () => [],
    markDead: () => {},
  };
}

Deno.test("a registered group of another kind is listed, and its commits are checked by it", () => {
  const coordinator = new GroupCoordinator(TEST_CONFIG);
  for (let partition = 0; partition < TEST_CONFIG.partitionCount; partition++) {
    coordinator.beginLoading(partition);
    coordinator.finishLoading(partition, 0);
  }
  coordinator.ready();
  coordinator.registerGroup(consumerGroup("modern"));
  assert.deepEqual(coordinator.listGroups([], ["consumer"], 0).groups, [
    { groupId: "modern", protocolType: "consumer", groupState: "Stable", groupType: "consumer" },
  ]);
  const commit = (epoch: number, replyId: number) =>
    coordinator.commitOffsets(replyId, {
      groupId: "modern",
      generationIdOrMemberEpoch: epoch,
      memberId: "m",
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [{
        name: "t",
        partitions: [{
          partitionIndex: 0,
          committedOffset: 3,
          committedLeaderEpoch: -1,
          commitTimestamp: -1,
          committedMetadata: null,
        }],
      }],
    }, { nowMs: 0, clientId: "c", clientHost: "", apiVersion: 9 });
  commit(6, 1);
  commit(7, 2);
  const ready = coordinator.ready();
  assert.equal(ready.replies[0]!.replyId, 1);
  assert.deepEqual(ready.replies[0]!.response, {
    topics: [{ name: "t", partitions: [{ partitionIndex: 0, errorCode: ErrorCode.STALE_MEMBER_EPOCH }] }],
  });
  assert.equal(ready.writes.length, 1);
  coordinator.writeCompleted(ready.writes[0]!.writeId, 0, 0);
  assert.equal(coordinator.committedOffset("modern", "t", 0)?.offset, 3);
  assert.throws(() => coordinator.registerGroup(consumerGroup("modern")), /exists already/);
  coordinator.unregisterGroup("modern");
  assert.equal(coordinator.group("modern"), undefined);
});

Deno.test("an extension's timers tick with the coordinator's, and its writes come before its answers", () => {
  const ticks: number[] = [];
  const coordinator: GroupCoordinator = new GroupCoordinator(TEST_CONFIG, {
    extension: {
      nextDeadlineMs: () => 50,
      tick: (nowMs) => {
        ticks.push(nowMs);
        coordinator.persist(
          1,
          [{ kind: "other", keyVersion: 3, key: new Uint8Array([0, 3]), value: null }],
          (errorCode) => {
            coordinator.reply(9, { errorCode });
          },
        );
      },
    },
  });
  assert.equal(coordinator.nextDeadlineMs(), 50);
  coordinator.tick(50);
  assert.deepEqual(ticks, [50]);
  const first = coordinator.ready();
  assert.equal(first.writes.length, 1);
  assert.equal(first.replies.length, 0, "the answer waits for the write");
  coordinator.writeCompleted(first.writes[0]!.writeId, 0, 50);
  assert.deepEqual(coordinator.ready().replies, [{ replyId: 9, response: { errorCode: 0 } }]);
});
