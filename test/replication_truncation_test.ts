/**
 * A leader that dies holding records no follower has: three real nodes, a
 * topic with replication factor 3. Both followers are stopped (SIGSTOP), the
 * leader takes acks=1 records only it holds, then it is killed (kill -9) and
 * the followers resume. One of them becomes leader and takes acks=all
 * records at the same offsets. When the old leader comes back, it must
 * notice that its tail diverges from the new leader epoch, truncate it and
 * copy the new leader's records: at the end the three replicas' logs are
 * identical, byte for byte, and hold every acks=all record, none of the
 * orphaned acks=1 ones.
 */
import assert from "node:assert/strict";
import type { RecordInput } from "../src/protocol/mod.ts";
import { clusterNodes, disposeAll, startAll } from "./support/cluster.ts";
import { waitFor } from "./support/node_process.ts";
import { connectClient, fetchAll, produceBatch } from "./support/raw_kafka.ts";
import {
  assertReplicasIdentical,
  createReplicatedTopic,
  nodeById,
  partitionState,
  waitForIsr,
  waitForNewLeader,
} from "./support/replicated.ts";

const encoder = new TextEncoder();
const values = (prefix: string, count: number): RecordInput[] =>
  Array.from({ length: count }, (_, index) => ({
    timestamp: Date.now(),
    key: null,
    value: encoder.encode(`${prefix}-${index}`),
    headers: [],
  }));

Deno.test("a dead leader's unreplicated tail is truncated when it comes back, and every replica ends identical", async () => {
  const nodes = clusterNodes();
  const topic = "divergent-tail";
  try {
    await startAll(nodes, 20000);
    await createReplicatedTopic(nodes[0]!, topic, { partitions: 1, configs: { "min.insync.replicas": "2" } });
    const first = (await partitionState(nodes[0]!, topic, 0))!;
    const leader = nodeById(nodes, first.leader);
    const followers = nodes.filter((node) => node !== leader);

    const client = await connectClient(leader.process.port);
    for (let batch = 0; batch < 5; batch++) {
      const answer = await produceBatch(client, { topic, records: values(`head${batch}`, 10), acks: -1 });
      assert.equal(answer.errorCode, 0, "acks=all before the failure");
    }

    for (const follower of followers) Deno.kill(follower.process.pid!, "SIGSTOP");
    let orphans = 0;
    try {
      for (let batch = 0; batch < 5; batch++) {
        const answer = await produceBatch(client, { topic, records: values(`orphan${batch}`, 7), acks: 1 });
        assert.equal(answer.errorCode, 0, "acks=1 to the lone leader");
        orphans += 7;
      }
    } finally {
      client.close();
      await leader.process.kill();
      for (const follower of followers) Deno.kill(follower.process.pid!, "SIGCONT");
    }
    assert.equal(orphans, 35);

    const newLeaderId = await waitForNewLeader(followers[0]!, topic, 0, leader.id, 30000);
    const newLeader = nodeById(nodes, newLeaderId);
    const writer = await connectClient(newLeader.process.port);
    // A follower may have had a fetch waiting on the leader when it was stopped, answered with the first
    // orphaned batch and read after SIGCONT: the new leader then holds that prefix, which is legitimate.
    let continuesAt = -1;
    const tail: string[] = [];
    try {
      for (let batch = 0; batch < 4; batch++) {
        const records = values(`tail${batch}`, 12);
        const answer = await produceBatch(writer, { topic, records, acks: -1 });
        assert.equal(answer.errorCode, 0, "acks=all on the new leader");
        if (batch === 0) continuesAt = answer.baseOffset;
        assert.equal(answer.baseOffset, continuesAt + tail.length);
        tail.push(...records.map((record) => new TextDecoder().decode(record.value!)));
      }
    } finally {
      writer.close();
    }
    assert.ok(continuesAt >= 50 && continuesAt <= 50 + orphans, `the new leader continues at ${continuesAt}`);

    await leader.process.start();
    await waitForIsr(newLeader, topic, 1, 3, 30000);
    // The old leader's log reaches the new leader's end before the nodes stop.
    await waitFor(
      async () => (await partitionState(newLeader, topic, 0))?.isr.includes(leader.id) ?? false,
      10000,
      "the old leader in sync",
    );
    const reader = await connectClient(newLeader.process.port);
    const { records } = await fetchAll(reader, topic, 0).finally(() => reader.close());
    const orphaned = Array.from(
      { length: 5 },
      (_, batch) => Array.from({ length: 7 }, (_, i) => `orphan${batch}-${i}`),
    )
      .flat();
    assert.deepEqual(
      records.map((record) => record.value),
      [
        ...Array.from({ length: 50 }, (_, i) => `head${Math.floor(i / 10)}-${i % 10}`),
        ...orphaned.slice(0, continuesAt - 50),
        ...tail,
      ],
      "the head, the orphans the new leader had, then the new leader's records",
    );
    await assertReplicasIdentical(nodes, topic, 1, () => continuesAt + tail.length);
  } finally {
    await disposeAll(nodes);
  }
});
