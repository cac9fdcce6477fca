/**
 * The KIP-848 consumer group protocol over the wire against a real node
 * process: ConsumerGroupHeartbeat and ConsumerGroupDescribe with raw
 * requests, as no client here speaks the protocol yet. Three members join a
 * group on a 6-partition topic and reconcile; at every answer of the
 * exchange no partition is held by two members (a member holds a partition
 * from the answer that gives it until the heartbeat that acknowledges its
 * revocation). Then commits with member epochs, a member leaving, Describe,
 * ListGroups, a kill -9 and restart that keeps the group and its offsets,
 * and Kafka's refusals.
 */
import assert from "node:assert/strict";
import { ErrorCode, type RequestInput, type ResponseOf } from "../src/protocol/mod.ts";
import type {
  consumerGroupDescribe,
  consumerGroupHeartbeat,
  offsetFetch,
} from "../src/protocol/messages/mod.ts";

type HeartbeatRequest = RequestInput<typeof consumerGroupHeartbeat>;
type HeartbeatResponse = ResponseOf<typeof consumerGroupHeartbeat>;
type DescribedGroup = ResponseOf<typeof consumerGroupDescribe>["groups"][number];
type FetchedGroup = ResponseOf<typeof offsetFetch>["groups"][number];
import type { KafkaClient } from "../sim/clients/kafka_client.ts";
import { NodeProcess } from "./support/node_process.ts";
import { connectClient, createTopics } from "./support/raw_kafka.ts";

const OFFSET_COMMIT = 8;
const OFFSET_FETCH = 9;
const FIND_COORDINATOR = 10;
const DESCRIBE_GROUPS = 15;
const LIST_GROUPS = 16;
const API_VERSIONS = 18;
const METADATA = 3;
const CONSUMER_GROUP_HEARTBEAT = 68;
const CONSUMER_GROUP_DESCRIBE = 69;
const GROUP = "kip848-group";
const TOPIC = "events";
const PARTITIONS = 6;
const ROUNDS_MAX = 30;

/** A member as its client knows itself. */
interface Member {
  name: string;
  memberId: string;
  epoch: number;
  /** Partitions it holds: given by an answer, not yet acknowledged as revoked. */
  held: Set<number>;
  /** The partitions of its last assignment (what it processes). */
  assigned: Set<number>;
}

function newMember(name: string): Member {
  return { name, memberId: `${name}-id`, epoch: 0, held: new Set(), assigned: new Set() };
}

