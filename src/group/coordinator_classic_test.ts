/**
 * Classic group scenarios against the pure coordinator: forming a group,
 * rebalances on joins, leaves and expired sessions, static membership, and
 * the error codes Kafka gives for each refusal.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../protocol/mod.ts";
import {
  assignment,
  Harness,
  readAssignment,
  START_MS,
  subscription,
  TEST_CONFIG,
} from "./_coordinator_test_support.ts";
import { ClassicGroupState } from "./classic_group_state.ts";
import type { JoinGroupResponse, SyncGroupResponse } from "./responses.ts";

const GROUP = "orders";

Deno.test("a new member from JoinGroup v4 is given a member id and must rejoin with it (KIP-394)", () => {
  const harness = new Harness();
  const first = harness.answered<JoinGroupResponse>(harness.join({ groupId: GROUP }));
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  assert.match(first.memberId, /^client-id\d+$/);
  assert.equal(harness.coordinator.classicGroup(GROUP)?.pendingJoinMembers.has(first.memberId), true);
  // Before v4 the member is added at once and waits for the rebalance.
  const old = harness.join({ groupId: "old" }, 3);
  assert.equal(harness.reply(old), undefined);
  assert.equal(harness.coordinator.classicGroup("old")?.size, 1);
});

Deno.test("a group forms after the initial rebalance delay, the leader gets the members, everyone its assignment", () => {
  const harness = new Harness();
  const joins = [harness.joinNew({ groupId: GROUP }), harness.joinNew({ groupId: GROUP })];
  // The second member arrived during the initial delay, which therefore runs twice.
  harness.advance(2 * TEST_CONFIG.initialRebalanceDelayMs - 1);
  assert.equal(harness.reply(joins[0]!.replyId), undefined, "the join waits during the initial delay");
  harness.advance(2);
  const responses = joins.map((join) => harness.answered<JoinGroupResponse>(join.replyId));
  assert.deepEqual(responses.map((response) => response.errorCode), [0, 0]);
  assert.deepEqual(responses.map((response) => response.generationId), [1, 1]);
  assert.equal(responses[0]!.protocolName, "range");
  const leader = responses.find((response) => response.memberId === response.leader)!;
  assert.equal(leader.members.length, 2);
  assert.equal(responses.find((response) => response !== leader)!.members.length, 0);
  assert.equal(harness.coordinator.classicGroup(GROUP)!.state, ClassicGroupState.CompletingRebalance);

  const follower = responses.find((response) => response !== leader)!;
  const followerSync = harness.sync({ groupId: GROUP, memberId: follower.memberId, generationId: 1 });
  assert.equal(harness.reply(followerSync), undefined, "followers wait for the leader's assignment");
  const leaderSync = harness.sync({
    groupId: GROUP,
    memberId: leader.memberId,
    generationId: 1,
    assignments: [
      { memberId: leader.memberId, assignment: assignment({ topic: [0] }) },
      { memberId: follower.memberId, assignment: assignment({ topic: [1] }) },
    ],
  });
  assert.deepEqual(readAssignment(harness.answered<SyncGroupResponse>(followerSync).assignment), {
    topic: [1],
  });
  assert.deepEqual(readAssignment(harness.answered<SyncGroupResponse>(leaderSync).assignment), {
    topic: [0],
  });
  assert.equal(harness.coordinator.classicGroup(GROUP)!.state, ClassicGroupState.Stable);
  // The assignment reached the log before anyone was told.
  const records = harness.log.get(harness.coordinator.partitionFor(GROUP))!;
  const last = records[records.length - 1]!;
  assert.equal(last.kind, "group-metadata");
  assert.equal(last.kind === "group-metadata" && last.value?.members.length, 2);
});

Deno.test("the initial delay is extended while members keep arriving, within the rebalance timeout", () => {
  const harness = new Harness();
  const first = harness.joinNew({ groupId: GROUP, rebalanceTimeoutMs: 10_000 });
  harness.advance(2500);
  const second = harness.joinNew({ groupId: GROUP, rebalanceTimeoutMs: 10_000 });
  harness.advance(1000);
  assert.equal(harness.reply(first.replyId), undefined, "a member joined during the delay: wait again");
  harness.advance(3000);
  assert.equal(harness.answered<JoinGroupResponse>(second.replyId).errorCode, 0);
  assert.equal(harness.answered<JoinGroupResponse>(first.replyId).generationId, 1);
});

Deno.test("a member whose session expires is removed and the others rebalance without it", () => {
  const harness = new Harness();
  const group = harness.formGroup(GROUP, 3);
  const [alive1, alive2, dead] = group.memberIds as [string, string, string];
  for (let elapsed = 0; elapsed < 12_000; elapsed += 3000) {
    harness.advance(3000);
    for (const memberId of [alive1, alive2]) {
      harness.heartbeat({ groupId: GROUP, memberId, generationId: group.generationId });
    }
  }
  const state = harness.coordinator.classicGroup(GROUP)!;
  assert.equal(state.hasMember(dead), false);
  assert.equal(state.state, ClassicGroupState.PreparingRebalance);
  const told = harness.heartbeat({ groupId: GROUP, memberId: alive1, generationId: group.generationId });
  assert.equal(told.errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
  const rejoins = [alive1, alive2].map((memberId) => harness.join({ groupId: GROUP, memberId }));
  const responses = rejoins.map((replyId) => harness.answered<JoinGroupResponse>(replyId));
  assert.deepEqual(responses.map((response) => response.generationId), [2, 2]);
  // The dead member's commit is refused.
  const commit = harness.commit(
    { groupId: GROUP, memberId: dead, generationIdOrMemberEpoch: group.generationId },
    { "topic:2": 5 },
  );
  assert.equal(commit.topics[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
});

Deno.test("members that do not rejoin within the rebalance timeout are dropped", () => {
  const harness = new Harness();
  const group = harness.formGroup(GROUP, 3);
  const [stays, leavesSilently] = group.memberIds as [string, string];
  const newcomer = harness.joinNew({ groupId: GROUP });
  const rejoin = harness.join({ groupId: GROUP, memberId: stays });
  harness.advance(5000);
  for (const memberId of group.memberIds) {
    harness.heartbeat({ groupId: GROUP, memberId, generationId: group.generationId });
  }
  // The silent ones' sessions run out (they are not waiting in JoinGroup): they go, and the join phase ends.
  harness.advance(10_500);
  const response = harness.answered<JoinGroupResponse>(rejoin);
  assert.equal(response.generationId, group.generationId + 1);
  assert.equal(harness.answered<JoinGroupResponse>(newcomer.replyId).errorCode, 0);
  const state = harness.coordinator.classicGroup(GROUP)!;
  assert.equal(state.size, 2);
  assert.equal(state.hasMember(leavesSilently), false);
});

Deno.test("LeaveGroup removes members at once, by member id or by instance id alone, and reports unknown ones", () => {
  const harness = new Harness();
  const group = harness.formGroup(GROUP, 2);
  const response = harness.leave({
    groupId: GROUP,
    members: [
      { memberId: group.memberIds[0]!, groupInstanceId: null, reason: "shutdown" },
      { memberId: "nobody", groupInstanceId: null, reason: null },
      { memberId: "", groupInstanceId: "not-static", reason: null },
    ],
  });
  assert.deepEqual(response.members.map((member) => member.errorCode), [0, 25, 25]);
  assert.equal(harness.coordinator.classicGroup(GROUP)!.state, ClassicGroupState.PreparingRebalance);
  const last = harness.leave({
    groupId: GROUP,
    members: [{ memberId: group.memberIds[1]!, groupInstanceId: null, reason: null }],
  });
  assert.equal(last.members[0]!.errorCode, 0);
  const state = harness.coordinator.classicGroup(GROUP)!;
  assert.equal(state.state, ClassicGroupState.Empty);
  assert.equal(state.generationId, group.generationId + 1);
  const unknownGroup = harness.leave({
    groupId: "nope",
    members: [{ memberId: "m", groupInstanceId: null, reason: null }],
  });
  assert.equal(unknownGroup.members[0]!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
});

Deno.test("a static member restarting within its session keeps its assignment without a rebalance (KIP-345)", () => {
  const harness = new Harness();
  const joins = ["a", "b"].map((instance) => harness.join({ groupId: GROUP, groupInstanceId: instance }));
  harness.advanceUntil(() => joins.every((replyId) => harness.reply(replyId) !== undefined));
  const responses = joins.map((replyId) => harness.answered<JoinGroupResponse>(replyId));
  assert.ok(
    responses.every((response) => response.errorCode === 0),
    "static members need no member id round trip",
  );
  const leader = responses.find((response) => response.members.length > 0)!;
  harness.sync({
    groupId: GROUP,
    memberId: leader.memberId,
    generationId: 1,
    assignments: leader.members.map((member, index) => ({
      memberId: member.memberId,
      assignment: assignment({ t: [index] }),
    })),
  });
  const oldB = responses[1]!.memberId;
  const bAssignment = harness.coordinator.classicGroup(GROUP)!.member(oldB).assignment;
  // "b" restarts: it comes back with its instance id and no member id.
  const restarted = harness.answered<JoinGroupResponse>(
    harness.join({ groupId: GROUP, groupInstanceId: "b" }, 7),
  );
  assert.equal(restarted.errorCode, 0);
  assert.notEqual(restarted.memberId, oldB);
  assert.equal(restarted.generationId, 1, "same generation: no rebalance");
  const state = harness.coordinator.classicGroup(GROUP)!;
  assert.equal(state.state, ClassicGroupState.Stable);
  const sync = harness.answered<SyncGroupResponse>(
    harness.sync({ groupId: GROUP, memberId: restarted.memberId, generationId: 1, groupInstanceId: "b" }),
  );
  assert.deepEqual(sync.assignment, bAssignment);
  // The old incarnation is fenced.
  const fenced = harness.heartbeat({ groupId: GROUP, memberId: oldB, generationId: 1, groupInstanceId: "b" });
  assert.equal(fenced.errorCode, ErrorCode.FENCED_INSTANCE_ID);
});

Deno.test("a static leader rejoining with JoinGroup v9 is told to skip the assignment (KIP-814)", () => {
  const harness = new Harness();
  const join = harness.join({ groupId: GROUP, groupInstanceId: "only" });
  harness.advance(TEST_CONFIG.initialRebalanceDelayMs + 1);
  const first = harness.answered<JoinGroupResponse>(join);
  harness.sync({
    groupId: GROUP,
    memberId: first.memberId,
    generationId: 1,
    assignments: [{ memberId: first.memberId, assignment: assignment({ t: [0] }) }],
  });
  const again = harness.answered<JoinGroupResponse>(
    harness.join({ groupId: GROUP, groupInstanceId: "only" }, 9),
  );
  assert.equal(again.skipAssignment, true);
  assert.equal(again.leader, again.memberId);
  assert.equal(again.members.length, 1);
});

Deno.test("JoinGroup refusals carry Kafka's error codes", async (t) => {
  await t.step("empty group id: INVALID_GROUP_ID", () => {
    const harness = new Harness();
    assert.equal(
      harness.answered<JoinGroupResponse>(harness.join({ groupId: "" })).errorCode,
      ErrorCode.INVALID_GROUP_ID,
    );
  });
  await t.step("session timeout outside the broker's bounds: INVALID_SESSION_TIMEOUT", () => {
    const harness = new Harness();
    for (const sessionTimeoutMs of [5999, 1_800_001, -1, 2 ** 31 - 1]) {
      const response = harness.answered<JoinGroupResponse>(
        harness.join({ groupId: GROUP, sessionTimeoutMs }),
      );
      assert.equal(response.errorCode, ErrorCode.INVALID_SESSION_TIMEOUT, `${sessionTimeoutMs}`);
    }
    assert.equal(harness.coordinator.group(GROUP), undefined, "nothing else affected");
  });
  await t.step("no protocol type or no protocols: INCONSISTENT_GROUP_PROTOCOL", () => {
    const harness = new Harness();
    const noType = harness.answered<JoinGroupResponse>(harness.join({ groupId: GROUP, protocolType: "" }));
    assert.equal(noType.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const noProtocols = harness.answered<JoinGroupResponse>(harness.join({ groupId: GROUP, protocols: [] }));
    assert.equal(noProtocols.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });
  await t.step("another protocol type or no common protocol: INCONSISTENT_GROUP_PROTOCOL", () => {
    const harness = new Harness();
    harness.formGroup(GROUP, 1);
    const otherType = harness.answered<JoinGroupResponse>(
      harness.join({ groupId: GROUP, protocolType: "connect" }),
    );
    assert.equal(otherType.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const otherProtocol = harness.answered<JoinGroupResponse>(
      harness.join({
        groupId: GROUP,
        protocols: [{ name: "roundrobin", metadata: subscription(["topic"]) }],
      }),
    );
    assert.equal(otherProtocol.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });
  await t.step("a member id the group never gave out: UNKNOWN_MEMBER_ID", () => {
    const harness = new Harness();
    const response = harness.answered<JoinGroupResponse>(harness.join({ groupId: GROUP, memberId: "ghost" }));
    assert.equal(response.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    harness.formGroup(GROUP, 1);
    const stranger = harness.answered<JoinGroupResponse>(harness.join({ groupId: GROUP, memberId: "ghost" }));
    assert.equal(stranger.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });
  await t.step("a full group: GROUP_MAX_SIZE_REACHED", () => {
    const harness = new Harness({ config: { maxGroupSize: 2 } });
    harness.formGroup(GROUP, 2);
    const third = harness.answered<JoinGroupResponse>(harness.join({ groupId: GROUP }));
    assert.equal(third.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
    assert.equal(third.memberId, "");
    assert.equal(harness.coordinator.classicGroup(GROUP)!.size, 2, "nothing else affected");
  });
  await t.step(
    "a partition not served here: NOT_COORDINATOR; one still loading: COORDINATOR_LOAD_IN_PROGRESS",
    () => {
      const harness = new Harness({ activePartitions: [] });
      const partition = harness.coordinator.partitionFor(GROUP);
      assert.equal(
        harness.answered<JoinGroupResponse>(harness.join({ groupId: GROUP })).errorCode,
        ErrorCode.NOT_COORDINATOR,
      );
      harness.coordinator.beginLoading(partition);
      const loading = harness.answered<JoinGroupResponse>(harness.join({ groupId: GROUP }));
      assert.equal(loading.errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
      const heartbeat = harness.heartbeat({ groupId: GROUP, memberId: "m", generationId: 1 });
      assert.equal(
        heartbeat.errorCode,
        ErrorCode.NONE,
        "heartbeats are answered blindly while loading, as Kafka does",
      );
    },
  );
});

Deno.test("SyncGroup and Heartbeat refuse stale generations, unknown members and other protocols", () => {
  const harness = new Harness();
  const group = harness.formGroup(GROUP, 2);
  const memberId = group.memberIds[0]!;
  const sync = (request: Parameters<Harness["sync"]>[0]) =>
    harness.answered<SyncGroupResponse>(harness.sync(request)).errorCode;
  assert.equal(sync({ groupId: GROUP, memberId, generationId: 0 }), ErrorCode.ILLEGAL_GENERATION);
  assert.equal(sync({ groupId: GROUP, memberId: "ghost", generationId: 1 }), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(sync({ groupId: "nope", memberId, generationId: 1 }), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(
    sync({ groupId: GROUP, memberId, generationId: 1, protocolName: "roundrobin" }),
    ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
  );
  assert.equal(
    sync({ groupId: GROUP, memberId, generationId: 1, protocolType: "consumer", protocolName: "range" }),
    0,
  );
  const heartbeat = (request: Parameters<Harness["heartbeat"]>[0]) => harness.heartbeat(request).errorCode;
  assert.equal(heartbeat({ groupId: GROUP, memberId, generationId: 2 }), ErrorCode.ILLEGAL_GENERATION);
  assert.equal(
    heartbeat({ groupId: GROUP, memberId: "ghost", generationId: 1 }),
    ErrorCode.UNKNOWN_MEMBER_ID,
  );
  assert.equal(
    heartbeat({ groupId: GROUP, memberId, generationId: 1, groupInstanceId: "x" }),
    ErrorCode.UNKNOWN_MEMBER_ID,
  );
  assert.equal(heartbeat({ groupId: GROUP, memberId, generationId: 1 }), 0);
  assert.equal(heartbeat({ groupId: "", memberId, generationId: 1 }), ErrorCode.INVALID_GROUP_ID);
});

Deno.test("a new member during Stable makes everyone rejoin; SyncGroup during the rebalance says so", () => {
  const harness = new Harness();
  const group = harness.formGroup(GROUP, 2);
  const newcomer = harness.joinNew({ groupId: GROUP });
  const state = harness.coordinator.classicGroup(GROUP)!;
  assert.equal(state.state, ClassicGroupState.PreparingRebalance);
  const sync = harness.answered<SyncGroupResponse>(
    harness.sync({ groupId: GROUP, memberId: group.memberIds[0]!, generationId: group.generationId }),
  );
  assert.equal(sync.errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
  const rejoins = group.memberIds.map((memberId) => harness.join({ groupId: GROUP, memberId }));
  // Everyone is back: the join phase ends at once, without waiting for a timeout.
  for (const replyId of [...rejoins, newcomer.replyId]) {
    assert.equal(harness.answered<JoinGroupResponse>(replyId).generationId, group.generationId + 1);
  }
});

Deno.test("a member leaving during CompletingRebalance sends the waiting members back to rejoin", () => {
  const harness = new Harness();
  const joins = [harness.joinNew({ groupId: GROUP }), harness.joinNew({ groupId: GROUP })];
  harness.advanceUntil(() => joins.every((join) => harness.reply(join.replyId) !== undefined));
  const responses = joins.map((join) => harness.answered<JoinGroupResponse>(join.replyId));
  const follower = responses.find((response) => response.members.length === 0)!;
  const leader = responses.find((response) => response.members.length > 0)!;
  const waiting = harness.sync({ groupId: GROUP, memberId: follower.memberId, generationId: 1 });
  harness.leave({
    groupId: GROUP,
    members: [{ memberId: leader.memberId, groupInstanceId: null, reason: null }],
  });
  assert.equal(harness.answered<SyncGroupResponse>(waiting).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
});

Deno.test("every request that waits is answered exactly once, even when its member is replaced or leaves", () => {
  const harness = new Harness();
  const first = harness.join({ groupId: GROUP, groupInstanceId: "s" });
  // The same static member again before the first join completes: the first is fenced.
  const second = harness.join({ groupId: GROUP, groupInstanceId: "s" });
  assert.equal(harness.answered<JoinGroupResponse>(first).errorCode, ErrorCode.FENCED_INSTANCE_ID);
  const dynamic = harness.join({ groupId: GROUP }, 3);
  harness.leave({
    groupId: GROUP,
    members: [{
      memberId: harness.coordinator.classicGroup(GROUP)!.staticMemberId("s")!,
      groupInstanceId: "s",
      reason: null,
    }],
  });
  assert.equal(harness.answered<JoinGroupResponse>(second).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  harness.advanceUntil(() => harness.reply(dynamic) !== undefined);
  assert.equal(harness.answered<JoinGroupResponse>(dynamic).errorCode, 0);
});

Deno.test("a new member that never completes its join is dropped after the new-member timeout", () => {
  const harness = new Harness();
  const group = harness.formGroup(GROUP, 1);
  const joined = harness.joinNew({ groupId: GROUP, rebalanceTimeoutMs: 600_000 });
  void joined;
  // The old member keeps its session but never rejoins; the new member's join is parked.
  for (let elapsed = 0; elapsed < 310_000; elapsed += 3000) {
    harness.advance(3000);
    harness.heartbeat({ groupId: GROUP, memberId: group.memberIds[0]!, generationId: group.generationId });
  }
  const state = harness.coordinator.classicGroup(GROUP)!;
  assert.equal(state.size, 1, "the parked new member timed out");
  assert.ok(harness.nowMs > START_MS + TEST_CONFIG.newMemberJoinTimeoutMs);
});
