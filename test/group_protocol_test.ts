/**
 * The group APIs over the wire against a real node, at every version
 * clients send: FindCoordinator (batched keys, KIP-699), JoinGroup with the
 * member id round trip (KIP-394), SyncGroup, Heartbeat, LeaveGroup (single
 * and batched), OffsetCommit/OffsetFetch (batched groups, KIP-709),
 * OffsetDelete, ListGroups (state and type filters), DescribeGroups and
 * DeleteGroups, and bad input that must not disturb anything else.
 */
import assert from "node:assert/strict";
import { ErrorCode, type RequestInput, Writer } from "../src/protocol/mod.ts";
import type { joinGroup } from "../src/protocol/messages/mod.ts";
import type { KafkaClient } from "../sim/clients/kafka_client.ts";
import { NodeProcess } from "./support/node_process.ts";
import { connectClient, createTopics } from "./support/raw_kafka.ts";

const FIND_COORDINATOR = 10;
const JOIN_GROUP = 11;
const HEARTBEAT = 12;
const LEAVE_GROUP = 13;
const SYNC_GROUP = 14;
const DESCRIBE_GROUPS = 15;
const LIST_GROUPS = 16;
const OFFSET_COMMIT = 8;
const OFFSET_FETCH = 9;
const OFFSET_DELETE = 47;
const DELETE_GROUPS = 42;

function subscription(topics: string[]): Uint8Array {
  const writer = new Writer(64);
  writer.int16(0).int32(topics.length);
  for (const topic of topics) writer.nullableString(topic);
  return writer.nullableBytes(null).finish();
}

type JoinGroupBody = RequestInput<typeof joinGroup>;

function joinBody(groupId: string, memberId: string, extra: Partial<JoinGroupBody> = {}): JoinGroupBody {
  return {
    groupId,
    sessionTimeoutMs: 10000,
    rebalanceTimeoutMs: 10000,
    memberId,
    groupInstanceId: null,
    protocolType: "consumer",
    protocols: [{ name: "range", metadata: subscription(["events"]) }],
    reason: null,
    ...extra,
  };
}

/** A single-member group formed with JoinGroup and SyncGroup at `version`s; returns member id and generation. */
async function formSingleMemberGroup(
  client: KafkaClient,
  groupId: string,
  joinVersion: number,
  syncVersion: number,
): Promise<{ memberId: string; generationId: number }> {
  let joined = await client.request(JOIN_GROUP, joinVersion, joinBody(groupId, ""));
  if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
    joined = await client.request(JOIN_GROUP, joinVersion, joinBody(groupId, joined.memberId));
  }
  assert.equal(joined.errorCode, 0, `JoinGroup v${joinVersion}`);
  assert.equal(joined.leader, joined.memberId);
  const synced = await client.request(SYNC_GROUP, syncVersion, {
    groupId,
    generationId: joined.generationId,
    memberId: joined.memberId,
    groupInstanceId: null,
    protocolType: "consumer",
    protocolName: "range",
    assignments: [{ memberId: joined.memberId, assignment: new Uint8Array([0, 0, 0, 0, 0, 0]) }],
  });
  assert.equal(synced.errorCode, 0, `SyncGroup v${syncVersion}`);
  return { memberId: joined.memberId, generationId: joined.generationId };
}