function heartbeatBody(fields: Partial<HeartbeatRequest>): HeartbeatRequest {
  return {
    groupId: GROUP,
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

/** The exchange of one group: sends heartbeats and checks every answer against every member. */
class Exchange {
  readonly members: Member[] = [];
  topicId: Uint8Array = new Uint8Array(16);

  constructor(private client: KafkaClient) {}

  useClient(client: KafkaClient): void {
    this.client = client;
  }

  /** One heartbeat of `member`: a join at epoch 0, else an acknowledgement of what it holds. */
  async heartbeat(member: Member): Promise<HeartbeatResponse> {
    const joining = member.epoch === 0;
    // The heartbeat says what the member owns: the revoked partitions are released as it is sent.
    member.held = new Set(member.assigned);
    const owned = [...member.assigned].sort((left, right) => left - right);
    const answer = await this.client.request(
      CONSUMER_GROUP_HEARTBEAT,
      1,
      heartbeatBody({
        memberId: member.memberId,
        memberEpoch: member.epoch,
        rebalanceTimeoutMs: joining ? 30_000 : -1,
        subscribedTopicNames: joining ? [TOPIC] : null,
        topicPartitions: owned.length === 0 ? [] : [{ topicId: this.topicId, partitions: owned }],
      }),
    );
    assert.equal(answer.errorCode, 0, `${member.name}: ${answer.errorMessage}`);
    member.epoch = answer.memberEpoch;
    if (answer.assignment !== null) {
      const topics = answer.assignment.topicPartitions;
      for (const topic of topics) assert.deepEqual(topic.topicId, this.topicId);
      member.assigned = new Set(topics.flatMap((topic) => topic.partitions));
      for (const partition of member.assigned) member.held.add(partition);
    }
    this.#checkNoPartitionHeldTwice();
    return answer;
  }

  #checkNoPartitionHeldTwice(): void {
    const holders = new Map<number, string>();
    for (const member of this.members) {
      for (const partition of member.held) {
        const other = holders.get(partition);
        assert.equal(other, undefined, `partition ${partition} held by ${other} and ${member.name}`);
        holders.set(partition, member.name);
      }
    }
  }

  /** Whether the members hold every partition once, all at one epoch, nothing left to acknowledge. */
  settled(): boolean {
    const epochs = new Set(this.members.map((member) => member.epoch));
    const held = this.members.flatMap((member) => [...member.held]).sort((left, right) => left - right);
    const acknowledged = this.members.every((member) =>
      [...member.held].every((partition) => member.assigned.has(partition))
    );
    return epochs.size === 1 && acknowledged && held.join() === [...Array(PARTITIONS).keys()].join();
  }

  /** Heartbeats round-robin until the group settles; returns the number of heartbeats. */
  async reconcile(): Promise<number> {
    let heartbeats = 0;
    for (let round = 0; round < ROUNDS_MAX; round++) {
      for (const member of this.members) {
        await this.heartbeat(member);
        heartbeats++;
      }
      if (this.settled()) return heartbeats;
    }
    throw new Error(`the group did not settle: ${JSON.stringify(this.members.map(describeMember))}`);
  }
}

function describeMember(member: Member): object {
  return { name: member.name, epoch: member.epoch, held: [...member.held], assigned: [...member.assigned] };
}

function sorted(partitions: Iterable<number>): number[] {
  return [...partitions].sort((left, right) => left - right);
}

async function commit(client: KafkaClient, member: Member, epoch: number, offsets: Map<number, number>) {
  const answer = await client.request(OFFSET_COMMIT, 9, {
    groupId: GROUP,
    generationIdOrMemberEpoch: epoch,
    memberId: member.memberId,
    groupInstanceId: null,
    topics: [{
      name: TOPIC,
      partitions: [...offsets].map(([partitionIndex, committedOffset]) => ({
        partitionIndex,
        committedOffset,
        committedLeaderEpoch: -1,
        committedMetadata: `${member.name}@${epoch}`,
      })),
    }],
  });
  return answer.topics[0]!.partitions.map((partition) => partition.errorCode);
}

async function describeGroup(client: KafkaClient): Promise<DescribedGroup> {
  const answer = await client.request(CONSUMER_GROUP_DESCRIBE, 1, {
    groupIds: [GROUP],
    includeAuthorizedOperations: true,
  });
  return answer.groups[0]!;
}

async function fetchOffsets(client: KafkaClient, member: Member | null): Promise<FetchedGroup> {
  const answer = await client.request(OFFSET_FETCH, 9, {
    groups: [{
      groupId: GROUP,
      memberId: member?.memberId ?? null,
      memberEpoch: member?.epoch ?? -1,
      topics: [{ name: TOPIC, partitionIndexes: [...Array(PARTITIONS).keys()] }],
    }],
    requireStable: true,
  });
  return answer.groups[0]!;
}

Deno.test("KIP-848 consumer groups over the wire: reconcile, commit, leave, describe, restart", async (t) => {
  const node = await new NodeProcess({ overrides: { "offsets.topic.num.partitions": "5" } }).start();
  let client = await connectClient(node.port);
  const exchange = new Exchange(client);
  const [alpha, beta, gamma] = [newMember("alpha"), newMember("beta"), newMember("gamma")];
  const expectedOffsets = new Map<number, number>();
  try {
    assert.equal((await createTopics(client, [{ name: TOPIC, partitions: PARTITIONS }])).get(TOPIC), 0);
    const metadata = await client.request(METADATA, 12, {
      topics: [{ name: TOPIC, topicId: new Uint8Array(16) }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    exchange.topicId = metadata.topics[0]!.topicId;
    assert.equal(
      (await client.request(FIND_COORDINATOR, 4, { keyType: 0, coordinatorKeys: [GROUP] }))
        .coordinators[0]!.errorCode,
      0,
    );

    await t.step("ApiVersions advertises ConsumerGroupHeartbeat and ConsumerGroupDescribe v0-1", async () => {
      const versions = await client.request(API_VERSIONS, 3, {
        clientSoftwareName: "dafka-test",
        clientSoftwareVersion: "1",
      });
      const keys = new Map(versions.apiKeys.map((key) => [key.apiKey, key]));
      for (const apiKey of [CONSUMER_GROUP_HEARTBEAT, CONSUMER_GROUP_DESCRIBE]) {
        assert.equal(keys.get(apiKey)?.minVersion, 0);
        assert.equal(keys.get(apiKey)?.maxVersion, 1);
      }
    });

    await t.step("three members join and reconcile; no partition is held by two members", async () => {
      exchange.members.push(alpha);
      await exchange.heartbeat(alpha);
      assert.deepEqual(sorted(alpha.assigned), [0, 1, 2, 3, 4, 5]);
      exchange.members.push(beta, gamma);
      await exchange.heartbeat(beta);
      await exchange.heartbeat(gamma);
      // Newcomers wait for alpha to revoke before they get anything.
      assert.equal(beta.assigned.size + gamma.assigned.size, 0);
      await exchange.reconcile();
      for (const member of exchange.members) assert.equal(member.assigned.size, 2, member.name);
    });

    await t.step("members commit with their epochs (OffsetCommit v9)", async () => {
      for (const member of exchange.members) {
        const offsets = new Map([...member.assigned].map((partition) => [partition, 100 + partition]));
        assert.deepEqual(await commit(client, member, member.epoch, offsets), [0, 0]);
        for (const [partition, offset] of offsets) expectedOffsets.set(partition, offset);
      }
      const [stale] = await commit(client, alpha, alpha.epoch - 1, new Map([[0, 1]]));
      assert.equal(stale, ErrorCode.STALE_MEMBER_EPOCH);
      const [unknown] = await commit(client, newMember("stranger"), alpha.epoch, new Map([[0, 1]]));
      assert.equal(unknown, ErrorCode.UNKNOWN_MEMBER_ID);
      const old = await client.request(OFFSET_COMMIT, 8, {
        groupId: GROUP,
        generationIdOrMemberEpoch: alpha.epoch,
        memberId: alpha.memberId,
        groupInstanceId: null,
        topics: [{
          name: TOPIC,
          partitions: [{
            partitionIndex: 0,
            committedOffset: 1,
            committedLeaderEpoch: -1,
            committedMetadata: null,
          }],
        }],
      });
      assert.equal(old.topics[0]!.partitions[0]!.errorCode, ErrorCode.UNSUPPORTED_VERSION);
      const fetched = await fetchOffsets(client, beta);
      assert.equal(fetched.errorCode, 0);
      const committed = fetched.topics[0]!.partitions.map((partition) => partition.committedOffset);
      assert.deepEqual(committed, [...Array(PARTITIONS).keys()].map((partition) => 100 + partition));
      const staleFetch = await fetchOffsets(client, { ...beta, epoch: beta.epoch + 1 });
      assert.equal(staleFetch.errorCode, ErrorCode.STALE_MEMBER_EPOCH);
    });

    await t.step("a member leaves with epoch -1 and its partitions move to the others", async () => {
      const leaving = sorted(gamma.assigned);
      const left = await client.request(
        CONSUMER_GROUP_HEARTBEAT,
        1,
        heartbeatBody({ memberId: gamma.memberId, memberEpoch: -1 }),
      );
      assert.equal(left.errorCode, 0);
      assert.equal(left.memberEpoch, -1);
      exchange.members.splice(exchange.members.indexOf(gamma), 1);
      await exchange.reconcile();
      const moved = [...alpha.assigned, ...beta.assigned];
      for (const partition of leaving) assert.ok(moved.includes(partition), `partition ${partition} moved`);
      assert.equal(alpha.assigned.size, 3);
      assert.equal(beta.assigned.size, 3);
    });

    await t.step("ConsumerGroupDescribe shows the members and their assignments", async () => {
      const group = await describeGroup(client);
      assert.equal(group.errorCode, 0);
      assert.equal(group.groupState, "Stable");
      assert.equal(group.assignorName, "uniform");
      assert.equal(group.assignmentEpoch, group.groupEpoch);
      assert.notEqual(group.authorizedOperations, -2147483648);
      const members = new Map(group.members.map((member) => [member.memberId, member]));
      // Member ids are strings: sorted as text on both sides (sorted() orders numbers).
      assert.deepEqual([...members.keys()].sort(), [alpha.memberId, beta.memberId].sort());
      for (const member of [alpha, beta]) {
        const described = members.get(member.memberId)!;
        assert.equal(described.memberEpoch, member.epoch);
        assert.equal(described.memberType, 1);
        assert.equal(described.clientId, "dafka-test");
        assert.deepEqual(described.subscribedTopicNames, [TOPIC]);
        const assignment = described.assignment.topicPartitions;
        assert.equal(assignment[0]!.topicName, TOPIC);
        assert.deepEqual(sorted(assignment[0]!.partitions), sorted(member.assigned));
        assert.deepEqual(
          sorted(described.targetAssignment.topicPartitions[0]!.partitions),
          sorted(member.assigned),
        );
      }
      const missing = await client.request(CONSUMER_GROUP_DESCRIBE, 0, {
        groupIds: ["no-such-group"],
        includeAuthorizedOperations: false,
      });
      assert.equal(missing.groups[0]!.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    });

    await t.step(
      "ListGroups shows the group as a consumer group; DescribeGroups does not describe it",
      async () => {
        const consumer = await client.request(LIST_GROUPS, 5, {
          statesFilter: [],
          typesFilter: ["consumer"],
        });
        assert.deepEqual(
          consumer.groups.map((group) => [group.groupId, group.groupType, group.groupState]),
          [[GROUP, "consumer", "Stable"]],
        );
        const classic = await client.request(LIST_GROUPS, 5, { statesFilter: [], typesFilter: ["classic"] });
        assert.deepEqual(classic.groups, []);
        const stable = await client.request(LIST_GROUPS, 4, { statesFilter: ["STABLE"] });
        assert.deepEqual(stable.groups.map((group) => group.groupId), [GROUP]);
        // The classic DescribeGroups (v0-5) describes a consumer group as Kafka 4 does: Dead, no error.
        const described = await client.request(DESCRIBE_GROUPS, 5, {
          groups: [GROUP],
          includeAuthorizedOperations: false,
        });
        const group = described.groups[0]!;
        assert.deepEqual([group.errorCode, group.groupState, group.members], [0, "Dead", []]);
      },
    );

    await t.step("after kill -9 and a restart the group and its offsets are there", async () => {
      const before = await describeGroup(client);
      client.close();
      await node.kill();
      await node.start();
      client = await connectClient(node.port);
      exchange.useClient(client);
      assert.equal(
        (await client.request(FIND_COORDINATOR, 4, { keyType: 0, coordinatorKeys: [GROUP] }))
          .coordinators[0]!.errorCode,
        0,
      );
      const after = await describeGroup(client);
      assert.deepEqual(after, before);
      // The members go on with their epochs: the group was loaded, not formed again.
      for (const member of [alpha, beta]) {
        const epoch = member.epoch;
        await exchange.heartbeat(member);
        assert.equal(member.epoch, epoch);
      }
      const fetched = await fetchOffsets(client, alpha);
      assert.equal(fetched.errorCode, 0);
      for (const partition of fetched.topics[0]!.partitions) {
        assert.equal(partition.committedOffset, expectedOffsets.get(partition.partitionIndex));
      }
    });

    await t.step(
      "refusals: FENCED_MEMBER_EPOCH, UNKNOWN_MEMBER_ID, UNSUPPORTED_ASSIGNOR, INVALID_REQUEST",
      async () => {
        const fenced = await client.request(
          CONSUMER_GROUP_HEARTBEAT,
          1,
          heartbeatBody({ memberId: alpha.memberId, memberEpoch: alpha.epoch + 5 }),
        );
        assert.equal(fenced.errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
        const unknown = await client.request(
          CONSUMER_GROUP_HEARTBEAT,
          1,
          heartbeatBody({ memberId: "nobody", memberEpoch: 3 }),
        );
        assert.equal(unknown.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
        const assignor = await client.request(
          CONSUMER_GROUP_HEARTBEAT,
          1,
          heartbeatBody({
            memberId: "delta-id",
            rebalanceTimeoutMs: 30_000,
            subscribedTopicNames: [TOPIC],
            serverAssignor: "sticky",
            topicPartitions: [],
          }),
        );
        assert.equal(assignor.errorCode, ErrorCode.UNSUPPORTED_ASSIGNOR);
        const regex = await client.request(
          CONSUMER_GROUP_HEARTBEAT,
          1,
          heartbeatBody({
            memberId: "delta-id",
            rebalanceTimeoutMs: 30_000,
            subscribedTopicRegex: "ev.*",
            topicPartitions: [],
          }),
        );
        assert.equal(regex.errorCode, ErrorCode.INVALID_REQUEST);
        const noMemberId = await client.request(
          CONSUMER_GROUP_HEARTBEAT,
          1,
          heartbeatBody({ rebalanceTimeoutMs: 30_000, subscribedTopicNames: [TOPIC], topicPartitions: [] }),
        );
        assert.equal(noMemberId.errorCode, ErrorCode.INVALID_REQUEST);
        // The refusals changed nothing: the members go on.
        await exchange.reconcile();
        assert.equal((await describeGroup(client)).members.length, 2);
      },
    );
  } finally {
    client.close();
    await node.dispose();
  }
});
