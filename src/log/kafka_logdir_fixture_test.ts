/**
 * Opens a log directory written by Apache Kafka 2.7.1 (test/fixtures/kafka-2.7.1-logdir,
 * see its ORIGIN.txt): compacted `__consumer_offsets` partitions, producer
 * snapshots, and 104 index files left out on purpose, which must be rebuilt.
 */
import assert from "node:assert/strict";
import { DenoDisk } from "../io/mod.ts";
import { batchCrcIsValid, scanBatches } from "../protocol/mod.ts";
import { ManualClock } from "../io/sim/mod.ts";
import { readOffsetCheckpoint } from "./checkpoint_file.ts";
import { LogManager } from "./log_manager.ts";
import { decodeProducerSnapshot } from "./producer_snapshot.ts";

const FIXTURE = new URL("../../test/fixtures/kafka-2.7.1-logdir/kafka-logs", import.meta.url).pathname;

function filesUnder(root: string): string[] {
  const files: string[] = [];
  for (const entry of Deno.readDirSync(root)) {
    const path = `${root}/${entry.name}`;
    if (entry.isDirectory) files.push(...filesUnder(path));
    else files.push(path);
  }
  return files.sort();
}

function copyFixture(): string {
  const target = Deno.makeTempDirSync({ prefix: "dafka-kafka-2.7.1-" });
  for (const path of filesUnder(FIXTURE)) {
    const relative = path.slice(FIXTURE.length);
    Deno.mkdirSync(`${target}${relative.slice(0, relative.lastIndexOf("/"))}`, { recursive: true });
    Deno.writeFileSync(`${target}${relative}`, Deno.readFileSync(path));
  }
  return target;
}

/** The log end offsets Kafka's files imply (batches read by hand for ORIGIN.txt). */
const EXPECTED_LOG_END_OFFSETS = new Map([
  ["__consumer_offsets-8", 3],
  ["__consumer_offsets-17", 3],
  ["__consumer_offsets-28", 3],
  ["__consumer_offsets-33", 3],
  ["__consumer_offsets-39", 20],
  ["myTopic-0", 38],
  ["test_topic-0", 12],
  ["test_topic_0603-0", 9],
]);

Deno.test("every batch in the Kafka 2.7.1 segments is whole and passes its CRC", () => {
  let batches = 0;
  for (const path of filesUnder(FIXTURE).filter((name) => name.endsWith(".log"))) {
    const bytes = Deno.readFileSync(path);
    const { headers, end } = scanBatches(bytes);
    assert.equal(end, bytes.length, path);
    for (const header of headers) {
      assert.equal(header.magic, 2);
      assert.ok(batchCrcIsValid(bytes, header), `${path}@${header.position}`);
    }
    batches += headers.length;
  }
  assert.equal(batches, 15);
});

Deno.test("the Kafka 2.7.1 producer snapshots parse", () => {
  const snapshots = filesUnder(FIXTURE).filter((name) => name.endsWith(".snapshot"));
  assert.equal(snapshots.length, 9);
  for (const path of snapshots) decodeProducerSnapshot(Deno.readFileSync(path));
  const myTopic = decodeProducerSnapshot(
    Deno.readFileSync(`${FIXTURE}/myTopic-0/00000000000000000038.snapshot`),
  );
  assert.deepEqual(
    myTopic.map((entry) => [entry.producerId, entry.lastSequence, entry.lastOffset, entry.offsetDelta]),
    [
      [4001, 11, 11, 2],
      [4002, 11, 23, 11],
      [4003, 13, 37, 13],
    ],
  );
  assert.ok(myTopic.every((entry) => entry.producerEpoch === 0 && entry.currentTxnFirstOffset === -1));
});

