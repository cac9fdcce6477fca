import assert from "node:assert/strict";
import { buildSimpleBatch } from "./_batch_builder_test_support.ts";
import { ManualClock, MemoryDisk } from "../io/sim/mod.ts";
import { readOffsetCheckpoint } from "./checkpoint_file.ts";
import { LogManager } from "./log_manager.ts";
import { PartitionLog } from "./partition_log.ts";
import { MetaPropertiesError } from "./meta_properties.ts";

function openManager(disk: MemoryDisk, clock = new ManualClock()): LogManager {
  return LogManager.open({ disk, clock, directory: "/kafka-logs", config: { segmentBytes: 1000 } });
}

function fill(manager: LogManager, topic: string, partition: number, batches: number): void {
  const log = manager.open({ topic, partition });
  for (let index = 0; index < batches; index++) log.append(buildSimpleBatch(2), { leaderEpoch: 0, nowMs: 0 });
}

Deno.test("a log directory marks a clean shutdown and trusts it at the next start", () => {
  const disk = new MemoryDisk();
  const manager = openManager(disk);
  assert.equal(manager.hadCleanShutdown, false);
  assert.ok(disk.exists("/kafka-logs/.lock"));
  fill(manager, "orders", 0, 20);
  fill(manager, "orders", 1, 3);
  manager.closeAll(12);
  assert.deepEqual(readOffsetCheckpoint(disk, "/kafka-logs/recovery-point-offset-checkpoint"), [
    { topic: "orders", partition: 0, offset: 40 },
    { topic: "orders", partition: 1, offset: 6 },
  ]);
  assert.deepEqual(readOffsetCheckpoint(disk, "/kafka-logs/log-start-offset-checkpoint"), []);
  const reopened = openManager(disk);
  assert.equal(reopened.hadCleanShutdown, true);
  assert.equal(disk.exists("/kafka-logs/.kafka_cleanshutdown"), false, "the marker is removed at start");
  assert.deepEqual(reopened.partitionsOnDisk(), [{ topic: "orders", partition: 0 }, {
    topic: "orders",
    partition: 1,
  }]);
  assert.equal(reopened.open({ topic: "orders", partition: 0 }).logEndOffset, 40);
});

Deno.test("after a crash the marker is written only once every partition was recovered", () => {
  const disk = new MemoryDisk();
  const first = openManager(disk);
  fill(first, "a", 0, 2);
  fill(first, "b", 0, 2);
  first.checkpointRecoveryPoints();
  const afterCrash = openManager(disk);
  afterCrash.open({ topic: "a", partition: 0 });
  afterCrash.closeAll();
  assert.equal(disk.exists("/kafka-logs/.kafka_cleanshutdown"), false);
  assert.deepEqual(
    readOffsetCheckpoint(disk, "/kafka-logs/recovery-point-offset-checkpoint").map((entry) => entry.topic),
    ["b", "a"],
    "the unopened partition keeps its checkpoint",
  );
  const again = openManager(disk);
  again.open({ topic: "a", partition: 0 });
  again.open({ topic: "b", partition: 0 });
  again.closeAll();
  assert.equal(disk.exists("/kafka-logs/.kafka_cleanshutdown"), true);
});

Deno.test("removing a log renames its folder, drops its checkpoint entries, and removes it after the delay", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const manager = LogManager.open({
    disk,
    clock,
    directory: "/kafka-logs",
    config: { segmentBytes: 1000, fileDeleteDelayMs: 60_000 },
  });
  fill(manager, "gone", 4, 2);
  fill(manager, "kept", 0, 1);
  manager.checkpointRecoveryPoints();
  manager.remove(manager.get("gone", 4)!);
  const folders = () => disk.list("/kafka-logs").filter((name) => disk.isDirectory(`/kafka-logs/${name}`));
  assert.deepEqual(folders().length, 2);
  assert.match(folders()[0]!, /^gone-4\.[0-9a-f]{32}-delete$/);
  assert.deepEqual(
    readOffsetCheckpoint(disk, "/kafka-logs/recovery-point-offset-checkpoint").map((entry) => entry.topic),
    ["kept"],
  );
  clock.advance(59_999);
  assert.equal(folders().length, 2);
  clock.advance(1);
  assert.deepEqual(folders(), ["kept-0"]);
  manager.closeAll();
});

