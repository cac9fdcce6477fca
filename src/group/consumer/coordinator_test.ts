import assert from "node:assert/strict";
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from "./heartbeat_types.ts";
import { MemberState } from "./member.ts";
import type { ConsumerGroupRecord } from "./records.ts";
import {
  context,
  heartbeatRequest,
  joinRequest,
  makeCoordinator,
  ownedWire,
  pairsOf,
  topicIdFor,
  topicSource,
} from "./test_helpers.ts";
import type { TopicMetadataSource } from "./topics.ts";
import { ErrorCode } from "../../protocol/mod.ts";

const foo = topicIdFor(1);
const topics = topicSource({ foo: 6 });

/** A coordinator and the log of every record it produced. */
function harness(options: Parameters<typeof makeCoordinator>[0] = {}) {
  const coordinator = makeCoordinator(options);
  const log: ConsumerGroupRecord[] = [];
  const send = (request: ConsumerGroupHeartbeatRequest, nowMs = 0, source: TopicMetadataSource = topics) => {
    const { response, records } = coordinator.heartbeat(request, context(nowMs, source));
    log.push(...records);
    return response;
  };
  return { coordinator, log, send };
}

/** The partitions of `foo` in a response, as numbers. */
function fooPartitions(response: ConsumerGroupHeartbeatResponse): number[] {
  return pairsOf(response.assignment?.topicPartitions).map((pair) => Number(pair.slice(foo.length + 1)))
    .sort((left, right) => left - right);
}

function owned(...partitions: number[]) {
  return ownedWire(partitions.map((partition) => [foo, partition]));
}

Deno.test("invalid heartbeats are refused with Kafka's codes and messages", () => {
  const { send, coordinator } = harness();
  const cases: [Partial<ConsumerGroupHeartbeatRequest>, number, string][] = [
    [{ memberId: "" }, ErrorCode.INVALID_REQUEST, "MemberId can't be empty."],
    [{ memberId: "m", groupId: " " }, ErrorCode.INVALID_REQUEST, "GroupId can't be empty."],
    [{ memberId: "m", instanceId: "" }, ErrorCode.INVALID_REQUEST, "InstanceId can't be empty."],
    [{ memberId: "m", rackId: "" }, ErrorCode.INVALID_REQUEST, "RackId can't be empty."],
    [{ memberId: "m" }, ErrorCode.INVALID_REQUEST, "RebalanceTimeoutMs must be provided in first request."],
    [
      { memberId: "m", rebalanceTimeoutMs: 1 },
      ErrorCode.INVALID_REQUEST,
      "TopicPartitions must be empty when (re-)joining.",
    ],
    [
      { memberId: "m", rebalanceTimeoutMs: 1, topicPartitions: [] },
      ErrorCode.INVALID_REQUEST,
      "Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.",
    ],
    [{ memberId: "m", memberEpoch: -2 }, ErrorCode.INVALID_REQUEST, "InstanceId can't be null."],
    [{ memberId: "m", memberEpoch: -3 }, ErrorCode.INVALID_REQUEST, "MemberEpoch is invalid."],
    [
      { memberId: "m", memberEpoch: 1, serverAssignor: "sticky" },
      ErrorCode.UNSUPPORTED_ASSIGNOR,
      "ServerAssignor sticky is not supported. Supported assignors: uniform, range.",
    ],
    [
      { memberId: "m", memberEpoch: 1, subscribedTopicRegex: "fo.*" },
      ErrorCode.INVALID_REQUEST,
      "SubscribedTopicRegex is not supported yet.",
    ],
  ];
  for (const [fields, code, message] of cases) {
    const response = send(heartbeatRequest(fields));
    assert.equal(response.errorCode, code, message);
    assert.equal(response.errorMessage, message);
    assert.equal(response.memberId, null);
  }
  assert.equal(coordinator.groupIds().length, 0);
});

Deno.test("a v0 join without a member id gets one from the coordinator", () => {
  const { coordinator } = harness();
  const { response } = coordinator.heartbeat(joinRequest("", ["foo"]), context(0, topics, 0));
  assert.equal(response.errorCode, ErrorCode.NONE);
  assert.equal(response.memberId, "generated-1");
  assert.equal(response.memberEpoch, 1);
});

Deno.test("the first member gets every partition at group epoch 1", () => {
  const { send, log, coordinator } = harness();
  const response = send(joinRequest("m1", ["foo"]));
  assert.equal(response.errorCode, ErrorCode.NONE);
  assert.equal(response.memberId, "m1");
  assert.equal(response.memberEpoch, 1);
  assert.equal(response.heartbeatIntervalMs, 5000);
  assert.deepEqual(fooPartitions(response), [0, 1, 2, 3, 4, 5]);
  // Member metadata, partition metadata, group epoch, target member, target epoch, current assignment.
  assert.deepEqual(log.map((record) => record.type), [5, 4, 3, 7, 6, 8]);
  assert.equal(coordinator.group("group")!.state(), "Stable");
});

