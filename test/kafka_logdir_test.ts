/**
 * Starting Dafka on a copy of a log directory written by Kafka 2.7.1
 * (ZooKeeper mode): every topic is adopted from its partition folders, every
 * batch is served byte for byte at its original offset, and the offsets that
 * retention had moved stay where Kafka left them.
 */
import assert from "node:assert/strict";
import { decodeBatches, type ResponseOf, scanBatches } from "../src/protocol/mod.ts";
import type { fetchApi } from "../src/protocol/messages/mod.ts";

type FetchedPartition = ResponseOf<typeof fetchApi>["responses"][number]["partitions"][number];
import { NodeProcess, run } from "./support/node_process.ts";
import { connectClient } from "./support/raw_kafka.ts";
import type { KafkaClient } from "../sim/clients/kafka_client.ts";

const FIXTURE = new URL("./fixtures/kafka-2.7.1-logdir/kafka-logs/", import.meta.url).pathname;

function copyDirectory(from: string, to: string): void {
  Deno.mkdirSync(to, { recursive: true });
  for (const entry of Deno.readDirSync(from)) {
    if (entry.isDirectory) copyDirectory(`${from}/${entry.name}`, `${to}/${entry.name}`);
    else Deno.copyFileSync(`${from}/${entry.name}`, `${to}/${entry.name}`);
  }
}

/** The bytes of every segment of a partition folder, in offset order: Kafka stores batches back to back. */
function segmentBytes(folder: string): Uint8Array {
  const names = [...Deno.readDirSync(folder)].map((entry) => entry.name).filter((name) =>
    name.endsWith(".log")
  ).sort();
  const parts = names.map((name) => Deno.readFileSync(`${folder}/${name}`));
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

async function fetchRaw(
  client: KafkaClient,
  topic: string,
  partition: number,
  fetchOffset: number,
): Promise<FetchedPartition> {
  const response = await client.request(1, 12, {
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 64 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition, fetchOffset, partitionMaxBytes: 64 << 20 }] }],
    forgottenTopicsData: [],
    rackId: "",
  });
  return response.responses[0]!.partitions[0]!;
}

/** Every batch from offset 0 to the high watermark; like Kafka, one fetch reads from one segment only. */
async function fetchAllRaw(client: KafkaClient, topic: string, partition: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let next = 0;
  for (let round = 0; round < 100; round++) {
    const served = await fetchRaw(client, topic, partition, next);
    assert.equal(served.errorCode, 0);
    if (next >= served.highWatermark) break;
    const bytes = served.records as Uint8Array;
    assert.ok(bytes.length > 0, `no progress at ${next}`);
    parts.push(bytes);
    for (const header of scanBatches(bytes).headers) next = header.baseOffset + header.lastOffsetDelta + 1;
  }
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

Deno.test("a Kafka 2.7.1 log directory is adopted and served byte for byte", async () => {
  const logDir = Deno.makeTempDirSync({ prefix: "dafka-kafka-logdir-" });
  copyDirectory(FIXTURE, logDir);
  const node = await new NodeProcess({ logDir, overrides: { "node.id": "0" } }).start();
  const client = await connectClient(node.port);
  try {
    const metadata = await client.request(3, 12, { topics: null, allowAutoTopicCreation: false });
    const topics = new Map(
      metadata.topics.map((topic) => [topic.name, topic.partitions.length]),
    );
    assert.deepEqual(
      Object.fromEntries(topics),
      { "__consumer_offsets": 50, "myTopic": 1, "test_topic": 1, "test_topic_0603": 1 },
    );
    assert.equal(
      metadata.clusterId,
      "d0053poFTbGwSWThjV1DEg",
      "the cluster id comes from Kafka's meta.properties",
    );
    const offsets = await client.request(2, 7, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: "myTopic", partitions: [{ partitionIndex: 0, timestamp: -2 }] }, {
        name: "test_topic",
        partitions: [{ partitionIndex: 0, timestamp: -1 }],
      }],
    });
    const earliestMyTopic = offsets.topics[0]!.partitions[0]!.offset;
    assert.equal(earliestMyTopic, 38, "retention had moved myTopic's start to 38");
    assert.equal(offsets.topics[1]!.partitions[0]!.offset, 12);
    const below = await fetchRaw(client, "myTopic", 0, 0);
    assert.equal(below.errorCode, 1, "a fetch below the log start is OFFSET_OUT_OF_RANGE");

    let compared = 0;
    for (let partition = 0; partition < 50; partition++) {
      const expected = segmentBytes(`${FIXTURE}/__consumer_offsets-${partition}`);
      if (expected.length === 0) continue;
      const served = await fetchAllRaw(client, "__consumer_offsets", partition);
      assert.deepEqual(served, expected, `__consumer_offsets-${partition} differs from Kafka's bytes`);
      compared++;
      // A real client reads the same records: every offset Kafka wrote, with its key and timestamp.
      const expectedRecords = decodeBatches(expected).flatMap((batch) => batch.records);
      const lines = (await run("kcat", [
        "-C",
        "-b",
        node.bootstrap,
        "-t",
        "__consumer_offsets",
        "-p",
        String(partition),
        "-o",
        "beginning",
        "-e",
        "-q",
        "-X",
        "isolation.level=read_uncommitted",
        "-f",
        "%o %T %K\\n",
      ])).trim().split("\n");
      assert.deepEqual(
        lines,
        expectedRecords.map((record) => `${record.offset} ${record.timestamp} ${record.key?.length ?? -1}`),
        `kcat's view of __consumer_offsets-${partition}`,
      );
    }
    assert.ok(compared >= 5, `only ${compared} non-empty partitions compared`);
  } finally {
    client.close();
    await node.dispose();
  }
});
