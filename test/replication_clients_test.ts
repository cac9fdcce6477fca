/**
 * Replication through other real clients than librdkafka, on three real
 * nodes, a topic with replication factor 3 and min.insync.replicas=2:
 *
 * - kafkajs: an idempotent acks=-1 producer while partition 0's leader is
 *   killed (kill -9) and restarted; a kafkajs consumer group then reads
 *   every acknowledged value exactly once, at the offset acknowledged.
 * - kafka-python: an acks='all' producer (not idempotent) through a leader
 *   kill: no acknowledged record is lost.
 *
 * Afterwards the nodes are stopped and the three replicas' logs must hold the
 * same batches, byte for byte.
 */
import assert from "node:assert/strict";
import kafkajs from "kafkajs";
import { clusterNodes, disposeAll, startAll } from "./support/cluster.ts";
import { waitFor } from "./support/node_process.ts";
import { connectClient, fetchAll } from "./support/raw_kafka.ts";
import {
  aliveNode,
  assertReplicasIdentical,
  createReplicatedTopic,
  type Delivered,
  nodeById,
  partitionState,
  startStreamingClient,
  waitForIsr,
  waitForNewLeader,
} from "./support/replicated.ts";

const { Kafka, logLevel } = kafkajs;
const PARTITIONS = 2;
const CONFIGS = { "min.insync.replicas": "2" };

/** The highest acknowledged offset + 1 of each partition. */
function ackedEnds(acked: readonly Delivered[]): (partition: number) => number {
  return (partition) =>
    acked.filter((record) => record.partition === partition)
      .reduce((end, record) => Math.max(end, record.offset + 1), 0);
}

Deno.test("kafkajs: an idempotent acks=-1 producer through a leader's kill -9 and restart, then a group reads each value once", async () => {
  const nodes = clusterNodes();
  const topic = "kafkajs-failover";
  const BATCHES = 150;
  const PER_BATCH = 10;
  try {
    await startAll(nodes, 20000);
    await createReplicatedTopic(nodes[0]!, topic, { partitions: PARTITIONS, configs: CONFIGS });
    const kafka = new Kafka({
      clientId: "kafkajs-replication",
      brokers: nodes.map((node) => node.process.bootstrap),
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      requestTimeout: 5000,
      retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 30 },
    });
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await producer.connect();

    const acked: Delivered[] = [];
    const failed: { value: string; error: string }[] = [];
    let failover: Promise<number> | null = null;
    for (let batch = 0; batch < BATCHES; batch++) {
      if (batch === BATCHES / 3) {
        const leaderId = (await partitionState(nodes[1]!, topic, 0))!.leader;
        const victim = nodeById(nodes, leaderId);
        failover = (async () => {
          await victim.process.kill();
          const survivor = aliveNode(nodes);
          await waitForNewLeader(survivor, topic, 0, leaderId, 30000);
          await victim.process.start();
          return leaderId;
        })();
      }
      const partition = batch % PARTITIONS;
      const values = Array.from({ length: PER_BATCH }, (_, index) => String(batch * PER_BATCH + index));
      try {
        const [answer] = await producer.send({
          topic,
          acks: -1,
          timeout: 10000,
          messages: values.map((value) => ({ value, partition })),
        });
        assert.equal(answer!.errorCode, 0);
        const base = Number(answer!.baseOffset);
        values.forEach((value, index) => acked.push({ value, partition, offset: base + index }));
      } catch (error) {
        for (const value of values) failed.push({ value, error: String(error) });
      }
    }
    const killed = await failover!;
    await producer.disconnect();
    assert.deepEqual(failed, [], "no send failed");
    assert.equal(acked.length, BATCHES * PER_BATCH);
    assert.equal(new Set(acked.map((record) => `${record.partition}:${record.offset}`)).size, acked.length);

    // The restarted node catches up; the log holds only the acknowledged records (no duplicate from a retry).
    await waitForIsr(nodeById(nodes, killed === 1 ? 2 : 1), topic, PARTITIONS, 3, 30000);
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    const total = ends.reduce((sum, partition) => sum + Number(partition.high), 0);
    assert.equal(total, acked.length, "records in the log");

    const consumer = kafka.consumer({
      groupId: `${topic}-readers`,
      sessionTimeout: 6000,
      heartbeatInterval: 500,
      maxWaitTimeInMs: 200,
    });
    const read = new Map<string, string>();
    let reads = 0;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        reads++;
        read.set(`${partition}:${message.offset}`, message.value!.toString());
        return Promise.resolve();
      },
    });
    try {
      await waitFor(() => reads >= acked.length, 30000, `${acked.length} records read`);
    } finally {
      await consumer.disconnect();
    }
    assert.equal(reads, acked.length, "each record read once");
    for (const record of acked) {
      assert.equal(
        read.get(`${record.partition}:${record.offset}`),
        record.value,
        `the record at ${record.offset}`,
      );
    }
    await assertReplicasIdentical(nodes, topic, PARTITIONS, ackedEnds(acked));
  } finally {
    await disposeAll(nodes);
  }
});

Deno.test("kafka-python: acks='all' through a leader's kill -9 loses no acknowledged record", async () => {
  const nodes = clusterNodes();
  const topic = "kafka-python-failover";
  const COUNT = 3000;
  try {
    await startAll(nodes, 20000);
    await createReplicatedTopic(nodes[0]!, topic, { partitions: PARTITIONS, configs: CONFIGS });
    const producer = startStreamingClient("replicated_kafka_python.py", {
      bootstrap: nodes.map((node) => node.process.bootstrap).join(","),
      topic,
      count: COUNT,
      partitions: PARTITIONS,
      per_second: 1000,
    });
    await producer.progress(COUNT / 3);
    const leaderId = (await partitionState(nodes[1]!, topic, 0))!.leader;
    await nodeById(nodes, leaderId).process.kill();
    const survivor = aliveNode(nodes);
    await waitForNewLeader(survivor, topic, 0, leaderId, 30000);
    await nodeById(nodes, leaderId).process.start();
    const produced = await producer.done;
    assert.deepEqual(produced.failed, [], "no send failed");
    assert.equal(produced.acked.length, COUNT, "every value acknowledged");
    assert.equal(new Set(produced.acked.map((record) => record.value)).size, COUNT);

    await waitForIsr(survivor, topic, PARTITIONS, 3, 30000);
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const leader = nodeById(nodes, (await partitionState(survivor, topic, partition))!.leader);
      const client = await connectClient(leader.process.port);
      const { records, errorCode } = await fetchAll(client, topic, partition).finally(() => client.close());
      assert.equal(errorCode, 0);
      const stored = new Map(records.map((record) => [record.offset, record.value]));
      for (const record of produced.acked.filter((record) => record.partition === partition)) {
        assert.equal(stored.get(record.offset), record.value, `acknowledged ${partition}:${record.offset}`);
      }
    }
    await assertReplicasIdentical(nodes, topic, PARTITIONS, ackedEnds(produced.acked));
  } finally {
    await disposeAll(nodes);
  }
});