Deno.test("the group APIs answer every version as Kafka does", async (t) => {
  const node = await new NodeProcess({
    overrides: {
      "group.initial.rebalance.delay.ms": "0",
      "offsets.topic.num.partitions": "5",
      "group.min.session.timeout.ms": "1000",
    },
  }).start();
  const client = await connectClient(node.port);
  try {
    assert.equal((await createTopics(client, [{ name: "events", partitions: 3 }])).get("events"), 0);

    await t.step("FindCoordinator v0-6 names this node, with batched keys from v4", async () => {
      for (let version = 0; version <= 3; version++) {
        const response = await client.request(FIND_COORDINATOR, version, { key: "g", keyType: 0 });
        assert.equal(response.errorCode, 0, `v${version}`);
        assert.equal(response.nodeId, 1);
        assert.equal(response.port, node.port);
      }
      const transactional = await client.request(FIND_COORDINATOR, 3, { key: "txn", keyType: 1 });
      assert.equal(transactional.errorCode, 0);
      for (let version = 4; version <= 6; version++) {
        const response = await client.request(FIND_COORDINATOR, version, {
          keyType: 0,
          coordinatorKeys: ["a", "b", "c"],
        });
        assert.deepEqual(response.coordinators.map((entry) => [entry.key, entry.errorCode]), [
          ["a", 0],
          ["b", 0],
          ["c", 0],
        ]);
      }
      const share = await client.request(FIND_COORDINATOR, 6, { keyType: 2, coordinatorKeys: ["s"] });
      assert.equal(share.coordinators[0]!.errorCode, ErrorCode.INVALID_REQUEST);
      const metadata = await client.request(3, 12, {
        topics: [{ name: "__consumer_offsets", topicId: new Uint8Array(16) }],
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
      });
      const offsetsTopic = metadata.topics[0]!;
      assert.equal(offsetsTopic.errorCode, 0);
      assert.equal(offsetsTopic.isInternal, true);
      assert.equal(offsetsTopic.partitions.length, 5);
    });

    await t.step("JoinGroup, SyncGroup and Heartbeat at every version form and keep a group", async () => {
      for (let version = 0; version <= 9; version++) {
        const groupId = `join-v${version}`;
        const first = await client.request(JOIN_GROUP, version, joinBody(groupId, ""));
        assert.equal(
          first.errorCode,
          version >= 4 ? ErrorCode.MEMBER_ID_REQUIRED : 0,
          `JoinGroup v${version}`,
        );
        const { memberId, generationId } = await formSingleMemberGroup(
          client,
          `${groupId}-formed`,
          version,
          Math.min(version, 5),
        );
        for (let heartbeatVersion = 0; heartbeatVersion <= 4; heartbeatVersion++) {
          const beat = await client.request(HEARTBEAT, heartbeatVersion, {
            groupId: `${groupId}-formed`,
            generationId,
            memberId,
            groupInstanceId: null,
          });
          assert.equal(beat.errorCode, 0, `Heartbeat v${heartbeatVersion}`);
        }
        const stale = await client.request(HEARTBEAT, 4, {
          groupId: `${groupId}-formed`,
          generationId: 99,
          memberId,
        });
        assert.equal(stale.errorCode, ErrorCode.ILLEGAL_GENERATION);
      }
    });

    await t.step(
      "two members on two connections: the leader assigns, the follower waits for it",
      async () => {
        const other = await connectClient(node.port);
        try {
          const a = await client.request(JOIN_GROUP, 7, joinBody("pair", ""));
          const b = await other.request(JOIN_GROUP, 7, joinBody("pair", ""));
          const [joinA, joinB] = await Promise.all([
            client.request(JOIN_GROUP, 7, joinBody("pair", a.memberId)),
            other.request(JOIN_GROUP, 7, joinBody("pair", b.memberId)),
          ]);
          assert.equal(joinA.generationId, joinB.generationId);
          assert.equal(joinA.protocolType, "consumer");
          const [leader, leaderClient, follower, followerClient] = joinA.leader === joinA.memberId
            ? [joinA, client, joinB, other]
            : [joinB, other, joinA, client];
          assert.equal(leader.members.length, 2);
          const followerSync = followerClient.request(SYNC_GROUP, 5, {
            groupId: "pair",
            generationId: follower.generationId,
            memberId: follower.memberId,
            protocolType: "consumer",
            protocolName: "range",
            assignments: [],
          });
          const leaderSync = await leaderClient.request(SYNC_GROUP, 5, {
            groupId: "pair",
            generationId: leader.generationId,
            memberId: leader.memberId,
            protocolType: "consumer",
            protocolName: "range",
            assignments: [
              { memberId: leader.memberId, assignment: new Uint8Array([1]) },
              { memberId: follower.memberId, assignment: new Uint8Array([2]) },
            ],
          });
          assert.deepEqual(leaderSync.assignment, new Uint8Array([1]));
          assert.deepEqual((await followerSync).assignment, new Uint8Array([2]));
          const wrongProtocol = await client.request(SYNC_GROUP, 5, {
            groupId: "pair",
            generationId: leader.generationId,
            memberId: joinA.memberId,
            protocolType: "connect",
            protocolName: "range",
            assignments: [],
          });
          assert.equal(wrongProtocol.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
          // LeaveGroup v0 for one member, v5 (batched) for the other.
          const left = await client.request(LEAVE_GROUP, 0, { groupId: "pair", memberId: joinA.memberId });
          assert.equal(left.errorCode, 0);
          const batch = await other.request(LEAVE_GROUP, 5, {
            groupId: "pair",
            members: [
              { memberId: joinB.memberId, groupInstanceId: null, reason: "test" },
              { memberId: joinA.memberId, groupInstanceId: null, reason: null },
            ],
          });
          assert.deepEqual(batch.members.map((member) => member.errorCode), [
            0,
            ErrorCode.UNKNOWN_MEMBER_ID,
          ]);
          const unknown = await client.request(LEAVE_GROUP, 1, { groupId: "pair", memberId: "ghost" });
          assert.equal(unknown.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
        } finally {
          other.close();
        }
      },
    );

    await t.step(
      "OffsetCommit v0-9 and OffsetFetch v0-9 keep offsets, metadata and leader epochs",
      async () => {
        for (let version = 0; version <= 9; version++) {
          const groupId = `offsets-v${version}`;
          const commit = await client.request(OFFSET_COMMIT, version, {
            groupId,
            generationIdOrMemberEpoch: -1,
            memberId: "",
            groupInstanceId: null,
            retentionTimeMs: -1,
            topics: [
              {
                name: "events",
                partitions: [
                  {
                    partitionIndex: 0,
                    committedOffset: 40 + version,
                    committedLeaderEpoch: 3,
                    commitTimestamp: -1,
                    committedMetadata: `m${version}`,
                  },
                  {
                    partitionIndex: 7,
                    committedOffset: 1,
                    committedLeaderEpoch: -1,
                    commitTimestamp: -1,
                    committedMetadata: null,
                  },
                ],
              },
              {
                name: "no-such-topic",
                partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: "" }],
              },
            ],
          });
          const codes = commit.topics.map((topic) =>
            topic.partitions.map((partition) => partition.errorCode)
          );
          assert.deepEqual(codes, [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION], [
            ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          ]], `v${version}`);
          for (let fetchVersion = 1; fetchVersion <= 7; fetchVersion++) {
            const fetched = await client.request(OFFSET_FETCH, fetchVersion, {
              groupId,
              topics: [{ name: "events", partitionIndexes: [0, 1] }],
              requireStable: true,
            });
            const [committed, none] = fetched.topics[0]!.partitions;
            assert.ok(committed && none, "both partitions are answered");
            assert.equal(
              committed.committedOffset,
              40 + version,
              `fetch v${fetchVersion} of commit v${version}`,
            );
            assert.equal(committed.metadata, `m${version}`);
            assert.equal(committed.committedLeaderEpoch, fetchVersion >= 5 ? (version >= 6 ? 3 : -1) : -1);
            assert.equal(none.committedOffset, -1);
          }
        }
        const batched = await client.request(OFFSET_FETCH, 8, {
          groups: [
            { groupId: "offsets-v9", topics: null },
            { groupId: "offsets-v8", topics: [{ name: "events", partitionIndexes: [0] }] },
            { groupId: "never-committed", topics: null },
          ],
          requireStable: false,
        });
        const groups = batched.groups;
        assert.deepEqual(groups.map((group) => group.groupId), [
          "offsets-v9",
          "offsets-v8",
          "never-committed",
        ]);
        assert.equal(groups[0]!.topics[0]!.partitions[0]!.committedOffset, 49);
        assert.equal(groups[1]!.topics[0]!.partitions[0]!.committedOffset, 48);
        assert.deepEqual(groups[2]!.topics, []);
      },
    );

    await t.step("commits from a stale generation or an unknown member are refused", async () => {
      const { memberId, generationId } = await formSingleMemberGroup(client, "checked", 9, 5);
      const commit = (generation: number, member: string, version = 8) =>
        client.request(OFFSET_COMMIT, version, {
          groupId: "checked",
          generationIdOrMemberEpoch: generation,
          memberId: member,
          groupInstanceId: null,
          topics: [{
            name: "events",
            partitions: [{ partitionIndex: 1, committedOffset: 5, committedMetadata: "" }],
          }],
        }).then((response) => response.topics[0]!.partitions[0]!.errorCode);
      assert.equal(await commit(generationId, memberId), 0);
      assert.equal(await commit(generationId - 1, memberId), ErrorCode.ILLEGAL_GENERATION);
      assert.equal(await commit(generationId, "stranger"), ErrorCode.UNKNOWN_MEMBER_ID);
      assert.equal(await commit(-1, ""), ErrorCode.UNKNOWN_MEMBER_ID);
      assert.equal(await commit(1, "someone", 9).then(() => 0), 0);
    });

    await t.step(
      "ListGroups filters by state (v4) and type (v5); DescribeGroups v0-5 describes",
      async () => {
        for (let version = 0; version <= 5; version++) {
          const response = await client.request(LIST_GROUPS, version, { statesFilter: [], typesFilter: [] });
          assert.equal(response.errorCode, 0);
          assert.ok(
            response.groups.some((group) => group.groupId === "checked"),
            `v${version}`,
          );
        }
        const stable = await client.request(LIST_GROUPS, 4, { statesFilter: ["Stable"] });
        const stableIds = stable.groups.map((group) => group.groupId);
        assert.ok(stableIds.includes("checked"));
        assert.ok(!stableIds.includes("offsets-v1"));
        const consumerType = await client.request(LIST_GROUPS, 5, {
          statesFilter: [],
          typesFilter: ["consumer"],
        });
        assert.deepEqual(consumerType.groups, []);
        const classic = await client.request(LIST_GROUPS, 5, {
          statesFilter: ["empty"],
          typesFilter: ["classic"],
        });
        assert.ok(
          classic.groups.every((group) => group.groupState === "Empty" && group.groupType === "classic"),
        );
        for (let version = 0; version <= 5; version++) {
          const described = await client.request(DESCRIBE_GROUPS, version, {
            groups: ["checked", "nobody"],
            includeAuthorizedOperations: true,
          });
          const [checked, nobody] = described.groups;
          assert.ok(checked && nobody, "both groups are described");
          assert.equal(checked.groupState, "Stable", `v${version}`);
          assert.equal(checked.protocolData, "range");
          assert.equal(checked.members[0]!.clientId, "dafka-test");
          // Kafka shows "/127.0.0.1"; Dafka does once the request context carries the connection's address.
          assert.ok(["/127.0.0.1", ""].includes(checked.members[0]!.clientHost));
          assert.equal(nobody.groupState, "Dead");
          assert.equal(nobody.errorCode, 0);
          if (version >= 3) {
            assert.ok(checked.authorizedOperations > 0);
          }
        }
      },
    );

    await t.step("OffsetDelete and DeleteGroups refuse what Kafka refuses and delete the rest", async () => {
      const subscribed = await client.request(OFFSET_DELETE, 0, {
        groupId: "checked",
        topics: [{ name: "events", partitions: [{ partitionIndex: 1 }] }],
      });
      assert.equal(subscribed.errorCode, 0);
      assert.equal(
        subscribed.topics[0]!.partitions[0]!.errorCode,
        ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC,
      );
      const deleted = await client.request(OFFSET_DELETE, 0, {
        groupId: "offsets-v3",
        topics: [{ name: "events", partitions: [{ partitionIndex: 0 }] }, {
          name: "gone",
          partitions: [{ partitionIndex: 0 }],
        }],
      });
      assert.deepEqual(
        deleted.topics.map((topic) => topic.partitions[0]!.errorCode),
        [0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      );
      const missing = await client.request(OFFSET_DELETE, 0, { groupId: "nobody", topics: [] });
      assert.equal(missing.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
      for (let version = 0; version <= 2; version++) {
        const response = await client.request(DELETE_GROUPS, version, {
          groupsNames: [`offsets-v${version}`, "checked", "nobody", `offsets-v${version}`],
        });
        assert.deepEqual(
          response.results.map((result) => [result.groupId, result.errorCode]),
          [
            [`offsets-v${version}`, 0],
            ["checked", ErrorCode.NON_EMPTY_GROUP],
            ["nobody", ErrorCode.GROUP_ID_NOT_FOUND],
          ],
        );
      }
      const fetched = await client.request(OFFSET_FETCH, 7, {
        groupId: "offsets-v0",
        topics: null,
        requireStable: false,
      });
      assert.deepEqual(fetched.topics, []);
    });

    await t.step("bad input gets Kafka's error codes and disturbs nothing else", async () => {
      const absurd = await client.request(
        JOIN_GROUP,
        9,
        joinBody("bad", "", { sessionTimeoutMs: 2 ** 31 - 1 }),
      );
      assert.equal(absurd.errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
      const negative = await client.request(JOIN_GROUP, 9, joinBody("bad", "", { sessionTimeoutMs: -5 }));
      assert.equal(negative.errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
      const noType = await client.request(JOIN_GROUP, 9, joinBody("bad", "", { protocolType: "" }));
      assert.equal(noType.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      const mismatched = await client.request(
        JOIN_GROUP,
        9,
        joinBody("checked", "", { protocolType: "connect" }),
      );
      assert.equal(mismatched.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      const emptyId = await client.request(JOIN_GROUP, 9, joinBody("", ""));
      assert.equal(emptyId.errorCode, ErrorCode.INVALID_GROUP_ID);
      // Member metadata larger than the offsets topic's max.message.bytes: the group cannot be stored.
      const huge = new Uint8Array(2 * 1024 * 1024);
      const hugeBody = { protocols: [{ name: "range", metadata: huge }], rebalanceTimeoutMs: 2 ** 31 - 1 };
      const first = await client.request(JOIN_GROUP, 9, joinBody("huge", "", hugeBody));
      const joined = await client.request(JOIN_GROUP, 9, joinBody("huge", first.memberId, hugeBody));
      assert.equal(joined.errorCode, 0);
      const sync = await client.request(SYNC_GROUP, 5, {
        groupId: "huge",
        generationId: joined.generationId,
        memberId: joined.memberId,
        assignments: [{ memberId: joined.memberId, assignment: new Uint8Array(1) }],
      });
      assert.equal(sync.errorCode, ErrorCode.UNKNOWN_SERVER_ERROR);
      // The rest of the node is untouched.
      const described = await client.request(DESCRIBE_GROUPS, 5, { groups: ["checked"] });
      assert.equal(described.groups[0]!.groupState, "Stable");
    });
  } finally {
    client.close();
    await node.dispose();
  }
});
