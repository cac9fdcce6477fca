/**
 * confluent-kafka-python (librdkafka) against a real Dafka node: admin topic
 * creation, auto-creation, every codec with the idempotent producer, reading
 * back by offset and by timestamp, and the message size limit.
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

const SCRIPT = "confluent_client.py";
const CODECS = ["none", "gzip", "snappy", "lz4", "zstd"] as const;

interface KafkaErrorJson {
  code: number;
  name: string;
  str: string;
  local?: boolean;
}
interface Delivery {
  error: KafkaErrorJson | null;
  partition: number | null;
  offset: number | null;
}
interface ProduceAnswer {
  deliveries: Delivery[];
  undelivered: number;
  exception?: string;
}
interface ConsumeAnswer {
  records: RecordJson[];
  errors: KafkaErrorJson[];
  complete: boolean;
  exception?: string;
}
interface TopicMetadata {
  error: KafkaErrorJson | null;
  partitions: { id: number; leader: number; replicas: number[]; isrs: number[] }[];
}

function client<T>(request: Record<string, unknown>): Promise<T> {
  return runPythonClient<T & { exception?: string }>(SCRIPT, request).then((answer) => {
    if (answer.exception) throw new Error(`${SCRIPT} ${request.command}: ${answer.exception}`);
    return answer;
  });
}

function produce(
  bootstrap: string,
  topic: string,
  records: RecordJson[],
  config: Record<string, unknown> = {},
) {
  return client<ProduceAnswer>({ command: "produce", bootstrap, topic, records, config });
}

function consume(bootstrap: string, topic: string, options: Record<string, unknown> = {}) {
  return client<ConsumeAnswer>({ command: "consume", bootstrap, topic, ...options });
}

function assertDelivered(answer: ProduceAnswer, firstOffset: number, what: string): void {
  deepStrictEqual(answer.undelivered, 0, `${what}: undelivered messages`);
  const errors = answer.deliveries.filter((delivery) => delivery?.error);
  deepStrictEqual(errors, [], `${what}: delivery errors`);
  deepStrictEqual(
    answer.deliveries.map((delivery) => delivery.offset),
    answer.deliveries.map((_, index) => firstOffset + index),
    `${what}: delivered offsets`,
  );
}

async function createTopic(
  bootstrap: string,
  name: string,
  partitions = 1,
  config: Record<string, string> = {},
) {
  const answer = await client<{ results: Record<string, KafkaErrorJson | null> }>({
    command: "create_topics",
    bootstrap,
    topics: [{ name, partitions, config }],
  });
  deepStrictEqual(answer.results[name], null, `create ${name}`);
}

Deno.test("confluent_kafka (librdkafka 2.0) works against a Dafka node", async (t) => {
  const node = await new NodeProcess().start();
  const bootstrap = node.bootstrap;
  const firstTimestampMs = Date.now() - 3600_000;
  try {
    await t.step("CreateTopics creates partitions that Metadata then lists, led by this node", async () => {
      await createTopic(bootstrap, "cf-created", 3);
      const metadata = await client<
        { brokers: { id: number; port: number }[]; topics: Record<string, TopicMetadata> }
      >(
        { command: "metadata", bootstrap, topic: "cf-created" },
      );
      deepStrictEqual(metadata.brokers.length, 1);
      deepStrictEqual(metadata.brokers[0]!.port, node.port);
      const topic = metadata.topics["cf-created"]!;
      deepStrictEqual(topic.error, null);
      deepStrictEqual(topic.partitions.map((partition) => partition.id), [0, 1, 2]);
      for (const partition of topic.partitions) deepStrictEqual(partition.leader, metadata.brokers[0]!.id);
      const again = await client<{ results: Record<string, KafkaErrorJson | null> }>({
        command: "create_topics",
        bootstrap,
        topics: [{ name: "cf-created", partitions: 1 }],
      });
      deepStrictEqual(again.results["cf-created"]?.name, "TOPIC_ALREADY_EXISTS");
    });

    await t.step("a producer's Metadata request auto-creates a missing topic", async () => {
      const records: RecordJson[] = [{ key: textBase64("k"), value: textBase64("auto"), headers: [] }];
      assertDelivered(await produce(bootstrap, "cf-auto-created", records), 0, "auto-created topic");
      const read = await consume(bootstrap, "cf-auto-created");
      assertSameRecords(read.records, records);
    });

    for (const [index, codec] of CODECS.entries()) {
      await t.step(
        `idempotent producer with ${codec} round-trips keys, nulls, headers and timestamps`,
        async () => {
          const topic = `cf-codec-${codec}`;
          await createTopic(bootstrap, topic);
          const records = sampleRecords({ count: 200, seed: index + 1, firstTimestampMs });
          const produced = await produce(bootstrap, topic, records, {
            "compression.type": codec,
            "enable.idempotence": true,
            "acks": "all",
          });
          assertDelivered(produced, 0, codec);
          const read = await consume(bootstrap, topic);
          deepStrictEqual(read.errors, []);
          assertSameRecords(read.records, records, codec);
          assertConsecutiveOffsets(read.records, 0, codec);
          const tail = await consume(bootstrap, topic, { offset: 150 });
          assertSameRecords(tail.records, records.slice(150), `${codec} from offset 150`);
          assertConsecutiveOffsets(tail.records, 150, `${codec} from offset 150`);
        },
      );
    }

    await t.step("records spread over partitions come back per partition in order", async () => {
      const records = sampleRecords({ count: 60, seed: 99, firstTimestampMs }).map((record, index) => ({
        ...record,
        partition: index % 3,
      }));
      const produced = await produce(bootstrap, "cf-created", records, { "enable.idempotence": true });
      deepStrictEqual(produced.deliveries.filter((delivery) => delivery.error), []);
      const read = await consume(bootstrap, "cf-created", { partitions: [0, 1, 2] });
      for (const partition of [0, 1, 2]) {
        const fromPartition = read.records.filter((record) => record.partition === partition);
        assertSameRecords(fromPartition, records.filter((record) => record.partition === partition));
        assertConsecutiveOffsets(fromPartition, 0, `partition ${partition}`);
      }
    });

    await t.step("offsets_for_times (ListOffsets by timestamp) and watermarks", async () => {
      const topic = "cf-codec-none";
      const timestamps = [
        firstTimestampMs - 1,
        firstTimestampMs,
        firstTimestampMs + 42 * 1000,
        firstTimestampMs + 42 * 1000 - 500,
        firstTimestampMs + 199 * 1000,
        firstTimestampMs + 200 * 1000,
      ];
      const answer = await client<{ offsets: { offset: number; error: KafkaErrorJson | null }[] }>({
        command: "offsets_for_times",
        bootstrap,
        topic,
        timestamps,
      });
      // librdkafka reports "no such record" as OFFSET_END (-1).
      deepStrictEqual(answer.offsets.map((found) => found.offset), [0, 0, 42, 42, 199, -1]);
      const marks = await client<{ low: number; high: number }>({ command: "watermarks", bootstrap, topic });
      deepStrictEqual(marks, { low: 0, high: 200 });
    });

    await t.step("a record near message.max.bytes is stored and read back whole", async () => {
      const random = new SeededBytes(7);
      const records: RecordJson[] = [
        {
          key: textBase64("big"),
          value: toBase64(random.bytes(1_000_000)),
          headers: [["h", textBase64("v")]],
        },
        { key: textBase64("after"), value: textBase64("small"), headers: [] },
      ];
      const produced = await produce(bootstrap, "cf-large", records, {
        "message.max.bytes": 2_000_000,
        "batch.size": 2_000_000,
      });
      assertDelivered(produced, 0, "large record");
      const read = await consume(bootstrap, "cf-large");
      assertSameRecords(read.records, records, "large record");
    });

    await t.step("a record above message.max.bytes gets MESSAGE_TOO_LARGE from the broker", async () => {
      const random = new SeededBytes(8);
      const tooLarge: RecordJson = { key: null, value: toBase64(random.bytes(1_100_000)), headers: [] };
      // The client's own limit is raised so that the broker, not librdkafka, refuses the record.
      const produced = await produce(bootstrap, "cf-too-large", [tooLarge], {
        "message.max.bytes": 3_000_000,
        "batch.size": 3_000_000,
        "retries": 0,
      });
      const error = produced.deliveries[0]?.error;
      ok(error, "the oversized record was accepted");
      deepStrictEqual([error.name, error.local ?? false], ["MSG_SIZE_TOO_LARGE", false], error.str);
    });

    await t.step("a topic's max.message.bytes limits its records", async () => {
      await createTopic(bootstrap, "cf-topic-limit", 1, { "max.message.bytes": "100000" });
      const random = new SeededBytes(9);
      const fits: RecordJson = { key: null, value: toBase64(random.bytes(90_000)), headers: [] };
      const tooLarge: RecordJson = { key: null, value: toBase64(random.bytes(120_000)), headers: [] };
      assertDelivered(await produce(bootstrap, "cf-topic-limit", [fits]), 0, "record under the topic limit");
      const refused = await produce(bootstrap, "cf-topic-limit", [tooLarge], { "retries": 0 });
      deepStrictEqual(refused.deliveries[0]?.error?.name, "MSG_SIZE_TOO_LARGE");
      const read = await consume(bootstrap, "cf-topic-limit");
      assertSameRecords(read.records, [fits]);
    });
  } finally {
    await node.dispose();
  }
});
