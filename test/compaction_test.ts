/**
 * Log compaction on a real Dafka node: a topic with cleanup.policy=compact,
 * small segments and a low dirty ratio is fed many updates of a few keys by
 * kafkajs (every codec kafkajs ships or is given), the node's cleaner
 * compacts it in the background, and librdkafka (kcat) reads back the latest
 * value of every key at the offset it was produced at. Records without a key
 * are refused with INVALID_RECORD and KIP-467 record errors. The group
 * coordinator's `__consumer_offsets` is compacted the same way.
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { Buffer } from "node:buffer";
import kafkajs from "kafkajs";
import { zstdCompress, zstdDecompress } from "../src/protocol/compression/mod.ts";
import { ErrorCode } from "../src/protocol/mod.ts";
import { connectClient, createTopics, fetchAll, produceBatch } from "./support/raw_kafka.ts";
import { NodeProcess, run, waitFor } from "./support/node_process.ts";

// Deno leaves the resource and op sanitizers off unless asked (since 2.8): a connection, timer or child
// process this file's tests leave behind fails them.
Deno.test.sanitizer({ ops: true, resources: true });

const { Kafka, CompressionTypes, CompressionCodecs, logLevel } = kafkajs;
(CompressionCodecs as Record<number, unknown>)[CompressionTypes.ZSTD] = () => ({
  compress: (encoder: { buffer: Buffer }) => Promise.resolve(Buffer.from(zstdCompress(encoder.buffer))),
  decompress: (buffer: Buffer) => Promise.resolve(Buffer.from(zstdDecompress(buffer, 64 * 1024 * 1024))),
});

const TOPIC = "compacted";
const KEYS = 12;
const ROUNDS = 8;
const UPDATES_PER_ROUND = 60;
const SEGMENT_MS = 60_000;
/**
 * Kafka rolls a segment on time by the records' own timestamps (the new batch's
 * against the segment's first), not by the broker's clock. Each round is stamped
 * one segment.ms after the previous one, so its first append rolls a new segment
 * however fast or slow the machine is, and no test time passes waiting for it.
 */
const ROUND_SPAN_MS = SEGMENT_MS + 1;

interface KcatMessage {
  offset: number;
  key: string | null;
  payload: string | null;
}

async function consumeWithKcat(bootstrap: string, topic: string): Promise<KcatMessage[]> {
  const output = await run("kcat", [
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
    "-J",
    "-q",
  ], {
    timeoutMs: 30000,
  });
  return output.split("\n").filter((line) => line.trim() !== "").map((line) =>
    JSON.parse(line) as KcatMessage
  );
}

