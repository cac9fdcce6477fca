/**
 * kafka-python 2.0.2 against a real Dafka node. It speaks old protocol
 * versions: with api_version=None it infers a broker version from
 * ApiVersions (then Produce v7 / Fetch v4, v2 batches); with (0, 10, 1) it
 * sends Produce v2 with magic 1 message sets and fetches with Fetch v3; with
 * (0, 9) Produce v1 with magic 0 and Fetch v1. Records written in one format
 * must read back identically in the others (with librdkafka as the witness).
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import { NodeProcess } from "./support/node_process.ts";
import { runPythonClient } from "./support/python_client.ts";
import {
  assertConsecutiveOffsets,
  assertSameRecords,
  type RecordJson,
  sampleRecords,
  SeededBytes,
  textBase64,
  toBase64,
} from "./support/record_json.ts";

const SCRIPT = "kafka_python_client.py";

interface PythonError {
  name: string;
  str: string;
  errno: number | null;
  local?: boolean;
}
interface ProduceAnswer {
  deliveries: { error: PythonError | null; offset: number | null; timestamp?: number }[];
  api_version: number[];
}
interface ConsumeAnswer {
  records: RecordJson[];
  api_version: number[];
}

function client<T>(request: Record<string, unknown>): Promise<T> {
  return runPythonClient<T & { exception?: string; trace?: string }>(SCRIPT, request).then((answer) => {
    if (answer.exception) {
      throw new Error(`${SCRIPT} ${request.command}: ${answer.exception}\n${answer.trace ?? ""}`);
    }
    return answer;
  });
}

function assertDelivered(answer: ProduceAnswer, firstOffset: number, what: string): void {
  deepStrictEqual(answer.deliveries.filter((delivery) => delivery.error), [], `${what}: delivery errors`);
  deepStrictEqual(
    answer.deliveries.map((delivery) => delivery.offset),
    answer.deliveries.map((_, index) => firstOffset + index),
    `${what}: offsets`,
  );
}

/** Message format v0 has no timestamps: compare without them. */
function withoutTimestamps(records: RecordJson[]): RecordJson[] {
  return records.map((record) => ({ ...record, timestamp: null }));
}

