/**
 * DeleteRecords, retention and disk errors through the wire, on a node
 * running in the simulator (virtual time, so retention checks and delayed
 * file removals happen at once).
 */
import assert from "node:assert/strict";
import { DiskFaultClient } from "../../../../sim/scenarios/disk/disk_client.ts";
import { SimCluster } from "../../../io/sim/mod.ts";
import { BrokerConfig } from "../../../config/mod.ts";
import { Compression, ErrorCode } from "../../../protocol/mod.ts";
import { startNode } from "../../node.ts";

const LOG_DIRECTORY = "/kafka-logs";

async function setUp(settings: [string, string][] = []) {
  const cluster = new SimCluster({ seed: 42 });
  const config = new BrokerConfig(
    new Map([
      ["node.id", "1"],
      ["process.roles", "broker,controller"],
      ["listeners", "PLAINTEXT://node:9092"],
      ["log.dirs", LOG_DIRECTORY],
      ["log.segment.bytes", "1024"],
      ["log.retention.check.interval.ms", "100"],
      ["log.segment.delete.delay.ms", "1000"],
      ["auto.create.topics.enable", "false"],
      ...settings,
    ]),
  );
  const node = await cluster.scheduler.runUntilSettled(startNode(cluster.start("node"), config), {
    maxVirtualMs: 10_000,
  });
  const client = new DiskFaultClient(cluster, cluster.start("client"), { host: "node", port: 9092 });
  const disk = cluster.host("node").disk;
  /** Produces `batches` batches of 5 records of 50 bytes to `topic`-`partition`. */
  const produce = async (topic: string, partition: number, batches: number) => {
    for (let index = 0; index < batches; index++) {
      const answer = await client.produce(topic, partition, Array(5).fill("x".repeat(50)), Compression.None);
      assert.equal(answer?.errorCode, ErrorCode.NONE);
    }
  };
  const files = (folder: string, suffix: string) =>
    disk.view(null).list(`${LOG_DIRECTORY}/${folder}`).filter((name) => name.endsWith(suffix));
  return { cluster, node, client, disk, produce, files };
}