Deno.test("a Kafka 2.7.1 log directory opens, recovers and reopens cleanly", async (t) => {
  const directory = copyFixture();
  const disk = new DenoDisk();
  const clock = new ManualClock(1_690_000_000_000);
  try {
    // Kafka wrote these index files; remove them so that the rebuilt ones can be compared byte for byte.
    const kafkaIndexes = new Map<string, Uint8Array>();
    for (const partition of [17, 28, 39]) {
      for (const suffix of [".index", ".timeindex"]) {
        const path = `${directory}/__consumer_offsets-${partition}/00000000000000000000${suffix}`;
        kafkaIndexes.set(path, Deno.readFileSync(path));
        Deno.removeSync(path);
      }
    }
    const manager = LogManager.open({ disk, clock, directory });
    assert.equal(manager.hadCleanShutdown, false);
    assert.deepEqual(manager.metaProperties(), {
      version: 0,
      clusterId: "d0053poFTbGwSWThjV1DEg",
      nodeId: 0,
      directoryId: null,
    });
    const partitions = manager.partitionsOnDisk();
    assert.equal(partitions.length, 53);

    await t.step("every partition loads with its batches unchanged", () => {
      for (const { topic, partition } of partitions) {
        const log = manager.open({ topic, partition });
        const name = `${topic}-${partition}`;
        assert.equal(log.logEndOffset, EXPECTED_LOG_END_OFFSETS.get(name) ?? 0, name);
        const original = filesUnder(`${directory}/${name}`).filter((path) => path.endsWith(".log"))
          .map((path) => Deno.readFileSync(path));
        const expected = original.flatMap((bytes) =>
          scanBatches(bytes).headers.map((header) => header.baseOffset)
        );
        const read: number[] = [];
        let offset = log.logStartOffset;
        while (offset < log.logEndOffset) {
          const bytes = log.read(offset, { maxBytes: 1 << 20, minOneBatch: true });
          const { headers } = scanBatches(bytes);
          assert.ok(headers.length > 0, `${name}@${offset}`);
          for (const header of headers) assert.ok(batchCrcIsValid(bytes, header));
          read.push(...headers.map((header) => header.baseOffset));
          offset = headers.at(-1)!.baseOffset + headers.at(-1)!.lastOffsetDelta + 1;
        }
        assert.deepEqual(read, expected, name);
      }
    });

    await t.step("missing index files are rebuilt as Kafka writes them", () => {
      for (const path of filesUnder(directory).filter((name) => name.endsWith(".log"))) {
        const base = path.slice(0, -".log".length);
        assert.ok(disk.exists(`${base}.index`), `${base}.index`);
        assert.ok(disk.exists(`${base}.timeindex`), `${base}.timeindex`);
      }
      const rebuilt = Deno.readFileSync(`${directory}/__consumer_offsets-28/00000000000000000002.timeindex`);
      assert.deepEqual([...rebuilt], [0, 0, 0x01, 0x82, 0xcc, 0x20, 0xa7, 0x26, 0, 0, 0, 0]);
      for (const [path, bytes] of kafkaIndexes) assert.deepEqual(Deno.readFileSync(path), bytes, path);
    });

    await t.step("a clean close writes the checkpoints and the marker; the reopen trusts them", () => {
      manager.closeAll(7);
      assert.equal(
        new TextDecoder().decode(Deno.readFileSync(`${directory}/.kafka_cleanshutdown`)),
        '{"version":0,"brokerEpoch":7}',
      );
      const recoveryPoints = readOffsetCheckpoint(disk, `${directory}/recovery-point-offset-checkpoint`);
      assert.equal(recoveryPoints.length, 53);
      const myTopic = recoveryPoints.find((entry) => entry.topic === "myTopic")!;
      assert.equal(myTopic.offset, 38);
      const reopened = LogManager.open({ disk, clock, directory });
      assert.equal(reopened.hadCleanShutdown, true);
      for (const [name, end] of EXPECTED_LOG_END_OFFSETS) {
        const dash = name.lastIndexOf("-");
        const log = reopened.open({ topic: name.slice(0, dash), partition: Number(name.slice(dash + 1)) });
        assert.equal(log.logEndOffset, end, name);
        assert.equal(log.recoveryPoint, end, name);
      }
      const identity = reopened.ensureMetaProperties({
        nodeId: 0,
        clusterId: "ignored",
        directoryId: "AAAAAAAAAAAAAAAAAAAAAQ",
      });
      assert.equal(identity.clusterId, "d0053poFTbGwSWThjV1DEg");
      assert.deepEqual(reopened.metaProperties(), {
        version: 1,
        clusterId: "d0053poFTbGwSWThjV1DEg",
        nodeId: 0,
        directoryId: "AAAAAAAAAAAAAAAAAAAAAQ",
      });
      reopened.closeAll();
    });
  } finally {
    Deno.removeSync(directory, { recursive: true });
  }
});
