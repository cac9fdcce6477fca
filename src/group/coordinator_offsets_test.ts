/**
 * Committed offsets against the pure coordinator: who may commit, what is
 * stored (metadata and leader epoch kept exactly), fetch of some or all
 * offsets, deletion, expiry, and the administrative group APIs.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../protocol/mod.ts";
import { Harness, subscription, TEST_CONFIG } from "./_coordinator_test_support.ts";
import { ClassicGroupState } from "./classic_group_state.ts";
import type { DeleteGroupsResult, JoinGroupResponse, OffsetDeleteResponse } from "./responses.ts";

const GROUP = "billing";

function errors(response: { topics: { partitions: { errorCode: number }[] }[] }): number[] {
  return response.topics.flatMap((topic) => topic.partitions.map((partition) => partition.errorCode));
}

Deno.test("a consumer outside group management commits with generation -1, creating a simple group", () => {
  const harness = new Harness();
  const response = harness.commit({ groupId: GROUP }, { "a:0": 10, "a:1": 20, "b:0": 5 });
  assert.deepEqual(errors(response), [0, 0, 0]);
  assert.equal(harness.committed(GROUP, "a:1"), 20);
  const group = harness.coordinator.classicGroup(GROUP)!;
  assert.equal(group.state, ClassicGroupState.Empty);
  assert.equal(group.protocolTypeName(), "");
  const listed = harness.coordinator.listGroups([], [], harness.nowMs).groups;
  assert.deepEqual(listed, [{ groupId: GROUP, protocolType: "", groupState: "Empty", groupType: "classic" }]);
});

Deno.test("commits are checked against the group's generation and members", () => {
  const harness = new Harness();
  const group = harness.formGroup(GROUP, 2);
  const [memberId] = group.memberIds as [string];
  const commit = (request: Parameters<Harness["commit"]>[0], apiVersion = 8) =>
    errors(harness.commit(request, { "topic:0": 1 }, apiVersion))[0];
  assert.equal(commit({ groupId: GROUP, memberId, generationIdOrMemberEpoch: group.generationId }), 0);
  assert.equal(
    commit({ groupId: GROUP, memberId, generationIdOrMemberEpoch: 0 }),
    ErrorCode.ILLEGAL_GENERATION,
  );
  assert.equal(
    commit({ groupId: GROUP, memberId: "ghost", generationIdOrMemberEpoch: 1 }),
    ErrorCode.UNKNOWN_MEMBER_ID,
  );
  // A non-empty group takes no commits from outside group management.
  assert.equal(commit({ groupId: GROUP }), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(
    commit({ groupId: GROUP, memberId, generationIdOrMemberEpoch: 1, groupInstanceId: "x" }),
    ErrorCode.UNKNOWN_MEMBER_ID,
  );
  // A group that does not exist: ILLEGAL_GENERATION before v9, GROUP_ID_NOT_FOUND from v9.
  assert.equal(
    commit({ groupId: "nope", memberId, generationIdOrMemberEpoch: 1 }, 8),
    ErrorCode.ILLEGAL_GENERATION,
  );
  assert.equal(
    commit({ groupId: "nope", memberId, generationIdOrMemberEpoch: 1 }, 9),
    ErrorCode.GROUP_ID_NOT_FOUND,
  );
  assert.equal(harness.coordinator.group("nope"), undefined);
});

Deno.test("a member that knows the new generation but has no assignment yet is told REBALANCE_IN_PROGRESS", () => {
  const harness = new Harness();
  const group = harness.formGroup(GROUP, 1);
  const rejoin = harness.answered<JoinGroupResponse>(
    harness.join({ groupId: GROUP, memberId: group.memberIds[0]! }),
  );
  assert.equal(harness.coordinator.classicGroup(GROUP)!.state, ClassicGroupState.CompletingRebalance);
  const response = harness.commit(
    { groupId: GROUP, memberId: rejoin.memberId, generationIdOrMemberEpoch: rejoin.generationId },
    { "topic:0": 1 },
  );
  assert.deepEqual(errors(response), [ErrorCode.REBALANCE_IN_PROGRESS]);
});

Deno.test("metadata and leader epochs come back exactly as committed; too long metadata is refused alone", () => {
  const harness = new Harness();
  const replyId = 900;
  harness.coordinator.commitOffsets(replyId, {
    groupId: GROUP,
    generationIdOrMemberEpoch: -1,
    memberId: "",
    groupInstanceId: null,
    retentionTimeMs: -1,
    topics: [{
      name: "t",
      partitions: [
        {
          partitionIndex: 0,
          committedOffset: 7,
          committedLeaderEpoch: 3,
          commitTimestamp: -1,
          committedMetadata: "ünïcode ✓",
        },
        {
          partitionIndex: 1,
          committedOffset: 8,
          committedLeaderEpoch: -1,
          commitTimestamp: -1,
          committedMetadata: null,
        },
        {
          partitionIndex: 2,
          committedOffset: 9,
          committedLeaderEpoch: -1,
          commitTimestamp: -1,
          committedMetadata: "x".repeat(4097),
        },
      ],
    }],
  }, harness.context(8));
  harness.pump();
  assert.deepEqual(errors(harness.answered(replyId)), [0, 0, 12]);
  const fetched = harness.coordinator.fetchOffsets({
    groupId: GROUP,
    memberId: null,
    memberEpoch: -1,
    topics: null,
  }, harness.nowMs);
  assert.deepEqual(fetched.topics, [{
    name: "t",
    partitions: [
      { partitionIndex: 0, committedOffset: 7, committedLeaderEpoch: 3, metadata: "ünïcode ✓", errorCode: 0 },
      { partitionIndex: 1, committedOffset: 8, committedLeaderEpoch: -1, metadata: "", errorCode: 0 },
    ],
  }]);
  const missing = harness.coordinator.fetchOffsets({
    groupId: "unknown",
    memberId: null,
    memberEpoch: -1,
    topics: [{ name: "t", partitionIndexes: [0] }],
  }, harness.nowMs);
  assert.deepEqual(missing.topics[0]!.partitions[0], {
    partitionIndex: 0,
    committedOffset: -1,
    committedLeaderEpoch: -1,
    metadata: "",
    errorCode: 0,
  });
});

Deno.test("a commit is acknowledged only after its write; a failed write is reported and changes nothing", () => {
  const harness = new Harness();
  harness.commit({ groupId: GROUP }, { "t:0": 1 });
  harness.failWritesWith = ErrorCode.KAFKA_STORAGE_ERROR;
  const failed = harness.commit({ groupId: GROUP }, { "t:0": 2 });
  assert.deepEqual(errors(failed), [ErrorCode.NOT_COORDINATOR]);
  assert.equal(harness.committed(GROUP, "t:0"), 1);
  harness.failWritesWith = ErrorCode.MESSAGE_TOO_LARGE;
  assert.deepEqual(errors(harness.commit({ groupId: GROUP }, { "t:0": 3 })), [
    ErrorCode.UNKNOWN_SERVER_ERROR,
  ]);
});

Deno.test("OffsetDelete refuses subscribed topics and groups with members not using the consumer protocol", () => {
  const harness = new Harness();
  const group = harness.formGroup(GROUP, 1);
  harness.commit({
    groupId: GROUP,
    memberId: group.memberIds[0]!,
    generationIdOrMemberEpoch: group.generationId,
  }, {
    "topic:0": 4,
    "other:0": 9,
  });
  const deleteOffsets = (groupId: string, names: string[]) => {
    const replyId = 1000 + harness.delivered.length;
    harness.coordinator.deleteOffsets(replyId, {
      groupId,
      topics: names.map((name) => ({ name, partitions: [{ partitionIndex: 0 }] })),
    }, harness.nowMs);
    harness.pump();
    return harness.answered<OffsetDeleteResponse>(replyId);
  };
  const response = deleteOffsets(GROUP, ["topic", "other"]);
  assert.deepEqual(errors(response), [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, 0]);
  assert.equal(harness.committed(GROUP, "topic:0"), 4);
  assert.equal(harness.committed(GROUP, "other:0"), -1);
  assert.equal(deleteOffsets("nope", ["topic"]).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  // A group of another protocol type with members refuses outright.
  const connect = harness.join({ groupId: "workers", protocolType: "connect" }, 3);
  harness.advanceUntil(() => harness.reply(connect) !== undefined);
  assert.equal(deleteOffsets("workers", ["topic"]).errorCode, ErrorCode.NON_EMPTY_GROUP);
});

Deno.test("ListGroups filters by state and type; DescribeGroups shows members and Dead for unknown groups", () => {
  const harness = new Harness();
  harness.formGroup("stable", 2);
  harness.commit({ groupId: "simple" }, { "t:0": 1 });
  const list = (states: string[], types: string[] = []) =>
    harness.coordinator.listGroups(states, types, harness.nowMs).groups.map((group) => group.groupId).sort();
  assert.deepEqual(list([]), ["simple", "stable"]);
  assert.deepEqual(list(["STABLE"]), ["stable"]);
  assert.deepEqual(list(["empty", "dead"]), ["simple"]);
  assert.deepEqual(list([], ["Classic"]), ["simple", "stable"]);
  assert.deepEqual(list([], ["consumer"]), []);
  assert.deepEqual(list([], ["bogus"]), []);
  const [stable, unknown] = harness.coordinator.describeGroups(["stable", "unknown"], harness.nowMs);
  assert.equal(stable!.groupState, "Stable");
  assert.equal(stable!.protocolType, "consumer");
  assert.equal(stable!.protocolData, "range");
  assert.equal(stable!.members.length, 2);
  assert.deepEqual(stable!.members[0]!.memberMetadata, subscription(["topic"]));
  assert.equal(stable!.members[0]!.clientHost, "/127.0.0.1");
  assert.deepEqual(unknown, {
    errorCode: 0,
    groupId: "unknown",
    groupState: "Dead",
    protocolType: "",
    protocolData: "",
    members: [],
  });
});

Deno.test("DeleteGroups deletes empty groups with their offsets and refuses the others", () => {
  const harness = new Harness();
  harness.formGroup("busy", 1);
  harness.commit({ groupId: "idle" }, { "t:0": 1, "t:1": 2 });
  harness.coordinator.deleteGroups(77, ["idle", "busy", "ghost"], harness.nowMs);
  harness.pump();
  assert.deepEqual(harness.answered<DeleteGroupsResult[]>(77), [
    { groupId: "idle", errorCode: 0 },
    { groupId: "busy", errorCode: ErrorCode.NON_EMPTY_GROUP },
    { groupId: "ghost", errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
  ]);
  assert.equal(harness.coordinator.group("idle"), undefined);
  assert.equal(harness.committed("idle", "t:1"), -1);
  const tombstones = harness.log.get(harness.coordinator.partitionFor("idle"))!.filter((record) =>
    record.kind !== "other" && record.groupId === "idle" && record.value === null
  );
  assert.equal(tombstones.length, 3, "two offset tombstones and the group's");
});

Deno.test("offsets expire after offsets.retention.minutes and the emptied group goes with them", () => {
  const retentionMs = 60 * 60 * 1000;
  const harness = new Harness({
    config: { offsetsRetentionMs: retentionMs, offsetsRetentionCheckIntervalMs: 60_000 },
  });
  harness.commit({ groupId: "simple" }, { "t:0": 1 });
  harness.advance(retentionMs / 2);
  harness.commit({ groupId: "simple" }, { "t:1": 2 });
  harness.advance(retentionMs / 2 + 60_000);
  assert.equal(harness.committed("simple", "t:0"), -1, "the older offset expired");
  assert.equal(harness.committed("simple", "t:1"), 2, "the newer one is kept");
  assert.ok(harness.coordinator.group("simple"));
  harness.advance(retentionMs);
  assert.equal(harness.coordinator.group("simple"), undefined, "no offsets left: the group is deleted");
});

Deno.test("a consumer group's offsets are kept while it is active, and expire once it has been empty long enough", () => {
  const retentionMs = 60 * 60 * 1000;
  const harness = new Harness({
    config: { offsetsRetentionMs: retentionMs, offsetsRetentionCheckIntervalMs: 60_000 },
  });
  const group = harness.formGroup(GROUP, 1);
  const [memberId] = group.memberIds as [string];
  harness.commit({ groupId: GROUP, memberId, generationIdOrMemberEpoch: group.generationId }, {
    "topic:0": 5,
  });
  for (let elapsed = 0; elapsed < 2 * retentionMs; elapsed += 5000) {
    harness.advance(5000);
    harness.heartbeat({ groupId: GROUP, memberId, generationId: group.generationId });
  }
  assert.equal(harness.committed(GROUP, "topic:0"), 5, "a subscribed topic's offsets never expire");
  harness.leave({ groupId: GROUP, members: [{ memberId, groupInstanceId: null, reason: null }] });
  harness.advance(retentionMs - 120_000);
  assert.equal(harness.committed(GROUP, "topic:0"), 5, "retention counts from when the group became empty");
  harness.advance(240_000);
  assert.equal(harness.committed(GROUP, "topic:0"), -1);
  assert.equal(harness.coordinator.group(GROUP), undefined);
});

Deno.test("a commit with its own retention time (OffsetCommit v2-4) expires at its own time", () => {
  const harness = new Harness({ config: { offsetsRetentionCheckIntervalMs: 1000 } });
  harness.commit({ groupId: "short", retentionTimeMs: 5000 }, { "t:0": 1 }, 2);
  harness.advance(4000);
  assert.equal(harness.committed("short", "t:0"), 1);
  harness.advance(2000);
  assert.equal(harness.committed("short", "t:0"), -1);
});

Deno.test("deleting a topic deletes every group's offsets of it", () => {
  const harness = new Harness();
  harness.commit({ groupId: "one" }, { "gone:0": 1, "kept:0": 2 });
  harness.commit({ groupId: "two" }, { "gone:1": 3 });
  harness.coordinator.deleteTopicOffsets("gone", new Set([0, 1]), harness.nowMs);
  harness.pump();
  assert.equal(harness.committed("one", "gone:0"), -1);
  assert.equal(harness.committed("two", "gone:1"), -1);
  assert.equal(harness.committed("one", "kept:0"), 2);
});

Deno.test("the session timeout bounds and retention settings apply as configured", () => {
  const harness = new Harness({ config: { minSessionTimeoutMs: 100, maxSessionTimeoutMs: 200 } });
  const ok = harness.answered<JoinGroupResponse>(harness.join({ groupId: GROUP, sessionTimeoutMs: 150 }));
  assert.equal(ok.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  const refused = harness.answered<JoinGroupResponse>(
    harness.join({ groupId: GROUP, sessionTimeoutMs: 10_000 }),
  );
  assert.equal(refused.errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
  assert.equal(TEST_CONFIG.offsetMetadataMaxBytes, 4096);
});