Deno.test({
  name: "a compacted topic keeps the latest value of every key and refuses records without a key",
  async fn(t) {
    const node = await new NodeProcess({ overrides: { "log.cleaner.backoff.ms": "100" } }).start();
    const client = await connectClient(node.port);
    const kafka = new Kafka({
      clientId: "dafka-compaction-test",
      brokers: [node.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 2, initialRetryTime: 100 },
    });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    try {
      const created = await createTopics(client, [{
        name: TOPIC,
        configs: {
          "cleanup.policy": "compact",
          "segment.bytes": "8192",
          "segment.ms": `${SEGMENT_MS}`,
          "min.cleanable.dirty.ratio": "0.01",
        },
      }]);
      equal(created.get(TOPIC), 0);
      await producer.connect();
      /** The latest value produced for each key, and the offset it was produced at. */
      const latest = new Map<string, { value: string | null; offset: number }>();
      let produced = 0;

      await t.step(
        "kafkajs produces many updates of a few keys, in every codec, over several segments",
        async () => {
          const codecs = [CompressionTypes.None, CompressionTypes.GZIP, CompressionTypes.ZSTD];
          // In the past, so that no stamp is ahead of the broker's clock (message.timestamp.after.max.ms).
          const firstTimestampMs = Date.now() - (ROUNDS + 1) * ROUND_SPAN_MS;
          for (let round = 0; round < ROUNDS; round++) {
            const timestamp = `${firstTimestampMs + round * ROUND_SPAN_MS}`;
            for (let batch = 0; batch < UPDATES_PER_ROUND / 10; batch++) {
              const messages = Array.from({ length: 10 }, (_, index) => {
                const update = round * UPDATES_PER_ROUND + batch * 10 + index;
                const key = `key-${update % KEYS}`;
                // Some keys end deleted: their last update is a tombstone.
                const tombstone = round === ROUNDS - 1 && update % KEYS < 2;
                return { key, value: tombstone ? null : `value-${update}-${"v".repeat(update % 90)}` };
              });
              const [result] = await producer.send({
                topic: TOPIC,
                compression: codecs[(round + batch) % codecs.length],
                messages: messages.map((message) => ({
                  key: message.key,
                  value: message.value,
                  partition: 0,
                  timestamp,
                })),
              });
              const baseOffset = Number(result!.baseOffset);
              messages.forEach((message, index) => {
                latest.set(message.key, { value: message.value, offset: baseOffset + index });
              });
              produced += messages.length;
            }
          }
          // One last record, stamped a round later, alone in the active segment: everything before it can be
          // cleaned.
          const [last] = await producer.send({
            topic: TOPIC,
            messages: [{
              key: "sentinel",
              value: "end",
              partition: 0,
              timestamp: `${firstTimestampMs + ROUNDS * ROUND_SPAN_MS}`,
            }],
          });
          latest.set("sentinel", { value: "end", offset: Number(last!.baseOffset) });
          produced++;
        },
      );

      await t.step("the node's cleaner compacts the log in the background (bounded wait)", async () => {
        await waitFor(
          async () => {
            const { records } = await fetchAll(client, TOPIC);
            const keys = records.map((record) => record.key);
            return records.length === new Set(keys).size;
          },
          30000,
          "compaction to leave one record per key",
        );
      });

      await t.step("kcat reads the latest value of every key at its original offset", async () => {
        const messages = await consumeWithKcat(node.bootstrap, TOPIC);
        ok(messages.length < produced / 10, `${messages.length} of ${produced} records left`);
        deepStrictEqual(
          new Map(
            messages.map((message) => [message.key!, { value: message.payload, offset: message.offset }]),
          ),
          latest,
        );
        for (let index = 1; index < messages.length; index++) {
          ok(messages[index]!.offset > messages[index - 1]!.offset);
        }
      });

      await t.step("records without a key are refused with KIP-467 record errors", async () => {
        const encoder = new TextEncoder();
        const response = await produceBatch(client, {
          topic: TOPIC,
          records: [
            { timestamp: Date.now(), key: encoder.encode("a"), value: encoder.encode("1") },
            { timestamp: Date.now(), key: null, value: encoder.encode("2") },
            { timestamp: Date.now(), key: encoder.encode("b"), value: encoder.encode("3") },
            { timestamp: Date.now(), key: null, value: encoder.encode("4") },
          ],
        });
        equal(response.errorCode, ErrorCode.INVALID_RECORD);
        const recordErrors = response.recordErrors as {
          batchIndex: number;
          batchIndexErrorMessage: string;
        }[];
        deepStrictEqual(recordErrors.map((error) => error.batchIndex), [1, 3]);
        ok(recordErrors[0]!.batchIndexErrorMessage.includes("without key"));
        let refused: unknown = null;
        try {
          await producer.send({ topic: TOPIC, messages: [{ key: null, value: "no key", partition: 0 }] });
        } catch (error) {
          refused = error;
        }
        ok(refused !== null, "kafkajs saw its keyless record refused");
        ok(String((refused as { type?: string }).type ?? refused).includes("INVALID_RECORD"), `${refused}`);
        const { records } = await fetchAll(client, TOPIC);
        ok(
          !records.some((record) => record.key === null || record.value === "no key"),
          "nothing was appended",
        );
      });
    } finally {
      await producer.disconnect().catch(() => {});
      client.close();
      await node.dispose();
    }
  },
});

Deno.test({
  name: "__consumer_offsets is compacted and still gives every group its latest committed offsets",
  async fn() {
    const node = new NodeProcess({
      overrides: {
        "log.cleaner.backoff.ms": "100",
        "offsets.topic.num.partitions": "1",
        "offsets.topic.segment.bytes": "2048",
      },
    });
    await node.start();
    let client = await connectClient(node.port);
    const committedOffset = async () => {
      const response = await client.request(9, 7, {
        groupId: "compacted-group",
        topics: [{ name: "committed", partitionIndexes: [0] }],
        requireStable: false,
      });
      const topic = response.topics[0]!;
      return (topic.partitions[0]!).committedOffset;
    };
    try {
      equal((await createTopics(client, [{ name: "committed" }])).get("committed"), 0);
      await waitFor(
        async () => {
          const found = await client.request(10, 2, { key: "compacted-group", keyType: 0 });
          return found.errorCode === 0;
        },
        10000,
        "the group coordinator",
      );
      for (let offset = 0; offset < 300; offset++) {
        const response = await client.request(8, 7, {
          groupId: "compacted-group",
          generationIdOrMemberEpoch: -1,
          memberId: "",
          groupInstanceId: null,
          topics: [{
            name: "committed",
            partitions: [{
              partitionIndex: 0,
              committedOffset: offset,
              committedLeaderEpoch: -1,
              committedMetadata: "",
            }],
          }],
        });
        const partition = response.topics[0]!.partitions[0]!;
        equal(partition.errorCode, 0);
      }
      await waitFor(
        async () => {
          const { records } = await fetchAll(client, "__consumer_offsets");
          return records.length < 40;
        },
        30000,
        "__consumer_offsets to be compacted",
      );
      equal(await committedOffset(), 299);
      client.close();
      await node.stop();
      await node.start();
      client = await connectClient(node.port);
      await waitFor(async () => (await committedOffset()) === 299, 10000, "the reloaded committed offset");
    } finally {
      client.close();
      await node.dispose();
    }
  },
});
