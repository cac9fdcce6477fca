/**
 * Hostile input on the controller listeners of a real three-node cluster:
 * Raft requests that a voter must refuse (a vote from a node outside the
 * voter set, a stale epoch, another cluster's id, a forged replica id, a
 * fetch of another topic, a snapshot that does not exist) get KRaft's
 * error codes, garbage closes the connection, the metadata log cannot be
 * reached as a topic through a broker listener, and afterwards the quorum
 * has the same leader in the same epoch and still creates topics.
 */
import assert from "node:assert/strict";
import { ErrorCode, type Message } from "../src/protocol/mod.ts";
import { type RaftRequest, toWire } from "../src/raft/mod.ts";
import type { KafkaClient } from "../src/server/mod.ts";
import {
  CLUSTER_ID,
  type ClusterNode,
  clusterNodes,
  describeQuorum,
  disposeAll,
  startAll,
  topicNames,
} from "./support/cluster.ts";
import { waitFor } from "./support/node_process.ts";
import {
  connectClient,
  createTopics,
  fetchAll,
  produceBatch,
  RawConnection,
  textRecords,
} from "./support/raw_kafka.ts";

const STRANGER = 99;
/** The newest versions of the Raft APIs, as the nodes send them to each other. */
const VERSIONS: Record<number, number> = { 1: 16, 52: 2, 53: 1, 59: 1 };

/** Sends a core request, converted to its wire body, and returns the decoded answer. */
function send(
  client: KafkaClient,
  request: RaftRequest,
  edit: (body: Message) => void = () => {},
): Promise<Message> {
  const { apiKey, body } = toWire(request);
  edit(body);
  return client.request(apiKey, VERSIONS[apiKey]!, body);
}

/** The one partition of a Vote, BeginQuorumEpoch or FetchSnapshot answer. */
function partitionOf(answer: Message): Message {
  assert.equal(answer.errorCode, ErrorCode.NONE, "no top-level error");
  return answer.topics[0]!.partitions[0];
}

/** The one partition of a Fetch answer. */
function fetchPartitionOf(answer: Message): Message {
  assert.equal(answer.errorCode, ErrorCode.NONE, "no top-level error");
  return answer.responses[0]!.partitions[0];
}

function voteRequest(fields: Partial<RaftRequest & { type: "VoteRequest" }>): RaftRequest {
  return {
    type: "VoteRequest",
    clusterId: CLUSTER_ID,
    voterId: -1,
    replicaId: STRANGER,
    replicaEpoch: 1,
    lastOffsetEpoch: 0,
    lastOffset: 0,
    preVote: false,
    ...fields,
  };
}

function fetchRequest(fields: Partial<RaftRequest & { type: "FetchRequest" }>): RaftRequest {
  return {
    type: "FetchRequest",
    clusterId: CLUSTER_ID,
    replicaId: -1,
    maxWaitMs: 0,
    maxBytes: 1024 * 1024,
    currentLeaderEpoch: 0,
    fetchOffset: 0,
    lastFetchedEpoch: 0,
    logStartOffset: 0,
    highWatermark: -1,
    ...fields,
  };
}

/** Writes `bytes` on a fresh connection to `port` and expects the node to close it. */
async function expectClosed(port: number, bytes: Uint8Array, what: string): Promise<void> {
  const connection = await RawConnection.open(port);
  try {
    await connection.write(bytes);
    const outcome = await connection.read(5000);
    assert.equal(outcome.kind, "closed", `${what}: the node closes the connection`);
  } finally {
    await connection.close();
  }
}

/** A request frame: size, api key, version, correlation id, client id, then `rest`. */
function frame(apiKey: number, version: number, rest: number[]): Uint8Array {
  const clientId = [...new TextEncoder().encode("hostile")];
  const header = [apiKey >> 8, apiKey & 0xff, version >> 8, version & 0xff, 0, 0, 0, 7, 0, clientId.length];
  const payload = [...header, ...clientId, ...rest];
  const size = payload.length;
  return Uint8Array.from([
    (size >>> 24) & 0xff,
    (size >>> 16) & 0xff,
    (size >>> 8) & 0xff,
    size & 0xff,
    ...payload,
  ]);
}