Deno.test("a partition goes to a new owner only after the old owner revokes it", () => {
  const { send, coordinator } = harness();
  send(joinRequest("m1", ["foo"]));
  const join2 = send(joinRequest("m2", ["foo"]));
  assert.equal(join2.memberEpoch, 2);
  assert.deepEqual(fooPartitions(join2), [], "m2 waits: m1 still owns everything");
  assert.equal(coordinator.group("group")!.members.get("m2")!.state, MemberState.UNRELEASED_PARTITIONS);

  const revoke = send(
    heartbeatRequest({ memberId: "m1", memberEpoch: 1, topicPartitions: owned(0, 1, 2, 3, 4, 5) }),
  );
  assert.equal(revoke.memberEpoch, 1, "m1 stays at its epoch until it revokes");
  assert.equal(fooPartitions(revoke).length, 3);
  const kept = fooPartitions(revoke);
  assert.equal(coordinator.group("group")!.members.get("m1")!.state, MemberState.UNREVOKED_PARTITIONS);

  const stillWaiting = send(heartbeatRequest({ memberId: "m2", memberEpoch: 2 }));
  assert.equal(stillWaiting.assignment, null);

  const revoked = send(heartbeatRequest({ memberId: "m1", memberEpoch: 1, topicPartitions: owned(...kept) }));
  assert.equal(revoked.memberEpoch, 2);
  assert.equal(revoked.assignment, null, "its partitions did not change");

  const given = send(heartbeatRequest({ memberId: "m2", memberEpoch: 2 }));
  assert.deepEqual(fooPartitions(given), [0, 1, 2, 3, 4, 5].filter((partition) => !kept.includes(partition)));
  assert.equal(coordinator.group("group")!.state(), "Stable");
});

