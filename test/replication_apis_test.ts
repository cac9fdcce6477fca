/**
 * The broker APIs around replication, on three real nodes with racks
 * (`broker.rack` rack-N) and Kafka's rack-aware replica selector:
 * KIP-392 fetch from follower (a raw Fetch to the leader names the follower
 * on the consumer's rack; librdkafka with `client.rack` then reads from that
 * follower), KIP-951 leader hints on Produce and Fetch, DescribeLogDirs and
 * DescribeTopicPartitions (raw requests: librdkafka 2.0.2 and kcat call
 * neither).
 */
import assert from "node:assert/strict";
import { buildBatch } from "../src/protocol/mod.ts";
import { type ClusterNode, clusterNodes, disposeAll, metadataOf, startAll } from "./support/cluster.ts";
import { waitFor } from "./support/node_process.ts";
import { runPythonClient } from "./support/python_client.ts";
import { connectClient, createTopics, produceBatch, textRecords } from "./support/raw_kafka.ts";
import type { KafkaClient } from "../src/server/mod.ts";

const TOPIC = "racked";
const COUNT = 30;
const NOT_LEADER_OR_FOLLOWER = 6;

async function partitionState(node: ClusterNode, index: number) {
  const response = await metadataOf(node);
  const partition = response.topics.find((topic) => topic.name === TOPIC)?.partitions
    .find((candidate) => candidate.partitionIndex === index);
  return partition && partition.errorCode === 0
    ? { leader: partition.leaderId, epoch: partition.leaderEpoch, isr: [...partition.isrNodes].sort() }
    : null;
}

/** A consumer's Fetch v12 of partition 0 from offset 0 (names, no session). */
function consumerFetch(client: KafkaClient, rackId: string) {
  return client.request(1, 12, {
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic: TOPIC, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [],
    rackId,
  });
}

