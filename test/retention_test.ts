/**
 * Retention and DeleteRecords on a real node process with real clients:
 * kcat produces and consumes, kafkajs creates topics, reads the watermarks
 * and deletes records (admin.deleteTopicRecords), and raw Fetch requests see
 * OFFSET_OUT_OF_RANGE below the log start. Topics use 1 KiB segments and the
 * node checks retention every 200 ms, so every wait is short and bounded.
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import kafkajs from "kafkajs";
import { ErrorCode } from "../src/protocol/mod.ts";
import { NodeProcess, run, waitFor } from "./support/node_process.ts";
import { connectClient } from "./support/raw_kafka.ts";

// Deno leaves the resource and op sanitizers off unless asked (since 2.8): a connection, timer or child
// process this file's tests leave behind fails them.
Deno.test.sanitizer({ ops: true, resources: true });

const { Kafka, ConfigResourceTypes, logLevel } = kafkajs;
const WAIT_MS = 15_000;
const RECORDS = 200;

function kcat(args: string[], stdin?: string): Promise<string> {
  return run("kcat", ["-X", "api.version.request=true", ...args], { stdin, timeoutMs: 30_000 });
}

/** Produces `count` records of about 60 bytes with kcat. */
async function produce(bootstrap: string, topic: string, count: number, from = 0): Promise<void> {
  const lines = Array.from({ length: count }, (_, index) => `record-${from + index}-${"r".repeat(48)}`);
  await kcat([
    "-P",
    "-b",
    bootstrap,
    "-t",
    topic,
    "-p",
    "0",
    "-X",
    "linger.ms=0",
    "-X",
    "batch.num.messages=1",
  ], lines.join("\n") + "\n");
}

/** The offsets kcat reads from the beginning to the end. */
async function consumedOffsets(bootstrap: string, topic: string): Promise<number[]> {
  const output = await kcat([
    "-C",
    "-b",
    bootstrap,
    "-t",
    topic,
    "-p",
    "0",
    "-o",
    "beginning",
    "-e",
    "-q",
    "-f",
    "%o\\n",
  ]);
  return output.split("\n").filter((line) => line.trim() !== "").map(Number);
}

/** The error code of a raw Fetch v12 at `offset`. */
async function fetchErrorCode(port: number, topic: string, offset: number): Promise<number> {
  const client = await connectClient(port);
  try {
    const response = await client.request(1, 12, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [],
      rackId: "",
    });
    return response.responses[0]!.partitions[0]!.errorCode;
  } finally {
    client.close();
  }
}

function segmentFiles(logDir: string, folder: string, suffix: string): string[] {
  return [...Deno.readDirSync(`${logDir}/${folder}`)].map((entry) => entry.name).filter((name) =>
    name.endsWith(suffix)
  );
}

Deno.test({
  name: "retention and DeleteRecords move the log start on a real node",
  async fn(t) {
    const node = await new NodeProcess({
      overrides: { "log.retention.check.interval.ms": "200", "log.segment.delete.delay.ms": "300" },
    }).start();
    const kafka = new Kafka({
      clientId: "dafka-retention-test",
      brokers: [node.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 3, initialRetryTime: 100 },
    });
    const admin = kafka.admin();
    const watermarks = async (topic: string) => {
      const [partition] = await admin.fetchTopicOffsets(topic);
      return { low: Number(partition!.low), high: Number(partition!.high) };
    };
    try {
      await admin.connect();
      const segmentBytes = { name: "segment.bytes", value: "1024" };
      await admin.createTopics({
        topics: [
          { topic: "rt-sized", configEntries: [segmentBytes, { name: "retention.bytes", value: "3000" }] },
          { topic: "rt-timed", configEntries: [segmentBytes, { name: "retention.ms", value: "1500" }] },
          { topic: "rt-deleted", configEntries: [segmentBytes] },
        ],
      });
      for (const topic of ["rt-sized", "rt-timed", "rt-deleted"]) {
        await produce(node.bootstrap, topic, RECORDS);
      }

      await t.step("retention.bytes deletes the oldest segments; earliest and fetches follow", async () => {
        await waitFor(
          async () => (await watermarks("rt-sized")).low > 0,
          WAIT_MS,
          "rt-sized to lose segments",
        );
        const { low, high } = await watermarks("rt-sized");
        deepStrictEqual(high, RECORDS);
        ok(low > 100 && low < RECORDS, `the log start ${low} keeps about 3000 bytes`);
        deepStrictEqual(await fetchErrorCode(node.port, "rt-sized", low - 1), ErrorCode.OFFSET_OUT_OF_RANGE);
        deepStrictEqual(await fetchErrorCode(node.port, "rt-sized", low), ErrorCode.NONE);
        const offsets = await consumedOffsets(node.bootstrap, "rt-sized");
        deepStrictEqual(offsets, Array.from({ length: RECORDS - low }, (_, index) => low + index));
      });

      await t.step("retention.ms expires the whole log; it starts again at its end", async () => {
        await waitFor(
          async () => (await watermarks("rt-timed")).low === RECORDS,
          WAIT_MS,
          "rt-timed to expire",
        );
        deepStrictEqual(await consumedOffsets(node.bootstrap, "rt-timed"), []);
        // The next record is kept, so that it cannot expire too while a slow machine reads it back.
        await admin.alterConfigs({
          validateOnly: false,
          resources: [{
            type: ConfigResourceTypes.TOPIC,
            name: "rt-timed",
            configEntries: [segmentBytes, { name: "retention.ms", value: "3600000" }],
          }],
        });
        await produce(node.bootstrap, "rt-timed", 1, RECORDS);
        deepStrictEqual(await watermarks("rt-timed"), { low: RECORDS, high: RECORDS + 1 });
        deepStrictEqual(await consumedOffsets(node.bootstrap, "rt-timed"), [RECORDS]);
      });

      await t.step(
        "kafkajs deleteTopicRecords moves the start; segments go; the start survives kill -9",
        async () => {
          const segmentsBefore = segmentFiles(node.logDir, "rt-deleted-0", ".log").length;
          // kafkajs finds the partition's leader in metadata it already holds.
          deepStrictEqual(await watermarks("rt-deleted"), { low: 0, high: RECORDS });
          await admin.deleteTopicRecords({
            topic: "rt-deleted",
            partitions: [{ partition: 0, offset: "150" }],
          });
          deepStrictEqual(await watermarks("rt-deleted"), { low: 150, high: RECORDS });
          deepStrictEqual(await fetchErrorCode(node.port, "rt-deleted", 149), ErrorCode.OFFSET_OUT_OF_RANGE);
          deepStrictEqual((await consumedOffsets(node.bootstrap, "rt-deleted"))[0], 150);
          await waitFor(
            () =>
              segmentFiles(node.logDir, "rt-deleted-0", ".log").length < segmentsBefore &&
              segmentFiles(node.logDir, "rt-deleted-0", ".deleted").length === 0,
            WAIT_MS,
            "the segments below 150 to be deleted and their files removed",
          );
          const checkpoint = Deno.readTextFileSync(`${node.logDir}/log-start-offset-checkpoint`);
          ok(/^rt-deleted 0 150$/m.test(checkpoint), checkpoint);
          await admin.disconnect();
          await node.kill();
          await node.start();
          await admin.connect();
          deepStrictEqual(await watermarks("rt-deleted"), { low: 150, high: RECORDS });
          deepStrictEqual(await watermarks("rt-sized").then((marks) => marks.high), RECORDS);
        },
      );
    } finally {
      await admin.disconnect().catch(() => {});
      await node.dispose();
    }
  },
});