Deno.test("leftover -delete folders are removed and -future folders left alone", () => {
  const disk = new MemoryDisk();
  disk.mkdirs("/kafka-logs/t-0.0123456789abcdef0123456789abcdef-delete");
  disk.mkdirs("/kafka-logs/t-1.0123456789abcdef0123456789abcdef-future");
  const lines: string[] = [];
  const manager = LogManager.open({
    disk,
    clock: new ManualClock(),
    directory: "/kafka-logs",
    log: (line) => lines.push(line),
  });
  assert.deepEqual(disk.list("/kafka-logs").filter((name) => name.startsWith("t-")), [
    "t-1.0123456789abcdef0123456789abcdef-future",
  ]);
  assert.deepEqual(manager.partitionsOnDisk(), []);
  assert.ok(lines.some((line) => line.includes("-future")));
});

Deno.test("the metadata log stays out of the checkpoint files", () => {
  const disk = new MemoryDisk();
  const manager = openManager(disk);
  // The Raft store opens the metadata log itself (src/raft/raft_store.ts), beside the manager's logs.
  const metadata = PartitionLog.open({
    disk,
    clock: new ManualClock(),
    directory: "/kafka-logs/__cluster_metadata-0",
    topic: "__cluster_metadata",
    partition: 0,
  });
  metadata.append(buildSimpleBatch(3), { leaderEpoch: 1, nowMs: 0 });
  metadata.close();
  assert.deepEqual(manager.partitionsOnDisk(), []);
  manager.closeAll();
  assert.deepEqual(readOffsetCheckpoint(disk, "/kafka-logs/recovery-point-offset-checkpoint"), []);
  const reopened = openManager(disk);
  assert.deepEqual(reopened.partitionsOnDisk(), []);
});

Deno.test("meta.properties settles the node's identity", () => {
  const disk = new MemoryDisk();
  const manager = openManager(disk);
  const identity = manager.ensureMetaProperties({
    nodeId: 2,
    clusterId: "cluster-a",
    directoryId: "AAAAAAAAAAAAAAAAAAAAAg",
  });
  assert.deepEqual(identity, { nodeId: 2, clusterId: "cluster-a", directoryId: "AAAAAAAAAAAAAAAAAAAAAg" });
  const again = manager.ensureMetaProperties({
    nodeId: 2,
    clusterId: "cluster-b",
    directoryId: "AAAAAAAAAAAAAAAAAAAAAw",
  });
  assert.deepEqual(again, identity);
  assert.throws(() => manager.ensureMetaProperties({ ...identity, nodeId: 3 }), MetaPropertiesError);
});

Deno.test("a stray log is renamed -stray, kept on disk, out of the checkpoints and never loaded again", () => {
  const disk = new MemoryDisk();
  const manager = openManager(disk);
  fill(manager, "gone", 0, 3);
  fill(manager, "kept", 0, 2);
  manager.closeAll(5);
  const reopened = openManager(disk);
  reopened.markStray("gone", 0);
  const strays = disk.list("/kafka-logs").filter((name) => name.endsWith("-stray"));
  assert.equal(strays.length, 1);
  assert.match(strays[0]!, /^gone-0\.[0-9a-f]{32}-stray$/);
  assert.ok(disk.list(`/kafka-logs/${strays[0]}`).some((name) => name.endsWith(".log")), "the data is kept");
  assert.deepEqual(reopened.partitionsOnDisk(), [{ topic: "kept", partition: 0 }]);
  reopened.closeAll(6);
  assert.deepEqual(
    readOffsetCheckpoint(disk, "/kafka-logs/recovery-point-offset-checkpoint").map((entry) => entry.topic),
    ["kept"],
  );
  assert.deepEqual(openManager(disk).partitionsOnDisk(), [{ topic: "kept", partition: 0 }]);
});
