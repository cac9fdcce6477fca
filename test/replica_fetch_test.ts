/**
 * Fetches that claim to come from a replica, against one real node. A
 * follower's fetch reads past the high watermark and moves it, so only a
 * broker of the cluster may send one (CVE-2018-1288): a replica id that is no
 * registered broker gets CLUSTER_AUTHORIZATION_FAILED, in the v15 replica
 * state and in the older replica id field alike; a registered broker that is
 * no replica of the partition gets NOT_LEADER_OR_FOLLOWER. Consumers are not
 * affected.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../src/protocol/mod.ts";
import { NodeProcess } from "./support/node_process.ts";
import { connectClient, createTopics, produceBatch, textRecords } from "./support/raw_kafka.ts";

Deno.test.sanitizer({ ops: true, resources: true });

const TOPIC = "replica-claims";

Deno.test("a fetch claiming a replica id is served only for a broker that is a replica", async () => {
  const node = await new NodeProcess().start();
  const client = await connectClient(node.port);
  try {
    assert.equal((await createTopics(client, [{ name: TOPIC }])).get(TOPIC), 0);
    const produced = await produceBatch(client, { topic: TOPIC, records: textRecords("r", 3, Date.now()) });
    assert.equal(produced.errorCode, 0);
    const metadata = await client.request(3, 12, {
      topics: [{ topicId: new Uint8Array(16), name: TOPIC }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    const topicId = metadata.topics[0]!.topicId;
    const fetch = (version: number, replicaId: number) =>
      client.request(1, version, {
        replicaId,
        replicaState: { replicaId, replicaEpoch: -1 },
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{
          topic: TOPIC,
          topicId,
          partitions: [{
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: 0,
            lastFetchedEpoch: -1,
            logStartOffset: -1,
            partitionMaxBytes: 1 << 20,
          }],
        }],
        forgottenTopicsData: [],
        rackId: "",
      });
    for (const version of [11, 15]) {
      const stranger = await fetch(version, 42);
      assert.equal(stranger.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, `v${version}, replica 42`);
      assert.deepEqual(stranger.responses, []);
      const self = await fetch(version, 1);
      assert.equal(self.errorCode, ErrorCode.NONE);
      assert.equal(
        self.responses[0]!.partitions[0]!.errorCode,
        ErrorCode.NOT_LEADER_OR_FOLLOWER,
        `v${version}: broker 1 leads the partition and is no follower of it`,
      );
      const consumer = await fetch(version, -1);
      assert.equal(consumer.responses[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
      assert.ok(
        (consumer.responses[0]!.partitions[0]!.records?.length ?? 0) > 0,
        "a consumer reads the records",
      );
    }
  } finally {
    client.close();
    await node.dispose();
  }
});
