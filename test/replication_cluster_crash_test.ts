/**
 * Every node killed at once (kill -9 of all three), then restarted: what was
 * acknowledged with acks=all is still there at the same offsets, a group's
 * committed offsets (in the replicated `__consumer_offsets`) are still
 * there, the partitions get their whole ISR back and take acks=all again,
 * and the three replicas' logs end identical.
 *
 * A node may lead an epoch briefly during the restarts and lose it before
 * appending: its leader epoch cache then names an epoch, at its log end,
 * that the next leader never had, and only truncating that entry away lets
 * it fetch again and re-join the ISR (Kafka's truncateTo does the same).
 */
import assert from "node:assert/strict";
import { clusterNodes, disposeAll, startAll } from "./support/cluster.ts";
import { waitFor } from "./support/node_process.ts";
import { runPythonClient } from "./support/python_client.ts";
import { connectClient, fetchAll } from "./support/raw_kafka.ts";
import {
  assertReplicasIdentical,
  committedOffsets,
  createReplicatedTopic,
  type Delivered,
  groupCoordinator,
  nodeById,
  partitionState,
  type ProduceOutcome,
  waitForIsr,
} from "./support/replicated.ts";

const PARTITIONS = 2;

Deno.test("kill -9 of every node at once: acknowledged records and committed offsets survive the restart", async () => {
  const nodes = clusterNodes();
  const topic = "whole-cluster-crash";
  const group = `${topic}-readers`;
  const COUNT = 2000;
  try {
    await startAll(nodes, 20000);
    await createReplicatedTopic(nodes[0]!, topic, {
      partitions: PARTITIONS,
      configs: { "min.insync.replicas": "2" },
    });
    const bootstrap = nodes.map((node) => node.process.bootstrap).join(",");
    const produced = await runPythonClient<ProduceOutcome>(
      "replicated_workload.py",
      { command: "produce", bootstrap, topic, count: COUNT },
      60000,
    );
    assert.deepEqual(produced.failed, []);
    assert.equal(produced.acked.length, COUNT);
    const consumed = await runPythonClient<{ records: Delivered[] }>(
      "replicated_workload.py",
      { command: "consume", bootstrap, topic, group, expect: COUNT, timeout_s: 40 },
      60000,
    );
    assert.equal(consumed.records.length, COUNT);
    const ends = Array.from(
      { length: PARTITIONS },
      (_, partition) => produced.acked.filter((record) => record.partition === partition).length,
    );
    const committedAt = async () => {
      const coordinator = nodeById(nodes, await groupCoordinator(nodes[0]!, group).catch(() => -1));
      const answer = await committedOffsets(coordinator, group, topic, PARTITIONS).catch(() => null);
      // A partition the producer left empty was never committed (-1): nothing to read there either.
      return answer?.errorCode === 0
        ? ends.map((_, index) => Math.max(0, answer.offsets.get(index) ?? -1))
        : null;
    };
    // The consumer commits on close; the commit is acknowledged once replicated.
    assert.deepEqual(await committedAt(), ends, "committed before the crash");

    await Promise.all(nodes.map((node) => node.process.kill()));
    await startAll(nodes, 30000);
    await waitForIsr(nodes[0]!, topic, PARTITIONS, 3, 30000);

    for (let partition = 0; partition < PARTITIONS; partition++) {
      const leader = nodeById(nodes, (await partitionState(nodes[0]!, topic, partition))!.leader);
      const client = await connectClient(leader.process.port);
      const { records, errorCode, highWatermark } = await fetchAll(client, topic, partition)
        .finally(() => client.close());
      assert.equal(errorCode, 0);
      assert.equal(
        highWatermark,
        ends[partition],
        `high watermark of partition ${partition} after the restart`,
      );
      const stored = new Map(records.map((record) => [record.offset, record.value]));
      for (const record of produced.acked.filter((record) => record.partition === partition)) {
        assert.equal(stored.get(record.offset), record.value, `acknowledged ${partition}:${record.offset}`);
      }
    }
    let committed: (number | undefined)[] | null = null;
    await waitFor(
      async () => (committed = await committedAt().catch(() => null)) !== null,
      20000,
      "the group's offsets loaded by its coordinator",
    );
    assert.deepEqual(committed, ends, "committed offsets after the restart");

    const more = await runPythonClient<ProduceOutcome>(
      "replicated_workload.py",
      { command: "produce", bootstrap, topic, count: 200 },
      60000,
    );
    assert.deepEqual(more.failed, []);
    const finalEnds = ends.map((end, partition) =>
      Math.max(end, ...more.acked.filter((record) => record.partition === partition).map((r) => r.offset + 1))
    );
    await assertReplicasIdentical(nodes, topic, PARTITIONS, (partition) => finalEnds[partition]!);
  } finally {
    await disposeAll(nodes);
  }
});
