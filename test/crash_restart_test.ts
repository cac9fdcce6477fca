/**
 * kill -9 and restart on the same folder: every acknowledged record survives
 * at its offset, appends continue at the next offset, and the idempotent
 * producer's state (producer id, epoch, recent sequence numbers) survives so
 * that a retried batch is recognised as a duplicate.
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import { NodeProcess, waitFor } from "./support/node_process.ts";
import { runPythonClient } from "./support/python_client.ts";
import { connectClient, createTopics, fetchAll, produceBatch, textRecords } from "./support/raw_kafka.ts";
import { assertSameRecords, type RecordJson, sampleRecords, textBase64 } from "./support/record_json.ts";

// Deno leaves the resource and op sanitizers off unless asked (since 2.8): a connection, timer or child
// process this file's tests leave behind fails them.
Deno.test.sanitizer({ ops: true, resources: true });

interface Delivery {
  error: { name: string } | null;
  partition: number | null;
  offset: number | null;
}

/** The partition's log end offset (ListOffsets v7, latest), or null while the node is unreachable. */
async function logEndOffset(port: number, topic: string, partition = 0): Promise<number | null> {
  try {
    const client = await connectClient(port);
    try {
      const response = await client.request(2, 7, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: topic, partitions: [{ partitionIndex: partition, timestamp: -1 }] }],
      });
      const answer = response.topics[0]!.partitions[0]!;
      return answer.errorCode === 0 ? answer.offset : null;
    } finally {
      client.close();
    }
  } catch {
    return null;
  }
}

