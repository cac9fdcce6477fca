/**
 * The KIP-848 consumer groups wired into a node, over the wire, in the
 * simulator (virtual time: session timeouts pass at once): heartbeats are
 * answered once durable, the session timer runs through the Clock, groups
 * and offsets survive a restart, classic and consumer groups share ids as
 * Kafka's rules say, DeleteGroups and failed appends leave the state as the
 * log has it.
 */
import assert from "node:assert/strict";
import { KafkaClient } from "./kafka_client.ts";
import { SimCluster } from "../io/sim/mod.ts";
import { BrokerConfig } from "../config/mod.ts";
import {
  ErrorCode,
  type RequestInput,
  type RequestInputForKey,
  type ResponseForKey,
  type ResponseOf,
} from "../protocol/mod.ts";
import type { consumerGroupDescribe, consumerGroupHeartbeat } from "../protocol/messages/mod.ts";
import { consumerGroupSettings } from "../group/mod.ts";
import { type RunningNode, startNode } from "./node.ts";

type HeartbeatFields = Partial<RequestInput<typeof consumerGroupHeartbeat>>;
type HeartbeatResponse = ResponseOf<typeof consumerGroupHeartbeat>;
type DescribedGroup = ResponseOf<typeof consumerGroupDescribe>["groups"][number];

const CONSUMER_GROUP_HEARTBEAT = 68;
const CONSUMER_GROUP_DESCRIBE = 69;
const JOIN_GROUP = 11;
const OFFSET_COMMIT = 8;
const OFFSET_FETCH = 9;
const LIST_GROUPS = 16;
const DELETE_GROUPS = 42;
const FIND_COORDINATOR = 10;
const CREATE_TOPICS = 19;
const INCREMENTAL_ALTER_CONFIGS = 44;
const SESSION_TIMEOUT_MS = 3000;

function nodeConfig(): BrokerConfig {
  return new BrokerConfig(
    new Map([
      ["node.id", "1"],
      ["process.roles", "broker,controller"],
      ["listeners", "PLAINTEXT://node:9092"],
      ["log.dirs", "/data"],
      ["offsets.topic.num.partitions", "3"],
      ["offsets.topic.replication.factor", "1"],
      ["group.initial.rebalance.delay.ms", "0"],
      ["group.consumer.session.timeout.ms", String(SESSION_TIMEOUT_MS)],
      ["group.consumer.heartbeat.interval.ms", "500"],
    ]),
  );
}

interface Harness {
  cluster: SimCluster;
  node: RunningNode;
  client: KafkaClient;
  run<T>(work: Promise<T>): Promise<T>;
  request<Key extends number>(
    apiKey: Key,
    version: number,
    body: RequestInputForKey<Key>,
  ): Promise<ResponseForKey<Key>>;
  restart(): Promise<void>;
  topicId: Uint8Array;
}

