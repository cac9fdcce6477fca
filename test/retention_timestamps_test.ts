/**
 * Records without a timestamp are not deleted as ancient (the data-loss bug
 * of issue 9): librdkafka, through confluent-kafka, produces records stamped
 * -1 and writes 0 as the batch's MaxTimestamp. Kafka recomputes MaxTimestamp
 * from the records (-1), and retention then falls back to the segment file's
 * modification time, so such records live for retention.ms (7 days by
 * default) after their last write, across a kill -9 as well.
 *
 * The node checks retention every 100 ms. A second topic holds records
 * stamped in 1970, which retention must delete: each deletion there proves a
 * retention pass ran over the untimed topic too, so the test can fail.
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import { NodeProcess, waitFor } from "./support/node_process.ts";
import { runPythonClient } from "./support/python_client.ts";
import { type RecordJson, textBase64 } from "./support/record_json.ts";

// Deno leaves the resource and op sanitizers off unless asked (since 2.8): a connection, timer or child
// process left behind by this test fails it.
Deno.test.sanitizer({ ops: true, resources: true });

const WAIT_MS = 20_000;
const UNTIMED = "untimed";
const ANCIENT = "ancient";
const RECORDS = 60;

interface Watermarks {
  low: number;
  high: number;
}
interface Produced {
  deliveries: { error: unknown; offset: number | null; timestamp: number }[];
  undelivered: number;
}
interface Consumed {
  records: { offset: number; timestamp: number }[];
  complete: boolean;
}

function records(prefix: string, timestamp: number, count: number): RecordJson[] {
  return Array.from({ length: count }, (_, index) => ({
    key: textBase64(`${prefix}-${index}`),
    value: textBase64(`${prefix}-${index}-${"v".repeat(40)}`),
    headers: [],
    timestamp,
  }));
}

async function produce(bootstrap: string, topic: string, timestamp: number, count = RECORDS): Promise<void> {
  const answer = await runPythonClient<Produced>("confluent_client.py", {
    command: "produce",
    bootstrap,
    topic,
    partition: 0,
    records: records(topic, timestamp, count),
    config: { "linger.ms": 0, "batch.num.messages": 5 },
  });
  deepStrictEqual(answer.undelivered, 0, `every record to ${topic} delivered`);
  ok(answer.deliveries.every((delivery) => delivery.error === null), JSON.stringify(answer.deliveries[0]));
}

function watermarks(bootstrap: string, topic: string): Promise<Watermarks> {
  return runPythonClient<Watermarks>("confluent_client.py", { command: "watermarks", bootstrap, topic });
}

/** Produces stale records and waits until retention has deleted them: a retention pass ran after this call. */
async function retentionPass(bootstrap: string): Promise<void> {
  await produce(bootstrap, ANCIENT, 1_000, 10);
  const { high } = await watermarks(bootstrap, ANCIENT);
  await waitFor(
    async () => (await watermarks(bootstrap, ANCIENT)).low === high,
    WAIT_MS,
    `retention to delete ${ANCIENT} up to ${high}`,
  );
}

/** The MaxTimestamp field of the first batch in a partition's first segment. */
function firstBatchMaxTimestamp(logDir: string, topic: string): bigint {
  const folder = `${logDir}/${topic}-0`;
  const segment = [...Deno.readDirSync(folder)].map((entry) => entry.name).filter((name) =>
    name.endsWith(".log")
  )
    .sort()[0]!;
  const bytes = Deno.readFileSync(`${folder}/${segment}`);
  return new DataView(bytes.buffer, bytes.byteOffset).getBigInt64(35);
}

Deno.test({
  name: "records produced without a timestamp survive retention checks and a kill -9, as in Kafka",
  async fn(t) {
    const node = await new NodeProcess({
      overrides: { "log.retention.check.interval.ms": "100", "log.segment.delete.delay.ms": "100" },
    }).start();
    try {
      const created = await runPythonClient<{ results: Record<string, unknown> }>("confluent_client.py", {
        command: "create_topics",
        bootstrap: node.bootstrap,
        // Small segments, so that most of each topic sits in closed segments that retention may delete.
        topics: [UNTIMED, ANCIENT].map((name) => ({ name, config: { "segment.bytes": "1024" } })),
      });
      deepStrictEqual(created.results, { [UNTIMED]: null, [ANCIENT]: null });
      await produce(node.bootstrap, UNTIMED, -1);

      await t.step("the stored batch carries MaxTimestamp -1, recomputed from its records", () => {
        deepStrictEqual(firstBatchMaxTimestamp(node.logDir, UNTIMED), -1n);
      });

      await t.step("retention passes delete records from 1970 and keep the untimed ones", async () => {
        await retentionPass(node.bootstrap);
        await retentionPass(node.bootstrap);
        deepStrictEqual(await watermarks(node.bootstrap, UNTIMED), { low: 0, high: RECORDS });
      });

      await t.step(
        "after kill -9 and a restart, retention still keeps them and consumers read them all",
        async () => {
          await node.kill();
          await node.start();
          await retentionPass(node.bootstrap);
          deepStrictEqual(await watermarks(node.bootstrap, UNTIMED), { low: 0, high: RECORDS });
          const consumed = await runPythonClient<Consumed>("confluent_client.py", {
            command: "consume",
            bootstrap: node.bootstrap,
            topic: UNTIMED,
          });
          ok(consumed.complete, "the consumer reached the end");
          deepStrictEqual(
            consumed.records.map((record) => record.offset),
            Array.from({ length: RECORDS }, (_, i) => i),
          );
          ok(
            consumed.records.every((record) => record.timestamp === -1),
            "the records still carry no timestamp",
          );
        },
      );
    } finally {
      await node.dispose();
    }
  },
});