Deno.test("DeleteRecords moves the log start; the retention check deletes the segments below it", async () => {
  const { cluster, node, client, produce, files } = await setUp();
  assert.equal(await client.createTopic("events", 1, []), ErrorCode.NONE);
  await produce("events", 0, 20);
  const segments = files("events-0", ".log").length;
  assert.ok(segments >= 3, `${segments} segments`);
  const moved = await client.deleteRecords("events", 0, 42);
  assert.deepEqual(moved, { errorCode: ErrorCode.NONE, lowWatermark: 42 });
  assert.deepEqual(await client.listOffset("events", 0, -2), { errorCode: ErrorCode.NONE, offset: 42 });
  assert.equal((await client.fetch("events", 0, 41))?.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
  const first = await client.fetch("events", 0, 42);
  assert.equal(first?.errorCode, ErrorCode.NONE);
  assert.equal(first?.records.find((record) => record.offset >= 42)?.offset, 42);
  const checkpoint = new TextDecoder().decode(
    cluster.host("node").disk.view(null).readFile(`${LOG_DIRECTORY}/log-start-offset-checkpoint`)!,
  );
  assert.match(checkpoint, /^events 0 42$/m, "the new start is checkpointed at once");
  await cluster.scheduler.runFor(150);
  assert.ok(files("events-0", ".log").length < segments, "the retention check deleted the segments below 42");
  assert.ok(files("events-0", ".log.deleted").length > 0, "renamed first");
  await cluster.scheduler.runFor(1000);
  assert.deepEqual(files("events-0", ".deleted"), [], "and removed after log.segment.delete.delay.ms");
  // v0 and v1 (the same fields as v2, not flexible).
  assert.deepEqual(await client.deleteRecords("events", 0, 10, 0), {
    errorCode: ErrorCode.NONE,
    lowWatermark: 42,
  });
  assert.deepEqual(await client.deleteRecords("events", 0, 50, 1), {
    errorCode: ErrorCode.NONE,
    lowWatermark: 50,
  });
  assert.deepEqual(await client.deleteRecords("events", 0, -1), {
    errorCode: ErrorCode.NONE,
    lowWatermark: 100,
  });
  assert.equal((await client.deleteRecords("events", 0, 101))?.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
  await cluster.scheduler.runUntilSettled(node.close(), { maxVirtualMs: 10_000 });
});

Deno.test("DeleteRecords refuses unknown partitions, internal topics and compacted topics", async () => {
  const { cluster, node, client } = await setUp();
  assert.equal(await client.createTopic("kept", 1, [["cleanup.policy", "compact"]]), ErrorCode.NONE);
  assert.equal(await client.createTopic("both", 1, [["cleanup.policy", "compact,delete"]]), ErrorCode.NONE);
  assert.equal(
    (await client.deleteRecords("missing", 0, 0))?.errorCode,
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  );
  assert.equal((await client.deleteRecords("kept", 3, 0))?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  assert.equal(
    (await client.deleteRecords("__consumer_offsets", 0, 0))?.errorCode,
    ErrorCode.INVALID_TOPIC_EXCEPTION,
  );
  assert.equal((await client.deleteRecords("kept", 0, 0))?.errorCode, ErrorCode.POLICY_VIOLATION);
  assert.equal((await client.deleteRecords("both", 0, 0))?.errorCode, ErrorCode.NONE);
  await cluster.scheduler.runUntilSettled(node.close(), { maxVirtualMs: 10_000 });
});

Deno.test("retention.ms and retention.bytes move the earliest offset as time passes", async () => {
  const { cluster, node, client, produce } = await setUp();
  assert.equal(await client.createTopic("timed", 1, [["retention.ms", "5000"]]), ErrorCode.NONE);
  assert.equal(await client.createTopic("sized", 1, [["retention.bytes", "2048"]]), ErrorCode.NONE);
  await produce("timed", 0, 20);
  await produce("sized", 0, 20);
  await cluster.scheduler.runFor(200);
  const sized = await client.listOffset("sized", 0, -2);
  assert.ok(sized !== null && sized.offset > 0, `retention.bytes moved the start to ${sized?.offset}`);
  assert.equal((await client.listOffset("timed", 0, -2))?.offset, 0, "young records stay");
  await cluster.scheduler.runFor(6000);
  const timed = await client.listOffset("timed", 0, -2);
  assert.deepEqual(
    timed,
    { errorCode: ErrorCode.NONE, offset: 100 },
    "everything expired: the log starts at its end",
  );
  await produce("timed", 0, 1);
  assert.deepEqual(await client.listOffset("timed", 0, -1), { errorCode: ErrorCode.NONE, offset: 105 });
  await cluster.scheduler.runUntilSettled(node.close(), { maxVirtualMs: 10_000 });
});

Deno.test("a disk error answers KAFKA_STORAGE_ERROR for its partition while the others keep serving", async () => {
  const { cluster, node, client, disk, produce } = await setUp();
  assert.equal(await client.createTopic("split", 2, []), ErrorCode.NONE);
  await produce("split", 0, 3);
  await produce("split", 1, 3);
  disk.faults.inject = (operation, path) =>
    operation === "write" && path.includes("/split-0/") ? "EIO" : null;
  const failed = await client.produce("split", 0, ["lost"], Compression.None);
  assert.equal(failed?.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
  disk.faults.inject = undefined;
  assert.equal(
    (await client.produce("split", 0, ["again"], Compression.None))?.errorCode,
    ErrorCode.KAFKA_STORAGE_ERROR,
  );
  assert.equal((await client.fetch("split", 0, 0))?.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
  assert.equal((await client.listOffset("split", 0, -2))?.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
  assert.equal((await client.deleteRecords("split", 0, 1))?.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
  await produce("split", 1, 2);
  const other = await client.fetch("split", 1, 0);
  assert.equal(other?.errorCode, ErrorCode.NONE);
  assert.equal(other?.highWatermark, 25);
  // A restart recovers the partition with everything it had written (the page cache survives a process exit).
  await cluster.scheduler.runUntilSettled(node.close(), { maxVirtualMs: 10_000 });
  cluster.crash("node", "process");
  const config = node.broker.config;
  const restarted = await cluster.scheduler.runUntilSettled(startNode(cluster.start("node"), config), {
    maxVirtualMs: 10_000,
  });
  client.reset();
  const back = await client.listOffset("split", 0, -1);
  assert.deepEqual(back, { errorCode: ErrorCode.NONE, offset: 15 });
  await produce("split", 0, 1);
  await cluster.scheduler.runUntilSettled(restarted.close(), { maxVirtualMs: 10_000 });
});