/** Fixed bytes that look random (a linear congruential sequence), so the test is the same every run. */
function noise(length: number, seed: number): number[] {
  const bytes: number[] = [];
  let state = seed;
  for (let index = 0; index < length; index++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes.push(state >>> 24);
  }
  return bytes;
}

Deno.test("hostile Raft requests on the controller listeners leave the quorum unharmed", async (t) => {
  const nodes = clusterNodes();
  const clients: KafkaClient[] = [];
  try {
    await startAll(nodes);
    const before = await describeQuorum(nodes[0]!);
    assert.equal(before.errorCode, ErrorCode.NONE);
    assert.deepEqual(before.voterIds, [1, 2, 3]);
    const epoch = before.leaderEpoch;
    const leader = nodes.find((node) => node.id === before.leaderId)!;
    const follower = nodes.find((node) => node !== leader)!;
    const otherFollower = nodes.find((node) => node !== leader && node !== follower)!;
    const connect = async (node: ClusterNode) => {
      const client = await connectClient(node.controllerPort);
      clients.push(client);
      return client;
    };
    const toLeader = await connect(leader);
    const toFollower = await connect(follower);

    await t.step(
      "a vote from a node outside the voter set is refused with INCONSISTENT_VOTER_SET",
      async () => {
        for (const [node, client] of [[leader, toLeader], [follower, toFollower]] as const) {
          for (const preVote of [false, true]) {
            const answer = partitionOf(
              await send(
                client,
                voteRequest({
                  voterId: node.id,
                  replicaEpoch: epoch + 5,
                  lastOffsetEpoch: epoch,
                  lastOffset: 1e6,
                  preVote,
                }),
              ),
            );
            assert.equal(answer.errorCode, ErrorCode.INCONSISTENT_VOTER_SET, `to node ${node.id}`);
            assert.equal(answer.voteGranted, false);
            assert.equal(answer.leaderEpoch, epoch, "the epoch did not move");
          }
        }
      },
    );

    await t.step("a vote of a stale epoch is fenced with FENCED_LEADER_EPOCH", async () => {
      // A real vote needs its last epoch below its own, so it can only be stale from epoch 2 on.
      const cases = epoch >= 2 ? [false, true] : [true];
      for (const preVote of cases) {
        const answer = partitionOf(
          await send(
            toFollower,
            voteRequest({
              voterId: follower.id,
              replicaId: otherFollower.id,
              replicaEpoch: epoch - 1,
              lastOffsetEpoch: preVote ? epoch - 1 : epoch - 2,
              lastOffset: 1e6,
              preVote,
            }),
          ),
        );
        assert.equal(answer.errorCode, ErrorCode.FENCED_LEADER_EPOCH, `preVote ${preVote}`);
        assert.equal(answer.voteGranted, false);
        assert.equal(answer.leaderId, leader.id);
        assert.equal(answer.leaderEpoch, epoch);
      }
    });

    await t.step(
      "a BeginQuorumEpoch of another cluster is refused with INCONSISTENT_CLUSTER_ID",
      async () => {
        for (const [node, client] of [[leader, toLeader], [follower, toFollower]] as const) {
          const answer = await send(client, {
            type: "BeginQuorumEpochRequest",
            clusterId: "someone-elses-cluster",
            voterId: node.id,
            leaderId: otherFollower.id,
            leaderEpoch: epoch + 1,
          });
          assert.equal(answer.errorCode, ErrorCode.INCONSISTENT_CLUSTER_ID, `to node ${node.id}`);
          assert.deepEqual(answer.topics, []);
        }
      },
    );

    await t.step("a fetch claiming the leader's own replica id is refused with INVALID_REQUEST", async () => {
      const answer = fetchPartitionOf(
        await send(toLeader, fetchRequest({ replicaId: leader.id, currentLeaderEpoch: epoch })),
      );
      assert.equal(answer.errorCode, ErrorCode.INVALID_REQUEST);
      assert.equal((answer.records as Uint8Array | null)?.length ?? 0, 0, "no records");
    });

    await t.step(
      "a fetch naming a voter but claiming a log beyond the leader's gets only a diverging epoch",
      async () => {
        const answer = fetchPartitionOf(
          await send(
            toLeader,
            fetchRequest({
              replicaId: follower.id,
              currentLeaderEpoch: epoch,
              fetchOffset: 1e9,
              lastFetchedEpoch: epoch,
            }),
          ),
        );
        assert.equal(answer.errorCode, ErrorCode.NONE);
        assert.equal(answer.divergingEpoch.epoch, epoch);
        assert.ok(answer.divergingEpoch.endOffset < 1e9, "told to truncate to the leader's end");
        assert.ok(Number(answer.highWatermark) < 1e9, "the high watermark did not follow the claim");
      },
    );

    await t.step(
      "a fetch of another topic on a controller listener is refused with INVALID_REQUEST",
      async () => {
        for (const client of [toLeader, toFollower]) {
          const answer = await send(client, fetchRequest({ currentLeaderEpoch: epoch }), (body) => {
            body.topics[0].topicId = Uint8Array.from({ length: 16 }, (_, index) => index + 1);
          });
          assert.equal(answer.errorCode, ErrorCode.INVALID_REQUEST);
          assert.deepEqual(answer.responses, []);
        }
      },
    );

    await t.step(
      "a FetchSnapshot of a snapshot that does not exist is refused with SNAPSHOT_NOT_FOUND",
      async () => {
        const answer = partitionOf(
          await send(toLeader, {
            type: "FetchSnapshotRequest",
            clusterId: CLUSTER_ID,
            replicaId: -1,
            maxBytes: 1024,
            currentLeaderEpoch: epoch,
            snapshotId: { endOffset: 123_456, epoch },
            position: 0,
          }),
        );
        assert.equal(answer.errorCode, ErrorCode.SNAPSHOT_NOT_FOUND);
        assert.equal(answer.currentLeader.leaderId, leader.id);
      },
    );

    await t.step("garbage closes the connection", async () => {
      for (const node of [leader, follower]) {
        await expectClosed(node.controllerPort, frame(0x7f7f, 0, noise(64, 1)), "an unknown api key");
        await expectClosed(
          node.controllerPort,
          frame(52, 2, [0, ...noise(40, 2)]),
          "a Vote with a garbled body",
        );
        await expectClosed(node.controllerPort, frame(1, 16, noise(3, 3)), "a truncated Fetch");
        await expectClosed(
          node.controllerPort,
          Uint8Array.from([0x7f, 0xff, 0xff, 0xff, ...noise(16, 4)]),
          "a frame larger than socket.request.max.bytes",
        );
      }
    });

    await t.step("the metadata log cannot be created, fetched or produced to as a topic", async () => {
      const client = await connectClient(follower.process.port);
      clients.push(client);
      assert.equal(
        (await createTopics(client, [{ name: "__cluster_metadata" }])).get("__cluster_metadata"),
        ErrorCode.INVALID_REQUEST,
      );
      const metadata = await client.request(3, 12, {
        topics: [{ topicId: new Uint8Array(16), name: "__cluster_metadata" }],
        allowAutoTopicCreation: true,
        includeTopicAuthorizedOperations: false,
      });
      assert.notEqual(metadata.topics[0]!.errorCode, ErrorCode.NONE, "not auto-created");
      const produced = await produceBatch(client, {
        topic: "__cluster_metadata",
        records: textRecords("hostile", 1, 0),
      });
      assert.equal(produced.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      assert.equal(
        (await fetchAll(client, "__cluster_metadata")).errorCode,
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      );
      for (const node of nodes) assert.ok(!(await topicNames(node)).includes("__cluster_metadata"));
    });

    for (const client of clients.splice(0)) client.close();
    await t.step("the quorum is unharmed: same leader, same epoch, and it still creates topics", async () => {
      for (const node of nodes) {
        const after = await describeQuorum(node);
        assert.equal(after.leaderId, before.leaderId, `leader through node ${node.id}`);
        assert.equal(after.leaderEpoch, before.leaderEpoch, `epoch through node ${node.id}`);
        assert.ok(after.highWatermark >= before.highWatermark);
      }
      const client = await connectClient(follower.process.port);
      try {
        assert.deepEqual(
          [...(await createTopics(client, [{ name: "still-works", partitions: 3 }])).values()],
          [0],
        );
      } finally {
        client.close();
      }
      for (const node of nodes) {
        await waitFor(
          async () => (await topicNames(node)).includes("still-works"),
          10000,
          `the new topic through node ${node.id}`,
        );
      }
    });
  } finally {
    for (const client of clients) client.close();
    await disposeAll(nodes);
  }
});