Deno.test("kafka-python works against a Dafka node with negotiated and old protocol versions", async (t) => {
  const node = await new NodeProcess().start();
  const bootstrap = node.bootstrap;
  const firstTimestampMs = Date.now() - 7200_000;
  try {
    await t.step("api_version=None infers a broker version of at least 1.0 from ApiVersions", async () => {
      const answer = await client<{ api_version: number[]; topics: string[] }>({
        command: "versions",
        bootstrap,
      });
      ok(answer.api_version[0]! >= 1, `inferred ${answer.api_version}`);
    });

    await t.step("KafkaAdminClient creates topics", async () => {
      const answer = await client<{ results: Record<string, number> }>({
        command: "create_topics",
        bootstrap,
        topics: [{ name: "kp-admin", partitions: 2 }],
      });
      deepStrictEqual(answer.results, { "kp-admin": 0 });
      const again = await client<{ results: Record<string, number> }>({
        command: "create_topics",
        bootstrap,
        topics: [{ name: "kp-admin", partitions: 2 }],
      });
      deepStrictEqual(again.results, { "kp-admin": 36 }, "TOPIC_ALREADY_EXISTS");
    });

    for (const [index, codec] of ["none", "gzip", "snappy", "lz4", "zstd"].entries()) {
      await t.step(
        `negotiated versions with ${codec}: produce, read back, cross-read with librdkafka`,
        async () => {
          const topic = `kp-${codec}`;
          const records = sampleRecords({
            count: 120,
            seed: 100 + index,
            firstTimestampMs,
            nullHeaderValues: false,
            bothNull: false,
          });
          const produced = await client<ProduceAnswer>({
            command: "produce",
            bootstrap,
            topic,
            records,
            compression: codec === "none" ? null : codec,
          });
          assertDelivered(produced, 0, codec);
          const read = await client<ConsumeAnswer>({
            command: "consume",
            bootstrap,
            topic,
            count: records.length,
          });
          assertSameRecords(read.records, records, codec);
          assertConsecutiveOffsets(read.records, 0, codec);
          const tail = await client<ConsumeAnswer>({
            command: "consume",
            bootstrap,
            topic,
            offset: 100,
            count: 20,
          });
          assertSameRecords(tail.records, records.slice(100), `${codec} from offset 100`);
          const witness = await runPythonClient<{ records: RecordJson[] }>("confluent_client.py", {
            command: "consume",
            bootstrap,
            topic,
          });
          assertSameRecords(witness.records, records, `${codec} read by librdkafka`);
        },
      );
    }

    const oldFormats = [
      { apiVersion: [0, 10, 1], label: "0.10.1 (Produce v2 magic 1, Fetch v3)", timestamps: true },
      { apiVersion: [0, 9], label: "0.9 (Produce v1 magic 0, Fetch v1)", timestamps: false },
    ];
    for (const format of oldFormats) {
      for (const [index, codec] of ["none", "gzip", "snappy", "lz4"].entries()) {
        await t.step(`api_version ${format.label} with ${codec}`, async () => {
          const topic = `kp-v${format.apiVersion.join("")}-${codec}`;
          const records = sampleRecords({
            count: 60,
            seed: 200 + index,
            firstTimestampMs,
            headers: false,
            bothNull: false,
          });
          const expected = format.timestamps ? records : withoutTimestamps(records);
          const produced = await client<ProduceAnswer>({
            command: "produce",
            bootstrap,
            topic,
            records,
            compression: codec === "none" ? null : codec,
            api_version: format.apiVersion,
          });
          assertDelivered(produced, 0, `${format.label} ${codec}`);
          const read = await client<ConsumeAnswer>({
            command: "consume",
            bootstrap,
            topic,
            count: records.length,
            api_version: format.apiVersion,
          });
          assertSameRecords(read.records, expected, `${format.label} ${codec}`);
          assertConsecutiveOffsets(read.records, 0, `${format.label} ${codec}`);
          // The same records through today's Fetch (v2 batches).
          const modern = await client<ConsumeAnswer>({
            command: "consume",
            bootstrap,
            topic,
            count: records.length,
          });
          assertSameRecords(modern.records, expected, `${format.label} ${codec} read with v2 batches`);
          assertConsecutiveOffsets(modern.records, 0, `${format.label} ${codec} read with v2 batches`);
        });
      }
    }

    await t.step("v2 batches read back with Fetch v3 (down-converted to magic 1)", async () => {
      const records = sampleRecords({
        count: 50,
        seed: 300,
        firstTimestampMs,
        headers: false,
        bothNull: false,
      });
      const produced = await client<ProduceAnswer>({
        command: "produce",
        bootstrap,
        topic: "kp-down",
        records,
      });
      assertDelivered(produced, 0, "v2 batches");
      const read = await client<ConsumeAnswer>({
        command: "consume",
        bootstrap,
        topic: "kp-down",
        count: records.length,
        api_version: [0, 10, 1],
      });
      assertSameRecords(read.records, records, "down-converted");
      assertConsecutiveOffsets(read.records, 0, "down-converted");
    });

    await t.step("offsets_for_times, beginning_offsets and end_offsets (ListOffsets v1+)", async () => {
      for (const apiVersion of [null, [0, 10, 1]]) {
        const answer = await client<{
          offsets: ({ offset: number; timestamp: number } | null)[];
          beginning: number;
          end: number;
        }>({
          command: "offsets_for_times",
          bootstrap,
          topic: "kp-none",
          api_version: apiVersion,
          timestamps: [
            firstTimestampMs - 5,
            firstTimestampMs + 30_000,
            firstTimestampMs + 30_400,
            9_999_999_999_999,
          ],
        });
        deepStrictEqual(answer.offsets, [
          { offset: 0, timestamp: firstTimestampMs },
          { offset: 30, timestamp: firstTimestampMs + 30_000 },
          { offset: 31, timestamp: firstTimestampMs + 31_000 },
          null,
        ], `api_version ${apiVersion}`);
        deepStrictEqual([answer.beginning, answer.end], [0, 120]);
      }
    });

    await t.step(
      "a record near the size limit is accepted; one above it gets MessageSizeTooLargeError",
      async () => {
        const random = new SeededBytes(11);
        const large: RecordJson = {
          key: textBase64("big"),
          value: toBase64(random.bytes(1_000_000)),
          headers: [],
        };
        const produced = await client<ProduceAnswer>({
          command: "produce",
          bootstrap,
          topic: "kp-large",
          records: [large],
          config: { max_request_size: 2_000_000 },
        });
        assertDelivered(produced, 0, "large record");
        const read = await client<ConsumeAnswer>({
          command: "consume",
          bootstrap,
          topic: "kp-large",
          count: 1,
        });
        assertSameRecords(read.records, [large], "large record");
        const tooLarge: RecordJson = { key: null, value: toBase64(random.bytes(1_100_000)), headers: [] };
        const refused = await client<ProduceAnswer>({
          command: "produce",
          bootstrap,
          topic: "kp-large",
          records: [tooLarge],
          config: { max_request_size: 3_000_000 },
        });
        const error = refused.deliveries[0]?.error;
        ok(error, "the oversized record was accepted");
        deepStrictEqual([error.name, error.errno, error.local ?? false], [
          "MessageSizeTooLargeError",
          10,
          false,
        ], error.str);
      },
    );
  } finally {
    await node.dispose();
  }
});