Deno.test("replication APIs: fetch from follower, leader hints, DescribeLogDirs, DescribeTopicPartitions", async (t) => {
  const nodes = clusterNodes();
  for (const node of nodes) {
    node.process.overrides["broker.rack"] = `rack-${node.id}`;
    node.process.overrides["replica.selector.class"] =
      "org.apache.kafka.common.replica.RackAwareReplicaSelector";
  }
  const clients: KafkaClient[] = [];
  const clientOf = async (node: ClusterNode) => {
    const client = await connectClient(node.process.port);
    clients.push(client);
    return client;
  };
  try {
    await startAll(nodes, 20000);
    const admin = await clientOf(nodes[0]!);
    const created = await createTopics(admin, [{ name: TOPIC, partitions: 2, replicationFactor: 3 }]);
    assert.equal(created.get(TOPIC), 0);
    for (const index of [0, 1]) {
      await waitFor(
        async () => (await partitionState(nodes[0]!, index))?.isr.length === 3,
        15000,
        `the whole ISR of partition ${index}`,
      );
    }
    const state = (await partitionState(nodes[0]!, 0))!;
    const leader = nodes.find((node) => node.id === state.leader)!;
    const follower = nodes.find((node) => node.id !== state.leader)!;
    const leaderClient = await clientOf(leader);
    const followerClient = await clientOf(follower);
    const produced = await produceBatch(leaderClient, {
      topic: TOPIC,
      records: textRecords("value-", COUNT, Date.now()),
      acks: -1,
    });
    assert.equal(produced.errorCode, 0);

    await t.step("ApiVersions advertises DescribeLogDirs 1-4 and DescribeTopicPartitions 0", async () => {
      const versions = await leaderClient.request(18, 3, {
        clientSoftwareName: "dafka-test",
        clientSoftwareVersion: "1",
      });
      const byKey = new Map(versions.apiKeys.map((api) => [api.apiKey, [api.minVersion, api.maxVersion]]));
      assert.deepEqual(byKey.get(35), [1, 4]);
      assert.deepEqual(byKey.get(75), [0, 0]);
    });

    await t.step("KIP-392: the leader sends a consumer on the follower's rack to the follower", async () => {
      // The leader knows the follower has the offset once the follower fetched past it.
      let preferred = -1;
      await waitFor(
        async () => {
          const answer = await consumerFetch(leaderClient, `rack-${follower.id}`);
          preferred = answer.responses[0]!.partitions[0]!.preferredReadReplica;
          return preferred === follower.id;
        },
        10000,
        "the follower as preferred read replica",
      );
      const answer = await consumerFetch(leaderClient, `rack-${follower.id}`);
      assert.equal(answer.responses[0]!.partitions[0]!.records?.length ?? 0, 0);
      const own = await consumerFetch(leaderClient, `rack-${leader.id}`);
      assert.equal(own.responses[0]!.partitions[0]!.preferredReadReplica, -1);
      assert.ok((own.responses[0]!.partitions[0]!.records?.length ?? 0) > 0);
    });

    await t.step("KIP-392: the follower serves the consumer up to its high watermark", async () => {
      await waitFor(
        async () => {
          const answer = await consumerFetch(followerClient, `rack-${follower.id}`);
          return answer.responses[0]!.partitions[0]!.highWatermark === COUNT;
        },
        10000,
        "the follower's high watermark at the log end",
      );
      const answer = await consumerFetch(followerClient, `rack-${follower.id}`);
      const partition = answer.responses[0]!.partitions[0]!;
      assert.equal(partition.errorCode, 0);
      assert.ok((partition.records?.length ?? 0) > 0);
    });

    await t.step(
      "KIP-392: librdkafka with client.rack reads every record from its rack's follower",
      async () => {
        const bootstrap = nodes.map((node) => node.process.bootstrap).join(",");
        const answer = await runPythonClient<{ values: string[]; fetched_from: number[]; leaders: number[] }>(
          "rack_consumer.py",
          {
            bootstrap,
            topic: TOPIC,
            partition: 0,
            rack: `rack-${follower.id}`,
            expect: COUNT,
            timeout_s: 40,
          },
          60000,
        );
        assert.equal(answer.values.length, COUNT);
        assert.deepEqual(answer.leaders, [leader.id]);
        assert.ok(answer.fetched_from.includes(follower.id), `fetched from ${answer.fetched_from}`);
      },
    );

    await t.step(
      "KIP-951: Produce v10 to a follower, Fetch v16 to a node without a replica: the leader and its endpoint",
      async () => {
        const batch = buildBatch({ records: textRecords("hint-", 1, Date.now()) });
        const produce = await followerClient.request(0, 10, {
          transactionalId: null,
          acks: 1,
          timeoutMs: 5000,
          topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: batch }] }],
        });
        const produceAnswer = produce.responses[0]!.partitionResponses[0]!;
        assert.equal(produceAnswer.errorCode, NOT_LEADER_OR_FOLLOWER);
        assert.deepEqual(produceAnswer.currentLeader, { leaderId: leader.id, leaderEpoch: state.epoch });
        assert.deepEqual(
          produce.nodeEndpoints.map((node) => [node.nodeId, node.port, node.rack]),
          [[leader.id, leader.process.port, `rack-${leader.id}`]],
        );
        // A v11+ consumer may read any replica, so Fetch hears NOT_LEADER_OR_FOLLOWER only where no replica
        // is: a topic with one copy, fetched through another node.
        assert.equal((await createTopics(admin, [{ name: "solo", replicationFactor: 1 }])).get("solo"), 0);
        let solo: { leader: number; epoch: number; topicId: Uint8Array } | null = null;
        await waitFor(
          async () => {
            const topic = (await metadataOf(nodes[0]!)).topics.find((candidate) => candidate.name === "solo");
            const partition = topic?.partitions[0];
            if (topic && partition && partition.errorCode === 0) {
              solo = { leader: partition.leaderId, epoch: partition.leaderEpoch, topicId: topic.topicId };
            }
            return solo !== null;
          },
          10000,
          "the topic solo with its leader",
        );
        const { leader: soloLeader, epoch: soloEpoch, topicId } = solo!;
        const elsewhere = nodes.find((node) => node.id !== soloLeader)!;
        const soloLeaderNode = nodes.find((node) => node.id === soloLeader)!;
        const elsewhereClient = await clientOf(elsewhere);
        await waitFor(
          async () => (await metadataOf(elsewhere)).topics.some((candidate) => candidate.name === "solo"),
          10000,
          `solo in node ${elsewhere.id}'s metadata`,
        );
        const fetch = await elsewhereClient.request(1, 16, {
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: 1 << 20,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [{ topicId, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
          forgottenTopicsData: [],
          rackId: "",
        });
        const fetchAnswer = fetch.responses[0]!.partitions[0]!;
        assert.equal(fetchAnswer.errorCode, NOT_LEADER_OR_FOLLOWER);
        assert.deepEqual(fetchAnswer.currentLeader, { leaderId: soloLeader, leaderEpoch: soloEpoch });
        assert.deepEqual(
          fetch.nodeEndpoints.map((node) => [node.nodeId, node.port]),
          [[soloLeader, soloLeaderNode.process.port]],
        );
      },
    );

    await t.step(
      "DescribeLogDirs: the follower's log dir with both partitions, sizes and no lag",
      async () => {
        const answer = await followerClient.request(35, 4, { topics: null });
        assert.equal(answer.errorCode, 0);
        assert.equal(answer.results.length, 1);
        const result = answer.results[0]!;
        assert.equal(result.logDir, follower.process.logDir);
        const topic = result.topics.find((candidate) => candidate.name === TOPIC)!;
        assert.deepEqual(topic.partitions.map((partition) => partition.partitionIndex), [0, 1]);
        const first = topic.partitions[0]!;
        assert.ok(first.partitionSize > 0);
        assert.equal(first.offsetLag, 0);
        assert.equal(first.isFutureKey, false);
        const named = await followerClient.request(35, 1, { topics: [{ topic: TOPIC, partitions: [1] }] });
        assert.deepEqual(
          named.results[0]!.topics.map((entry) => [
            entry.name,
            entry.partitions.map((p) => p.partitionIndex),
          ]),
          [[TOPIC, [1]]],
        );
      },
    );

    await t.step(
      "DescribeTopicPartitions: pages of one partition, with leader, ISR and the cursor",
      async () => {
        const first = await followerClient.request(75, 0, {
          topics: [{ name: TOPIC }],
          responsePartitionLimit: 1,
          cursor: null,
        });
        const topic = first.topics[0]!;
        assert.equal(topic.errorCode, 0);
        assert.equal(topic.partitions.length, 1);
        assert.equal(topic.partitions[0]!.leaderId, leader.id);
        assert.deepEqual([...topic.partitions[0]!.isrNodes].sort(), [1, 2, 3]);
        assert.deepEqual(topic.partitions[0]!.eligibleLeaderReplicas, []);
        assert.deepEqual(first.nextCursor, { topicName: TOPIC, partitionIndex: 1 });
        const second = await followerClient.request(75, 0, {
          topics: [{ name: TOPIC }],
          responsePartitionLimit: 1,
          cursor: first.nextCursor,
        });
        assert.deepEqual(second.topics[0]!.partitions.map((partition) => partition.partitionIndex), [1]);
        assert.equal(second.nextCursor, null);
      },
    );
  } finally {
    for (const client of clients) client.close();
    await disposeAll(nodes);
  }
});
