/**
 * kafkajs 2.2.4 against a real Dafka node: its admin client (topics,
 * partitions, offsets, configs) and its producer (plain and idempotent, every
 * codec). Consumer groups are not served yet, so librdkafka reads the records
 * back with assign().
 *
 * kafkajs only ships gzip; snappy, lz4 and zstd are plugged in from Dafka's
 * own codecs. That is still a fair check, because the bytes are decompressed
 * by librdkafka's independent implementations when read back.
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import { Buffer } from "node:buffer";
import kafkajs from "kafkajs";
import {
  lz4Compress,
  lz4Decompress,
  snappyCompress,
  snappyDecompress,
  zstdCompress,
  zstdDecompress,
} from "../src/protocol/compression/mod.ts";
import { NodeProcess, waitFor } from "./support/node_process.ts";
import { runPythonClient } from "./support/python_client.ts";
import {
  assertConsecutiveOffsets,
  assertSameRecords,
  type RecordJson,
  SeededBytes,
  textBase64,
  toBase64,
} from "./support/record_json.ts";

// Deno leaves the resource and op sanitizers off unless asked (since 2.8): a connection, timer or child
// process this file's tests leave behind fails them.
Deno.test.sanitizer({ ops: true, resources: true });

const { Kafka, CompressionTypes, CompressionCodecs, ConfigResourceTypes, logLevel } = kafkajs;

/** Bound on one decompressed batch, as the broker's own decoders take. */
const MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

type Codec = (input: Uint8Array) => Uint8Array;
function plugCodec(type: number, compress: Codec, decompress: Codec): void {
  (CompressionCodecs as Record<number, unknown>)[type] = () => ({
    compress: (encoder: { buffer: Buffer }) => Promise.resolve(Buffer.from(compress(encoder.buffer))),
    decompress: (buffer: Buffer) => Promise.resolve(Buffer.from(decompress(buffer))),
  });
}
plugCodec(
  CompressionTypes.Snappy,
  snappyCompress,
  (input) => snappyDecompress(input, MAX_DECOMPRESSED_BYTES),
);
plugCodec(
  CompressionTypes.LZ4,
  (input) => lz4Compress(input),
  (input) => lz4Decompress(input, MAX_DECOMPRESSED_BYTES),
);
plugCodec(CompressionTypes.ZSTD, zstdCompress, (input) => zstdDecompress(input, MAX_DECOMPRESSED_BYTES));

const CODECS: [string, number][] = [
  ["none", CompressionTypes.None],
  ["gzip", CompressionTypes.GZIP],
  ["snappy", CompressionTypes.Snappy],
  ["lz4", CompressionTypes.LZ4],
  ["zstd", CompressionTypes.ZSTD],
];

interface KafkajsMessage {
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer>;
  timestamp: string;
  partition: number;
}

/** Messages with binary values, null keys and values, empty keys, headers and timestamps. */
function sampleMessages(count: number, seed: number, firstTimestampMs: number): KafkajsMessage[] {
  const random = new SeededBytes(seed);
  return Array.from({ length: count }, (_, index) => {
    const message: KafkajsMessage = {
      key: index % 7 === 3 ? null : index % 13 === 6 ? Buffer.alloc(0) : Buffer.from(`key-${index}`),
      value: index % 11 === 5 ? null : Buffer.from(random.bytes(random.int(200) + 1)),
      timestamp: `${firstTimestampMs + index * 1000}`,
      partition: 0,
    };
    if (index % 5 === 0) message.headers = { trace: Buffer.from(`t-${index}`), empty: Buffer.alloc(0) };
    return message;
  });
}

function asRecordJson(message: KafkajsMessage): RecordJson {
  const base64 = (bytes: Buffer | null) => (bytes === null ? null : toBase64(bytes));
  return {
    key: base64(message.key),
    value: base64(message.value),
    headers: Object.entries(message.headers ?? {}).map(([name, value]) => [name, toBase64(value)]),
    timestamp: Number(message.timestamp),
  };
}

