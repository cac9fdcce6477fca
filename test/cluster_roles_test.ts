/**
 * Kafka's split roles: three controller-only nodes hold the Raft quorum and
 * two broker-only nodes serve clients, following the metadata log as
 * observers. kafkajs creates a topic through one broker (forwarded to the
 * active controller), produces across both brokers, and a consumer group
 * reads everything back with its coordinator on whichever broker leads the
 * group's `__consumer_offsets` partition.
 */
import assert from "node:assert/strict";
import kafkajs from "kafkajs";
import { freePort, NodeProcess, waitFor } from "./support/node_process.ts";
import { connectClient } from "./support/raw_kafka.ts";

const { Kafka, logLevel } = kafkajs;
const CLUSTER_ID = "a6ZAR9qQRm2vF5oeEb0tSg";

function splitCluster(): { controllers: NodeProcess[]; brokers: NodeProcess[] } {
  const controllerPorts = [1, 2, 3].map(() => freePort());
  const voters = controllerPorts.map((port, index) => `${index + 1}@127.0.0.1:${port}`).join(",");
  const common = {
    "cluster.id": CLUSTER_ID,
    "controller.listener.names": "CONTROLLER",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "controller.quorum.voters": voters,
  };
  const controllers = controllerPorts.map((port, index) =>
    new NodeProcess({
      port,
      overrides: {
        ...common,
        "node.id": String(index + 1),
        "process.roles": "controller",
        "listeners": `CONTROLLER://127.0.0.1:${port}`,
      },
    })
  );
  const brokers = [4, 5].map((id) => {
    const port = freePort();
    return new NodeProcess({
      port,
      overrides: {
        ...common,
        "node.id": String(id),
        "process.roles": "broker",
        "listeners": `PLAINTEXT://127.0.0.1:${port}`,
      },
    });
  });
  return { controllers, brokers };
}

Deno.test("controller-only and broker-only nodes form a cluster that kafkajs uses", async () => {
  const { controllers, brokers } = splitCluster();
  const all = [...controllers, ...brokers];
  try {
    await Promise.all(all.map((node) => node.start()));
    const raw = await connectClient(brokers[0]!.port);
    const quorum = await raw.request(55, 2, {
      topics: [{ topicName: "__cluster_metadata", partitions: [{ partitionIndex: 0 }] }],
    });
    raw.close();
    const partition = quorum.topics[0]!.partitions[0]!;
    assert.ok([1, 2, 3].includes(partition.leaderId), `a controller leads (got ${partition.leaderId})`);
    assert.deepEqual(
      partition.observers.map((observer) => observer.replicaId).sort(),
      [4, 5],
    );

    const kafka = new Kafka({
      clientId: "roles-test",
      brokers: [brokers[0]!.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 10, initialRetryTime: 100 },
    });
    const admin = kafka.admin();
    await admin.connect();
    await waitFor(async () => (await admin.describeCluster()).brokers.length === 2, 10000, "both brokers");
    assert.equal(await admin.createTopics({ topics: [{ topic: "roles", numPartitions: 4 }] }), true);
    await waitFor(
      async () => {
        // The other broker may not have applied the new topic yet: kafkajs reports that as an error.
        const metadata = await admin.fetchTopicMetadata({ topics: ["roles"] }).catch(() => null);
        if (metadata === null) return false;
        const leaders = new Set(metadata.topics[0]!.partitions.map((entry) => entry.leader));
        return leaders.has(4) && leaders.has(5);
      },
      10000,
      "partitions on both brokers",
    );

    const producer = kafka.producer();
    await producer.connect();
    const values = Array.from({ length: 40 }, (_, index) => `value-${index}`);
    await producer.send({ topic: "roles", messages: values.map((value) => ({ key: value, value })) });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: "roles-group", heartbeatInterval: 500, sessionTimeout: 6000 });
    await consumer.connect();
    await consumer.subscribe({ topic: "roles", fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({
      eachMessage: ({ message }) => Promise.resolve(void seen.push(String(message.value))),
    });
    await waitFor(
      () => Promise.resolve(seen.length >= values.length),
      20000,
      "the group to read every record",
    );
    await consumer.disconnect();
    assert.deepEqual([...seen].sort(), [...values].sort());
    const committed = await admin.fetchOffsets({ groupId: "roles-group", topics: ["roles"] });
    const total = committed[0]!.partitions.reduce((sum, entry) => sum + Number(entry.offset), 0);
    assert.equal(total, values.length);
    await admin.disconnect();
  } finally {
    for (const node of all) await node.dispose();
  }
});