async function setUp(): Promise<Harness> {
  const cluster = new SimCluster({ seed: 11 });
  const run = <T>(work: Promise<T>) => cluster.scheduler.runUntilSettled(work, { maxVirtualMs: 30_000 });
  const harness = { cluster, run } as Harness;
  const connect = async () => {
    harness.node = await run(
      startNode(
        cluster.host("node").running ? cluster.restart("node", "process") : cluster.start("node"),
        nodeConfig(),
      ),
    );
    const world = cluster.host("client").running ? cluster.restart("client") : cluster.start("client");
    harness.client = await run(KafkaClient.connect(world.net, "node", 9092));
  };
  await connect();
  harness.request = (apiKey, version, body) => run(harness.client.request(apiKey, version, body));
  harness.restart = connect;
  const created = await harness.request(CREATE_TOPICS, 7, {
    topics: [{ name: "events", numPartitions: 4, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 1000,
    validateOnly: false,
  });
  assert.equal(created.topics[0]!.errorCode, 0);
  harness.topicId = created.topics[0]!.topicId;
  const found = await harness.request(FIND_COORDINATOR, 3, { key: "group", keyType: 0 });
  assert.equal(found.errorCode, 0);
  return harness;
}

function heartbeatBody(fields: HeartbeatFields): RequestInput<typeof consumerGroupHeartbeat> {
  return {
    groupId: "group",
    memberId: "",
    memberEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: -1,
    subscribedTopicNames: null,
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: null,
    ...fields,
  };
}

function join(harness: Harness, memberId: string, groupId = "group"): Promise<HeartbeatResponse> {
  return harness.request(
    CONSUMER_GROUP_HEARTBEAT,
    1,
    heartbeatBody({
      groupId,
      memberId,
      rebalanceTimeoutMs: 5000,
      subscribedTopicNames: ["events"],
      topicPartitions: [],
    }),
  );
}

/** The partitions of a heartbeat response's assignment. */
function partitionsOf(response: HeartbeatResponse): number[] {
  const topics = response.assignment?.topicPartitions ?? [];
  return topics.flatMap((topic) => topic.partitions).sort((left, right) => left - right);
}

/** A heartbeat acknowledging `owned`, at `epoch`. */
function ack(harness: Harness, memberId: string, epoch: number, owned: number[]): Promise<HeartbeatResponse> {
  return harness.request(
    CONSUMER_GROUP_HEARTBEAT,
    1,
    heartbeatBody({
      memberId,
      memberEpoch: epoch,
      topicPartitions: owned.length === 0 ? [] : [{ topicId: harness.topicId, partitions: owned }],
    }),
  );
}

async function describe(harness: Harness, groupId = "group"): Promise<DescribedGroup> {
  const response = await harness.request(CONSUMER_GROUP_DESCRIBE, 1, {
    groupIds: [groupId],
    includeAuthorizedOperations: false,
  });
  return response.groups[0]!;
}

Deno.test("a consumer group survives a restart, and a dead member is fenced by the session timer", async () => {
  const harness = await setUp();
  const first = await join(harness, "member-a");
  assert.equal(first.errorCode, 0);
  assert.equal(first.memberEpoch, 1);
  assert.deepEqual(partitionsOf(first), [0, 1, 2, 3]);
  const commit = await harness.request(OFFSET_COMMIT, 9, {
    groupId: "group",
    generationIdOrMemberEpoch: 1,
    memberId: "member-a",
    groupInstanceId: null,
    topics: [{
      name: "events",
      partitions: [{
        partitionIndex: 2,
        committedOffset: 17,
        committedLeaderEpoch: -1,
        committedMetadata: "m",
      }],
    }],
  });
  assert.equal(commit.topics[0]!.partitions[0]!.errorCode, 0);

  await harness.restart();
  await harness.request(FIND_COORDINATOR, 3, { key: "group", keyType: 0 });
  const described = await describe(harness);
  assert.equal(described.errorCode, 0);
  assert.equal(described.groupEpoch, 1);
  assert.deepEqual(described.members.map((member) => member.memberId), ["member-a"]);
  // The member goes on with its epoch after the restart.
  assert.equal((await ack(harness, "member-a", 1, [0, 1, 2, 3])).errorCode, 0);
  const fetched = await harness.request(OFFSET_FETCH, 9, {
    groups: [{
      groupId: "group",
      memberId: "member-a",
      memberEpoch: 1,
      topics: [{ name: "events", partitionIndexes: [2] }],
    }],
    requireStable: true,
  });
  const group = fetched.groups[0]!;
  assert.equal(group.errorCode, 0);
  assert.equal(group.topics[0]!.partitions[0]!.committedOffset, 17);

  // A second member joins; member-a stops heartbeating and is fenced after its session.
  const second = await join(harness, "member-b");
  assert.equal(second.errorCode, 0);
  let owned: number[] = [];
  let epoch = second.memberEpoch;
  for (let round = 0; round < 20 && owned.length < 4; round++) {
    await harness.cluster.scheduler.runFor(500);
    const answer = await ack(harness, "member-b", epoch, owned);
    assert.equal(answer.errorCode, 0);
    epoch = answer.memberEpoch;
    if (answer.assignment !== null) owned = partitionsOf(answer);
  }
  assert.deepEqual(owned, [0, 1, 2, 3]);
  const fenced = await ack(harness, "member-a", 1, [0, 1, 2, 3]);
  assert.equal(fenced.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  const listed = await harness.request(LIST_GROUPS, 5, { statesFilter: [], typesFilter: ["consumer"] });
  assert.deepEqual(
    listed.groups.map((entry) => [entry.groupId, entry.groupType, entry.protocolType]),
    [["group", "consumer", "consumer"]],
  );
});

Deno.test("consumer and classic groups share ids as Kafka's rules say", async () => {
  const harness = await setUp();
  // A simple classic group (offsets only) is empty: a consumer group join takes its id and keeps its offsets.
  const simple = await harness.request(OFFSET_COMMIT, 8, {
    groupId: "group",
    generationIdOrMemberEpoch: -1,
    memberId: "",
    groupInstanceId: null,
    topics: [{
      name: "events",
      partitions: [{
        partitionIndex: 0,
        committedOffset: 5,
        committedLeaderEpoch: -1,
        committedMetadata: null,
      }],
    }],
  });
  assert.equal(simple.topics[0]!.partitions[0]!.errorCode, 0);
  const notYet = await ack(harness, "member-a", 3, []);
  assert.equal(notYet.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  assert.equal(notYet.errorMessage, "Group group is not a consumer group.");
  assert.equal((await join(harness, "member-a")).errorCode, 0);
  const classicJoin = await harness.request(JOIN_GROUP, 9, {
    groupId: "group",
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId: "",
    groupInstanceId: null,
    protocolType: "consumer",
    protocols: [{ name: "range", metadata: new Uint8Array(0) }],
    reason: null,
  });
  assert.equal(classicJoin.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  await harness.restart();
  await harness.request(FIND_COORDINATOR, 3, { key: "group", keyType: 0 });
  assert.equal((await describe(harness)).errorCode, 0);
  const offsets = await harness.request(OFFSET_FETCH, 8, {
    groups: [{ groupId: "group", topics: [{ name: "events", partitionIndexes: [0] }] }],
    requireStable: false,
  });
  assert.equal(offsets.groups[0]!.topics[0]!.partitions[0]!.committedOffset, 5);

  // A classic group with members keeps its id.
  const classic = await harness.request(JOIN_GROUP, 9, {
    groupId: "classic",
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId: "",
    groupInstanceId: null,
    protocolType: "consumer",
    protocols: [{ name: "range", metadata: new Uint8Array(0) }],
    reason: null,
  });
  assert.equal(classic.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  const joined = await harness.request(JOIN_GROUP, 9, {
    groupId: "classic",
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId: classic.memberId,
    groupInstanceId: null,
    protocolType: "consumer",
    protocols: [{ name: "range", metadata: new Uint8Array(0) }],
    reason: null,
  });
  assert.equal(joined.errorCode, 0);
  const refused = await join(harness, "member-x", "classic");
  assert.equal(refused.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  const describedClassic = await describe(harness, "classic");
  assert.equal(describedClassic.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  assert.equal(describedClassic.errorMessage, "Group classic is not a consumer group.");
});

Deno.test("DeleteGroups deletes an empty consumer group, and the deletion holds after a restart", async () => {
  const harness = await setUp();
  const joined = await join(harness, "member-a");
  const deleteGroup = async () => {
    const response = await harness.request(DELETE_GROUPS, 2, { groupsNames: ["group"] });
    return response.results[0]!.errorCode;
  };
  assert.equal(await deleteGroup(), ErrorCode.NON_EMPTY_GROUP);
  const left = await harness.request(
    CONSUMER_GROUP_HEARTBEAT,
    1,
    heartbeatBody({ memberId: "member-a", memberEpoch: -1 }),
  );
  assert.equal(left.errorCode, 0);
  assert.equal(left.memberEpoch, -1);
  assert.equal((await describe(harness)).groupState, "Empty");
  // The deletion and a join queued in the same turn: the join sees the group deleted.
  const [deleted, fresh] = await harness.run(Promise.all([
    harness.client.request(DELETE_GROUPS, 2, { groupsNames: ["group"] }),
    harness.client.request(
      CONSUMER_GROUP_HEARTBEAT,
      1,
      heartbeatBody({
        memberId: "member-b",
        rebalanceTimeoutMs: 5000,
        subscribedTopicNames: ["events"],
        topicPartitions: [],
      }),
    ),
  ]));
  assert.equal(deleted.results[0]!.errorCode, 0);
  assert.equal(fresh.errorCode, 0);
  assert.equal(fresh.memberEpoch, 1, `a new group starts at epoch 1 (was ${joined.memberEpoch})`);
  await harness.restart();
  await harness.request(FIND_COORDINATOR, 3, { key: "group", keyType: 0 });
  const described = await describe(harness);
  assert.equal(described.groupEpoch, 1);
  assert.deepEqual(described.members.map((member) => member.memberId), ["member-b"]);
});

Deno.test("a heartbeat whose records cannot be appended fails, and the group is as the log has it", async () => {
  const harness = await setUp();
  assert.equal((await join(harness, "member-a")).errorCode, 0);
  const altered = await harness.request(INCREMENTAL_ALTER_CONFIGS, 1, {
    resources: [{
      resourceType: 2,
      resourceName: "__consumer_offsets",
      configs: [{ name: "max.message.bytes", configOperation: 0, value: "120" }],
    }],
    validateOnly: false,
  });
  assert.equal(altered.responses[0]!.errorCode, 0);
  const refused = await join(harness, "member-b");
  assert.equal(refused.errorCode, ErrorCode.UNKNOWN_SERVER_ERROR);
  const described = await describe(harness);
  assert.deepEqual(described.members.map((member) => member.memberId), ["member-a"]);
  assert.equal(described.groupEpoch, 1);
});

Deno.test("group.consumer.* configs set the coordinator; assignors by name or Kafka's class name", () => {
  const config = (settings: [string, string][]) =>
    new BrokerConfig(new Map([["node.id", "1"], ["process.roles", "broker,controller"], ...settings]));
  const defaults = consumerGroupSettings(config([]), () => "id");
  assert.deepEqual(
    [defaults.sessionTimeoutMs, defaults.heartbeatIntervalMs, defaults.maxSize, defaults.assignors],
    [45_000, 5000, 2147483647, ["uniform", "range"]],
  );
  const classNames = consumerGroupSettings(
    config([[
      "group.consumer.assignors",
      "org.apache.kafka.coordinator.group.assignor.RangeAssignor,uniform",
    ]]),
    () => "id",
  );
  assert.deepEqual(classNames.assignors, ["range", "uniform"]);
});