function readBack(bootstrap: string, topic: string, partitions = [0]) {
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

Deno.test({
  name: "kafkajs admin and producer work against a Dafka node",
  async fn(t) {
    const node = await new NodeProcess().start();
    const bootstrap = node.bootstrap;
    const kafka = new Kafka({
      clientId: "dafka-kafkajs-test",
      brokers: [bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 3, initialRetryTime: 100 },
    });
    const admin = kafka.admin();
    const firstTimestampMs = Date.now() - 3600_000;
    try {
      await admin.connect();

      await t.step("createTopics with configs, then fetchTopicMetadata and listTopics", async () => {
        const created = await admin.createTopics({
          topics: [
            {
              topic: "kjs-admin",
              numPartitions: 2,
              configEntries: [{ name: "retention.ms", value: "3600000" }],
            },
            { topic: "kjs-doomed", numPartitions: 1 },
          ],
          waitForLeaders: true,
        });
        deepStrictEqual(created, true);
        // kafkajs answers false when every topic already exists.
        deepStrictEqual(await admin.createTopics({ topics: [{ topic: "kjs-admin" }] }), false);
        const metadata = await admin.fetchTopicMetadata({ topics: ["kjs-admin"] });
        const partitions = metadata.topics[0]!.partitions.sort((left, right) =>
          left.partitionId - right.partitionId
        );
        deepStrictEqual(partitions.map((partition) => partition.partitionId), [0, 1]);
        for (const partition of partitions) {
          ok(partition.leader >= 0, `partition ${partition.partitionId} has leader ${partition.leader}`);
          deepStrictEqual(partition.isr, [partition.leader]);
        }
        const topics = await admin.listTopics();
        ok(topics.includes("kjs-admin") && topics.includes("kjs-doomed"), topics.join(","));
      });

      await t.step("describeConfigs and alterConfigs on a topic", async () => {
        const describe = async () => {
          const described = await admin.describeConfigs({
            includeSynonyms: false,
            resources: [{ type: ConfigResourceTypes.TOPIC, name: "kjs-admin" }],
          });
          const resource = described.resources[0]!;
          deepStrictEqual(resource.errorCode, 0);
          return new Map(resource.configEntries.map((entry) => [entry.configName, entry.configValue]));
        };
        const before = await describe();
        deepStrictEqual(before.get("retention.ms"), "3600000");
        ok(before.has("cleanup.policy") && before.has("segment.bytes"), [...before.keys()].join(","));
        await admin.alterConfigs({
          validateOnly: false,
          resources: [{
            type: ConfigResourceTypes.TOPIC,
            name: "kjs-admin",
            configEntries: [{ name: "retention.ms", value: "7200000" }],
          }],
        });
        deepStrictEqual((await describe()).get("retention.ms"), "7200000");
      });

      await t.step("describeConfigs on the broker", async () => {
        const metadata = await admin.fetchTopicMetadata({ topics: ["kjs-admin"] });
        const brokerId = metadata.topics[0]!.partitions[0]!.leader;
        const described = await admin.describeConfigs({
          includeSynonyms: false,
          resources: [{ type: ConfigResourceTypes.BROKER, name: `${brokerId}` }],
        });
        const entries = new Map(
          described.resources[0]!.configEntries.map((entry) => [entry.configName, entry]),
        );
        ok(entries.has("log.dirs") || entries.has("log.dir"), [...entries.keys()].join(","));
        ok(entries.has("message.max.bytes"));
      });

      await t.step("createPartitions grows a topic", async () => {
        await admin.createPartitions({ topicPartitions: [{ topic: "kjs-admin", count: 4 }] });
        const metadata = await admin.fetchTopicMetadata({ topics: ["kjs-admin"] });
        deepStrictEqual(metadata.topics[0]!.partitions.length, 4);
      });

      await t.step("deleteTopics removes a topic", async () => {
        await admin.deleteTopics({ topics: ["kjs-doomed"], timeout: 10000 });
        await waitFor(
          async () => !(await admin.listTopics()).includes("kjs-doomed"),
          10000,
          "kjs-doomed to go",
        );
      });

      for (const [codecIndex, [codec, type]] of CODECS.entries()) {
        await t.step(`idempotent producer with ${codec}: records read back by librdkafka`, async () => {
          const topic = `kjs-${codec}`;
          await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
          const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
          await producer.connect();
          const messages = sampleMessages(100, 40 + codecIndex, firstTimestampMs);
          try {
            for (let start = 0; start < messages.length; start += 25) {
              const metadata = await producer.send({
                topic,
                acks: -1,
                compression: type,
                messages: messages.slice(start, start + 25),
              });
              deepStrictEqual(metadata.map((item) => [item.partition, item.errorCode, item.baseOffset]), [[
                0,
                0,
                `${start}`,
              ]]);
            }
          } finally {
            await producer.disconnect();
          }
          const read = await readBack(bootstrap, topic);
          ok(!read.exception, read.exception ?? "");
          assertSameRecords(read.records, messages.map(asRecordJson), codec);
          assertConsecutiveOffsets(read.records, 0, codec);
        });
      }

      await t.step("fetchTopicOffsets and fetchTopicOffsetsByTimestamp", async () => {
        const offsets = await admin.fetchTopicOffsets("kjs-none");
        deepStrictEqual(offsets.map((item) => [item.partition, item.low, item.high]), [[0, "0", "100"]]);
        const at = async (timestamp: number) =>
          (await admin.fetchTopicOffsetsByTimestamp("kjs-none", timestamp)).map((item) => item.offset);
        deepStrictEqual(await at(firstTimestampMs - 1), ["0"]);
        deepStrictEqual(await at(firstTimestampMs + 37_000), ["37"]);
        deepStrictEqual(await at(firstTimestampMs + 37_001), ["38"]);
        // No record that late: kafkajs falls back to the high watermark.
        deepStrictEqual(await at(firstTimestampMs + 500_000), ["100"]);
      });

      await t.step(
        "a plain producer auto-creates a topic and spreads keyed records over partitions",
        async () => {
          const producer = kafka.producer({ allowAutoTopicCreation: true });
          await producer.connect();
          try {
            const metadata = await producer.send({
              topic: "kjs-auto",
              acks: 1,
              messages: [{ key: "k", value: "auto-created" }],
            });
            deepStrictEqual(metadata[0]!.errorCode, 0);
            const spread = await producer.sendBatch({
              acks: -1,
              compression: CompressionTypes.GZIP,
              topicMessages: [{
                topic: "kjs-admin",
                messages: Array.from(
                  { length: 40 },
                  (_, index) => ({ key: `k${index}`, value: `v${index}` }),
                ),
              }],
            });
            ok(spread.every((item) => item.errorCode === 0), JSON.stringify(spread));
          } finally {
            await producer.disconnect();
          }
          const auto = await readBack(bootstrap, "kjs-auto");
          assertSameRecords(auto.records, [{
            key: textBase64("k"),
            value: textBase64("auto-created"),
            headers: [],
          }]);
          const all = await readBack(bootstrap, "kjs-admin", [0, 1, 2, 3]);
          deepStrictEqual(
            all.records.map((record) => atob(record.value!)).sort(),
            Array.from({ length: 40 }, (_, index) => `v${index}`).sort(),
          );
        },
      );

      await t.step("a record above message.max.bytes is refused with MESSAGE_TOO_LARGE", async () => {
        const producer = kafka.producer({ retry: { retries: 0 } });
        await producer.connect();
        try {
          const error = await producer.send({
            topic: "kjs-none",
            acks: -1,
            messages: [{ value: Buffer.from(new SeededBytes(5).bytes(1_100_000)) }],
          }).then(() => null, (caught: { type?: string; name?: string }) => caught);
          ok(error, "the oversized record was accepted");
          deepStrictEqual(error.type, "MESSAGE_TOO_LARGE", JSON.stringify(error));
        } finally {
          await producer.disconnect();
        }
      });
    } finally {
      await admin.disconnect().catch(() => {});
      await node.dispose();
    }
  },
});