Deno.test("member epochs are checked as Kafka checks them", async (t) => {
  const { send } = harness();
  send(joinRequest("m1", ["foo"]));
  await t.step("an epoch ahead of the coordinator's is fenced", () => {
    const response = send(heartbeatRequest({ memberId: "m1", memberEpoch: 2 }));
    assert.equal(response.errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
    assert.equal(
      response.errorMessage,
      "The consumer group member has a greater member epoch (2) than the one known by the group coordinator (1). " +
        "The member must abandon all its partitions and rejoin.",
    );
  });
  await t.step("an unknown member is refused", () => {
    assert.equal(
      send(heartbeatRequest({ memberId: "nobody", memberEpoch: 1 })).errorCode,
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
  });
  await t.step("an unknown group is refused unless joining", () => {
    const response = send(heartbeatRequest({ groupId: "other", memberId: "m1", memberEpoch: 1 }));
    assert.equal(response.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  });
  await t.step("a retry with the previous epoch owning a subset is accepted", () => {
    send(joinRequest("m2", ["foo"]));
    // m1 moves to UNREVOKED at epoch 1, then revokes and moves to epoch 2; suppose that response is lost.
    const revoke = send(
      heartbeatRequest({ memberId: "m1", memberEpoch: 1, topicPartitions: owned(0, 1, 2, 3, 4, 5) }),
    );
    send(
      heartbeatRequest({ memberId: "m1", memberEpoch: 1, topicPartitions: owned(...fooPartitions(revoke)) }),
    );
    const retry = send(
      heartbeatRequest({ memberId: "m1", memberEpoch: 1, topicPartitions: owned(...fooPartitions(revoke)) }),
    );
    assert.equal(retry.errorCode, ErrorCode.NONE);
    assert.equal(retry.memberEpoch, 2);
  });
  await t.step("an older epoch owning partitions it no longer has is fenced", () => {
    const response = send(
      heartbeatRequest({ memberId: "m1", memberEpoch: 1, topicPartitions: owned(0, 1, 2, 3, 4, 5) }),
    );
    assert.equal(response.errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
  });
  await t.step("a fenced member rejoins with epoch 0 under its member id", () => {
    const response = send(joinRequest("m1", ["foo"]));
    assert.equal(response.errorCode, ErrorCode.NONE);
    assert.equal(response.memberEpoch, 2);
    assert.equal(fooPartitions(response).length, 3);
  });
});

Deno.test("a member leaving frees its partitions and bumps the group epoch", () => {
  const { send, coordinator } = harness();
  send(joinRequest("m1", ["foo"]));
  send(joinRequest("m2", ["foo"]));
  const leave = send(heartbeatRequest({ memberId: "m1", memberEpoch: -1 }));
  assert.deepEqual([leave.errorCode, leave.memberId, leave.memberEpoch], [ErrorCode.NONE, "m1", -1]);
  const group = coordinator.group("group")!;
  assert.equal(group.members.has("m1"), false);
  assert.equal(group.groupEpoch, 3);
  const next = send(heartbeatRequest({ memberId: "m2", memberEpoch: 2 }));
  assert.equal(next.memberEpoch, 3);
  assert.deepEqual(fooPartitions(next), [0, 1, 2, 3, 4, 5]);
  assert.equal(
    send(heartbeatRequest({ memberId: "m1", memberEpoch: -1 })).errorCode,
    ErrorCode.UNKNOWN_MEMBER_ID,
  );
});

Deno.test("a static member restarting within its session keeps its partitions without a rebalance", () => {
  const { send, coordinator } = harness();
  send(joinRequest("a1", ["foo"], { instanceId: "a" }));
  send(joinRequest("b1", ["foo"], { instanceId: "b" }));
  const first = send(
    heartbeatRequest({
      memberId: "a1",
      memberEpoch: 1,
      instanceId: "a",
      topicPartitions: owned(0, 1, 2, 3, 4, 5),
    }),
  );
  const aPartitions = fooPartitions(first);
  send(
    heartbeatRequest({
      memberId: "a1",
      memberEpoch: 1,
      instanceId: "a",
      topicPartitions: owned(...aPartitions),
    }),
  );
  send(heartbeatRequest({ memberId: "b1", memberEpoch: 2, instanceId: "b" }));
  const epochBefore = coordinator.group("group")!.groupEpoch;

  const leave = send(heartbeatRequest({ memberId: "a1", memberEpoch: -2, instanceId: "a" }));
  assert.deepEqual([leave.memberId, leave.memberEpoch], ["a1", -2]);
  assert.equal(coordinator.group("group")!.members.get("a1")!.memberEpoch, -2);

  const taken = send(joinRequest("x1", ["foo"], { instanceId: "b" }));
  assert.equal(taken.errorCode, ErrorCode.UNRELEASED_INSTANCE_ID);

  const back = send(joinRequest("a2", ["foo"], { instanceId: "a" }));
  assert.equal(back.errorCode, ErrorCode.NONE);
  assert.deepEqual(fooPartitions(back), aPartitions);
  assert.equal(coordinator.group("group")!.groupEpoch, epochBefore, "no rebalance");
  assert.equal(coordinator.group("group")!.members.has("a1"), false);

  const old = send(heartbeatRequest({ memberId: "a1", memberEpoch: 2, instanceId: "a" }));
  assert.equal(old.errorCode, ErrorCode.FENCED_INSTANCE_ID);
  const unknown = send(heartbeatRequest({ memberId: "z", memberEpoch: 2, instanceId: "zz" }));
  assert.equal(unknown.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(unknown.errorMessage, "Instance id zz is unknown.");
});

Deno.test("a member that stops heartbeating is removed after the session timeout", () => {
  const { send, coordinator } = harness({ sessionTimeoutMs: 45_000 });
  send(joinRequest("m1", ["foo"]), 0);
  send(joinRequest("m2", ["foo"]), 0);
  send(heartbeatRequest({ memberId: "m2", memberEpoch: 2 }), 40_000);
  assert.deepEqual(coordinator.tick(44_999).expired, []);
  assert.equal(coordinator.nextDeadlineMs(), 45_000);
  const { expired, records } = coordinator.tick(45_000);
  assert.deepEqual(expired, [{ groupId: "group", memberId: "m1", reason: "session timeout" }]);
  assert.deepEqual(records.map((record) => record.type), [8, 7, 5, 3]);
  assert.equal(coordinator.group("group")!.members.has("m2"), true);
  assert.equal(
    send(heartbeatRequest({ memberId: "m1", memberEpoch: 1 }), 45_001).errorCode,
    ErrorCode.UNKNOWN_MEMBER_ID,
  );
});

Deno.test("a member that does not revoke within its rebalance timeout is fenced", () => {
  const { send, coordinator } = harness();
  send(joinRequest("m1", ["foo"], { rebalanceTimeoutMs: 10_000 }), 0);
  send(joinRequest("m2", ["foo"]), 0);
  send(heartbeatRequest({ memberId: "m1", memberEpoch: 1, topicPartitions: owned(0, 1, 2, 3, 4, 5) }), 1_000);
  // m1 keeps heartbeating but never gives its partitions up.
  send(heartbeatRequest({ memberId: "m1", memberEpoch: 1, topicPartitions: owned(0, 1, 2, 3, 4, 5) }), 6_000);
  assert.deepEqual(coordinator.tick(10_999).expired, []);
  assert.deepEqual(coordinator.tick(11_000).expired, [{
    groupId: "group",
    memberId: "m1",
    reason: "rebalance timeout",
  }]);
});

Deno.test("a full group refuses newcomers", () => {
  const { send } = harness({ maxSize: 1 });
  send(joinRequest("m1", ["foo"]));
  const response = send(joinRequest("m2", ["foo"]));
  assert.equal(response.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
  assert.equal(response.errorMessage, "The consumer group has reached its maximum capacity of 1 members.");
  assert.equal(send(heartbeatRequest({ memberId: "m1", memberEpoch: 1 })).errorCode, ErrorCode.NONE);
});

Deno.test("new partitions of a subscribed topic bump the group epoch and get assigned", () => {
  const { send } = harness();
  send(joinRequest("m1", ["foo", "bar"]));
  const grown = topicSource({ foo: 8, bar: 1 });
  const response = send(heartbeatRequest({ memberId: "m1", memberEpoch: 1 }), 0, grown);
  assert.equal(response.memberEpoch, 2);
  assert.equal(pairsOf(response.assignment?.topicPartitions).length, 9);
});

Deno.test("a partial heartbeat gets no assignment when nothing changed", () => {
  const { send } = harness();
  send(joinRequest("m1", ["foo"]));
  const response = send(heartbeatRequest({ memberId: "m1", memberEpoch: 1 }));
  assert.equal(response.assignment, null);
  const full = send(heartbeatRequest({
    memberId: "m1",
    memberEpoch: 1,
    rebalanceTimeoutMs: 30_000,
    subscribedTopicNames: ["foo"],
    topicPartitions: owned(0, 1, 2, 3, 4, 5),
  }));
  assert.deepEqual(fooPartitions(full), [0, 1, 2, 3, 4, 5]);
});

Deno.test("the server assignor most members ask for is used", () => {
  const { send, coordinator } = harness();
  send(joinRequest("m1", ["foo"], { serverAssignor: "range" }));
  send(joinRequest("m2", ["foo"], { serverAssignor: "range" }));
  const [described] = coordinator.describe(["group"], topics);
  assert.equal(described!.assignorName, "range");
  const target = coordinator.group("group")!.targetAssignment;
  assert.deepEqual([...target.get("m1")!.get(foo)!].sort(), [0, 1, 2]);
  assert.deepEqual([...target.get("m2")!.get(foo)!].sort(), [3, 4, 5]);
});

Deno.test("describe reports members, assignments and unknown groups", () => {
  const { send, coordinator } = harness();
  send(joinRequest("m1", ["foo"], { instanceId: "i1", rackId: "r1" }));
  const [group, missing, invalid] = coordinator.describe(["group", "missing", ""], topics);
  assert.equal(group!.errorCode, ErrorCode.NONE);
  assert.deepEqual(
    [group!.groupState, group!.groupEpoch, group!.assignmentEpoch, group!.assignorName],
    ["Stable", 1, 1, "uniform"],
  );
  const member = group!.members[0]!;
  assert.deepEqual(
    [
      member.memberId,
      member.instanceId,
      member.rackId,
      member.memberEpoch,
      member.clientId,
      member.memberType,
    ],
    ["m1", "i1", "r1", 1, "client", 1],
  );
  assert.equal(member.assignment.topicPartitions[0]!.topicName, "foo");
  assert.deepEqual(member.targetAssignment.topicPartitions[0]!.partitions, [0, 1, 2, 3, 4, 5]);
  assert.equal(missing!.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  assert.equal(invalid!.errorCode, ErrorCode.INVALID_GROUP_ID);
});

Deno.test("replaying the log rebuilds the same groups", () => {
  const { send, log, coordinator } = harness();
  send(joinRequest("m1", ["foo"]));
  send(joinRequest("s1", ["foo"], { instanceId: "s" }));
  send(heartbeatRequest({ memberId: "m1", memberEpoch: 1, topicPartitions: owned(0, 1, 2, 3, 4, 5) }));
  send(heartbeatRequest({ memberId: "s1", memberEpoch: -2, instanceId: "s" }));
  send(joinRequest("s2", ["foo"], { instanceId: "s" }));
  const rebuilt = makeCoordinator();
  for (const record of log) rebuilt.replay(record);
  assert.deepEqual(rebuilt.describe(["group"], topics), coordinator.describe(["group"], topics));
});

Deno.test("offset commits from consumer members are checked against their epochs", () => {
  const { send, coordinator } = harness();
  send(joinRequest("m1", ["foo"]));
  const options = { apiVersion: 9, isTransactional: false };
  assert.equal(coordinator.validateOffsetCommit("group", "m1", 1, options), null);
  assert.equal(
    coordinator.validateOffsetCommit("group", "m1", 0, options)?.code,
    ErrorCode.STALE_MEMBER_EPOCH,
  );
  assert.equal(
    coordinator.validateOffsetCommit("group", "m9", 1, options)?.code,
    ErrorCode.UNKNOWN_MEMBER_ID,
  );
  assert.equal(
    coordinator.validateOffsetCommit("group", "m1", 1, { apiVersion: 8, isTransactional: false })?.code,
    ErrorCode.UNSUPPORTED_VERSION,
  );
  assert.equal(coordinator.validateOffsetFetch("group", null, -1), null);
  assert.equal(coordinator.validateOffsetFetch("group", "m1", 2)?.code, ErrorCode.STALE_MEMBER_EPOCH);
});

Deno.test("an empty group can be deleted and a non-empty one cannot", () => {
  const { send, coordinator } = harness();
  send(joinRequest("m1", ["foo"]));
  assert.equal(coordinator.deleteGroup("group").response, ErrorCode.NON_EMPTY_GROUP);
  send(heartbeatRequest({ memberId: "m1", memberEpoch: -1 }));
  assert.deepEqual(coordinator.listGroups(), [
    { groupId: "group", groupState: "Empty", groupType: "consumer", protocolType: "consumer" },
  ]);
  const deleted = coordinator.deleteGroup("group");
  assert.equal(deleted.response, ErrorCode.NONE);
  assert.deepEqual(deleted.records.map((record) => [record.type, record.value]), [[6, null], [4, null], [
    3,
    null,
  ]]);
  assert.equal(coordinator.hasGroup("group"), false);
  assert.equal(coordinator.deleteGroup("group").response, ErrorCode.GROUP_ID_NOT_FOUND);
});

Deno.test("a static member that left temporarily is removed when its session expires", () => {
  const { send, coordinator } = harness();
  send(joinRequest("a1", ["foo"], { instanceId: "a" }), 0);
  send(heartbeatRequest({ memberId: "a1", memberEpoch: -2, instanceId: "a" }), 10_000);
  // The temporary leave does not extend the session: it runs from the last heartbeat.
  assert.deepEqual(coordinator.tick(45_000).expired, [{
    groupId: "group",
    memberId: "a1",
    reason: "session timeout",
  }]);
  assert.equal(coordinator.group("group")!.state(), "Empty");
  const back = send(joinRequest("a2", ["foo"], { instanceId: "a" }), 46_000);
  assert.equal(back.memberEpoch, 3, "a new member after a rebalance");
});

Deno.test("deadlines start afresh when a loaded log is handed over", () => {
  const { send, log } = harness();
  send(joinRequest("m1", ["foo"], { rebalanceTimeoutMs: 5_000 }), 0);
  send(joinRequest("m2", ["foo"]), 0);
  send(heartbeatRequest({ memberId: "m1", memberEpoch: 1, topicPartitions: owned(0, 1, 2, 3, 4, 5) }), 0);
  const loaded = makeCoordinator();
  for (const record of log) loaded.replay(record);
  loaded.onLoaded(100_000);
  assert.equal(loaded.nextDeadlineMs(), 105_000);
  assert.deepEqual(loaded.tick(104_999).expired, []);
  assert.deepEqual(loaded.tick(105_000).expired, [{
    groupId: "group",
    memberId: "m1",
    reason: "rebalance timeout",
  }]);
  assert.deepEqual(loaded.tick(145_000).expired, [{
    groupId: "group",
    memberId: "m2",
    reason: "session timeout",
  }]);
});

Deno.test("a rebalance deadline is dropped once the member has revoked", () => {
  const { send, coordinator } = harness();
  send(joinRequest("m1", ["foo"], { rebalanceTimeoutMs: 5_000 }), 0);
  send(joinRequest("m2", ["foo"]), 0);
  const revoke = send(
    heartbeatRequest({ memberId: "m1", memberEpoch: 1, topicPartitions: owned(0, 1, 2, 3, 4, 5) }),
    0,
  );
  send(
    heartbeatRequest({ memberId: "m1", memberEpoch: 1, topicPartitions: owned(...fooPartitions(revoke)) }),
    1_000,
  );
  assert.deepEqual(coordinator.tick(10_000).expired, []);
  assert.equal(coordinator.group("group")!.members.size, 2);
});
