/**
 * Replication with real clients and real processes: three nodes, a topic
 * with replication factor 3 and min.insync.replicas=2, an idempotent
 * librdkafka producer with acks=all. Mid-way the leader of partition 0 is
 * killed (kill -9) or stopped (SIGSTOP); the producer must carry on through
 * the new leader, every value must be acknowledged once, the node comes back
 * and re-joins the ISR, and a group consumer must read every acknowledged
 * value exactly once, at the offset its acknowledgement named.
 */
import assert from "node:assert/strict";
import { clusterNodes, disposeAll, startAll } from "./support/cluster.ts";
import { waitFor } from "./support/node_process.ts";
import { runPythonClient } from "./support/python_client.ts";
import { connectClient, createTopics } from "./support/raw_kafka.ts";
import { type Delivered, partitionState, startStreamingClient } from "./support/replicated.ts";

const COUNT = 6000;
const PARTITIONS = 2;

async function failover(how: "kill" | "stop", topic: string): Promise<void> {
  const nodes = clusterNodes();
  try {
    await startAll(nodes, 20000);
    const bootstrap = nodes.map((node) => node.process.bootstrap).join(",");
    const admin = await connectClient(nodes[0]!.process.port);
    const created = await createTopics(admin, [{
      name: topic,
      partitions: PARTITIONS,
      replicationFactor: 3,
      configs: { "min.insync.replicas": "2" },
    }]);
    admin.close();
    assert.equal(created.get(topic), 0);
    await waitFor(
      async () => (await partitionState(nodes[1]!, topic, 0))?.isr.length === 3,
      10000,
      "the new topic with its whole ISR",
    );

    const producer = startStreamingClient("replicated_workload.py", {
      command: "produce",
      bootstrap,
      topic,
      count: COUNT,
    });
    await producer.progress(COUNT / 3);
    const leaderId = (await partitionState(nodes[1]!, topic, 0))!.leader;
    const victim = nodes.find((node) => node.id === leaderId)!;
    const survivor = nodes.find((node) => node.id !== leaderId)!;
    if (how === "kill") await victim.process.kill();
    else Deno.kill(victim.process.pid!, "SIGSTOP");
    await waitFor(
      async () => {
        const state = await partitionState(survivor, topic, 0);
        return state !== null && state.leader !== leaderId && state.leader >= 0;
      },
      30000,
      "a new leader for partition 0",
    );
    if (how === "stop") Deno.kill(victim.process.pid!, "SIGCONT");
    else await victim.process.start();

    const produced = await producer.done;
    assert.deepEqual(produced.failed, []);
    assert.equal(produced.acked.length, COUNT);
    assert.equal(
      new Set(produced.acked.map((record) => record.value)).size,
      COUNT,
      "each value acknowledged once",
    );

    for (let index = 0; index < PARTITIONS; index++) {
      await waitFor(
        async () => (await partitionState(survivor, topic, index))?.isr.length === 3,
        30000,
        `node ${leaderId} back in the ISR of partition ${index}`,
      );
    }

    const consumed = await runPythonClient<{ records: Delivered[] }>(
      "replicated_workload.py",
      { command: "consume", bootstrap, topic, group: `${topic}-readers`, expect: COUNT, timeout_s: 90 },
      120000,
    );
    const read = new Map(
      consumed.records.map((record) => [`${record.partition}:${record.offset}`, record.value]),
    );
    assert.equal(consumed.records.length, COUNT, "every record read once");
    for (const record of produced.acked) {
      assert.equal(
        read.get(`${record.partition}:${record.offset}`),
        record.value,
        `the record at ${record.offset}`,
      );
    }
  } finally {
    await disposeAll(nodes);
  }
}

Deno.test("kill -9 of a partition's leader: acks=all records survive, once each, and the node re-joins the ISR", async () => {
  await failover("kill", "failover-kill");
});

Deno.test("SIGSTOP of a partition's leader: the others carry on and the stopped node catches up after SIGCONT", async () => {
  await failover("stop", "failover-stop");
});