function existsFile(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function consume(bootstrap: string, topic: string, partitions = [0]) {
  return runPythonClient<{ records: RecordJson[]; errors: unknown[]; exception?: string }>(
    "confluent_client.py",
    {
      command: "consume",
      bootstrap,
      topic,
      partitions,
    },
  );
}

Deno.test("acknowledged records survive kill -9 and offsets continue after restart", async () => {
  const node = await new NodeProcess().start();
  try {
    const client = await connectClient(node.port);
    deepStrictEqual(
      await createTopics(client, [{ name: "crash-data", partitions: 2 }]),
      new Map([["crash-data", 0]]),
    );
    client.close();
    const records = sampleRecords({ count: 300, seed: 5, firstTimestampMs: Date.now() - 600_000 }).map((
      record,
      index,
    ) => ({ ...record, partition: index % 2 }));
    const produced = await runPythonClient<{ deliveries: Delivery[]; undelivered: number }>(
      "confluent_client.py",
      {
        command: "produce",
        bootstrap: node.bootstrap,
        topic: "crash-data",
        records,
        config: { "enable.idempotence": true, "acks": "all" },
      },
    );
    deepStrictEqual(produced.deliveries.filter((delivery) => delivery.error), []);

    await node.kill();
    await node.start();

    const read = await consume(node.bootstrap, "crash-data", [0, 1]);
    ok(!read.exception, read.exception ?? "");
    for (const partition of [0, 1]) {
      const expected = records.filter((record) => record.partition === partition);
      const actual = read.records.filter((record) => record.partition === partition);
      assertSameRecords(actual, expected, `partition ${partition} after restart`);
      const deliveredOffsets = produced.deliveries.filter((delivery) => delivery.partition === partition).map(
        (
          delivery,
        ) => delivery.offset,
      );
      deepStrictEqual(
        actual.map((record) => record.offset),
        deliveredOffsets,
        `partition ${partition} offsets`,
      );
    }

    const more: RecordJson[] = [{
      key: textBase64("after"),
      value: textBase64("restart"),
      headers: [],
      partition: 1,
    }];
    const next = await runPythonClient<{ deliveries: Delivery[] }>("confluent_client.py", {
      command: "produce",
      bootstrap: node.bootstrap,
      topic: "crash-data",
      records: more,
      config: { "enable.idempotence": true, "acks": "all" },
    });
    deepStrictEqual(next.deliveries[0], { ...next.deliveries[0], error: null, partition: 1, offset: 150 });
  } finally {
    await node.dispose();
  }
});

/** The crash comes once the producer has seen this many records acknowledged... */
const CRASH_AT_ACKNOWLEDGED = 300;
/** ...while it holds this record and the ones after it until the node has restarted. */
const GATE_BEFORE_RECORD = 1000;

Deno.test("an idempotent producer streaming through kill -9 loses no acknowledged record and writes none twice", async () => {
  const node = await new NodeProcess().start();
  const gateDir = Deno.makeTempDirSync({ prefix: "dafka-crash-gate-" });
  let producing:
    | Promise<{ deliveries: (Delivery | null)[]; undelivered: number; exception?: string }>
    | null = null;
  try {
    const records = sampleRecords({ count: 1500, seed: 6, firstTimestampMs: Date.now() - 600_000 }).map((
      record,
      index,
    ) => ({ ...record, value: textBase64(`unique-${index}`) }));
    // The crash lands mid-stream by a condition, not by pacing: the producer streams the first records
    // freely, says when it has seen some acknowledged, and holds the rest at a gate until after the restart.
    const gate = {
      ready_at: CRASH_AT_ACKNOWLEDGED,
      ready: `${gateDir}/ready`,
      before: GATE_BEFORE_RECORD,
      open: `${gateDir}/open`,
      timeout_s: 60,
    };
    producing = runPythonClient(
      "confluent_client.py",
      {
        command: "produce",
        bootstrap: node.bootstrap,
        topic: "crash-stream",
        partition: 0,
        records,
        gate,
        timeout_s: 40,
        config: {
          "enable.idempotence": true,
          "acks": "all",
          "linger.ms": 2,
          "message.timeout.ms": 30000,
          "reconnect.backoff.ms": 50,
          "reconnect.backoff.max.ms": 500,
        },
      },
      90000,
    );
    let producerEnded = false;
    producing.then(() => producerEnded = true, () => producerEnded = true);
    await waitFor(
      () => existsFile(gate.ready) || producerEnded,
      30000,
      `the producer to see ${CRASH_AT_ACKNOWLEDGED} records acknowledged`,
    );
    if (!existsFile(gate.ready)) throw new Error(`the producer ended first: ${(await producing).exception}`);
    await node.kill();
    await node.start();
    // Everything acknowledged before the crash is there, and the gate still holds the rest of the stream.
    let endAfterRestart: number | null = null;
    await waitFor(
      async () => (endAfterRestart = await logEndOffset(node.port, "crash-stream")) !== null,
      10000,
      "the partition after the restart",
    );
    ok(
      endAfterRestart! >= CRASH_AT_ACKNOWLEDGED && endAfterRestart! <= GATE_BEFORE_RECORD,
      `log end ${endAfterRestart} after the restart`,
    );
    Deno.writeTextFileSync(gate.open, "");
    const produced = await producing;
    ok(!produced.exception, produced.exception ?? "");

    const read = await consume(node.bootstrap, "crash-stream");
    ok(!read.exception, read.exception ?? "");
    const values = read.records.map((record) => record.value);
    deepStrictEqual(new Set(values).size, values.length, "a record was written twice");
    let acknowledged = 0;
    produced.deliveries.forEach((delivery, index) => {
      if (delivery === null || delivery.error !== null) return;
      acknowledged++;
      const stored = read.records[delivery.offset!];
      deepStrictEqual(
        stored?.value,
        records[index]!.value,
        `acknowledged record ${index} at offset ${delivery.offset}`,
      );
    });
    ok(acknowledged >= CRASH_AT_ACKNOWLEDGED, `only ${acknowledged} records were acknowledged`);
    // The restart came well within message.timeout.ms, so the producer should have delivered everything.
    const failures = produced.deliveries.filter((delivery) => delivery === null || delivery.error !== null);
    deepStrictEqual(failures.slice(0, 5), [], `${failures.length} records were not delivered`);
    deepStrictEqual(read.records.length, records.length);
  } finally {
    // On a failure before the gate opened, the producer would otherwise outlive the test, waiting at it.
    if (!existsFile(`${gateDir}/open`)) Deno.writeTextFileSync(`${gateDir}/open`, "");
    await producing?.catch(() => {});
    await node.dispose();
    Deno.removeSync(gateDir, { recursive: true });
  }
});

Deno.test("a duplicate batch sent after kill -9 and restart gets its original offset", async () => {
  const node = await new NodeProcess().start();
  try {
    let client = await connectClient(node.port);
    deepStrictEqual(await createTopics(client, [{ name: "dedup" }]), new Map([["dedup", 0]]));
    const init = await client.request(22, 4, {
      transactionalId: null,
      transactionTimeoutMs: 60000,
      producerId: -1,
      producerEpoch: -1,
    });
    deepStrictEqual(init.errorCode, 0);
    const producerId = init.producerId;
    const producerEpoch = init.producerEpoch;
    ok(producerId >= 0);
    const firstTimestampMs = Date.now();
    const batch = (baseSequence: number) => ({
      topic: "dedup",
      records: textRecords(`seq${baseSequence}`, 5, firstTimestampMs + baseSequence),
      producerId,
      producerEpoch,
      baseSequence,
    });
    const first = await produceBatch(client, batch(0));
    const second = await produceBatch(client, batch(5));
    deepStrictEqual([first.errorCode, first.baseOffset, second.errorCode, second.baseOffset], [0, 0, 0, 5]);
    client.close();

    await node.kill();
    await node.start();

    client = await connectClient(node.port);
    try {
      const retriedLast = await produceBatch(client, batch(5));
      deepStrictEqual([retriedLast.errorCode, retriedLast.baseOffset], [0, 5], "retry of the last batch");
      const retriedFirst = await produceBatch(client, batch(0));
      deepStrictEqual([retriedFirst.errorCode, retriedFirst.baseOffset], [0, 0], "retry of an earlier batch");
      const third = await produceBatch(client, batch(10));
      deepStrictEqual([third.errorCode, third.baseOffset], [0, 10], "the next sequence");
      // A gap in the sequence is refused (OUT_OF_ORDER_SEQUENCE_NUMBER).
      const gap = await produceBatch(client, batch(20));
      deepStrictEqual(gap.errorCode, 45, "a sequence gap");
      const log = await fetchAll(client, "dedup");
      deepStrictEqual(log.highWatermark, 15);
      deepStrictEqual(
        log.records.map((record) => record.offset),
        Array.from({ length: 15 }, (_, index) => index),
      );
      deepStrictEqual(log.records[5]!.value, "seq5-value-0");
    } finally {
      client.close();
    }
  } finally {
    await node.dispose();
  }
});
