import assert from "node:assert/strict";
import { checkPartitionFolder, recordsOf } from "../../sim/checkers/disk/disk_fault_checks.ts";
import { ManualClock, SeededRandom, SimDisk } from "../io/sim/mod.ts";
import { buildSimpleBatch } from "./_batch_builder_test_support.ts";
import { readCleanShutdownMarker } from "./log_dir.ts";
import { KafkaStorageError } from "./log_errors.ts";
import { LogManager } from "./log_manager.ts";
import type { PartitionLog } from "./partition_log.ts";
import { guardStorage } from "./storage_failure.ts";

const DIRECTORY = "/logs";
const CONFIG = { segmentBytes: 600, indexIntervalBytes: 100, flushMessages: 1 };

function setUp() {
  const disk = new SimDisk(new SeededRandom(11), { tornWriteProbability: 1, garbageProbability: 0.5 });
  const clock = new ManualClock();
  const manager = LogManager.open({ disk: disk.view(null), clock, directory: DIRECTORY, config: CONFIG });
  return {
    disk,
    clock,
    manager,
    a: manager.open({ topic: "a", partition: 0 }),
    b: manager.open({ topic: "b", partition: 0 }),
  };
}

/** Appends through the guard, as the broker does; returns the base offset, or the error thrown. */
function append(log: PartitionLog, clock: ManualClock): number | KafkaStorageError {
  try {
    const batch = buildSimpleBatch(3, {
      baseTimestamp: clock.now,
      prefix: `${log.topic}${log.logEndOffset}`,
    });
    return guardStorage(log, () => log.append(batch, { leaderEpoch: 0, nowMs: clock.now })).baseOffset;
  } catch (error) {
    if (error instanceof KafkaStorageError) return error;
    throw error;
  }
}

function appendMany(log: PartitionLog, clock: ManualClock, count: number): void {
  for (let index = 0; index < count; index++) assert.equal(typeof append(log, clock), "number");
}

/** Restarts on the disk (after a power loss when asked) and checks both partitions' files and records. */
function restartAndCheck(disk: SimDisk, expectedEnds: { a: number; b: number }) {
  const manager = LogManager.open({
    disk: disk.view(null),
    clock: new ManualClock(),
    directory: DIRECTORY,
    config: CONFIG,
  });
  assert.equal(manager.hadCleanShutdown, false, "an offline log means no clean-shutdown marker");
  for (const topic of ["a", "b"] as const) {
    const log = manager.open({ topic, partition: 0 });
    assert.ok(log.logEndOffset >= expectedEnds[topic], `${topic}: every acknowledged record is back`);
    const before = log.logEndOffset;
    appendMany(log, new ManualClock(), 1);
    assert.equal(log.logEndOffset, before + 3);
  }
  manager.closeAll();
  for (const topic of ["a", "b"]) {
    const checked = checkPartitionFolder(disk.view(null), `${DIRECTORY}/${topic}-0`);
    assert.deepEqual(checked.problems, []);
    const offsets = recordsOf(checked.batches).map((record) => record.offset);
    assert.deepEqual(
      offsets,
      Array.from({ length: offsets.length }, (_, index) => index),
      `${topic}: no gap`,
    );
  }
}

Deno.test("an I/O error while appending takes only that partition offline; a restart recovers it whole", () => {
  const { disk, clock, manager, a, b } = setUp();
  appendMany(a, clock, 10);
  appendMany(b, clock, 10);
  const acknowledged = { a: a.logEndOffset, b: b.logEndOffset };
  disk.faults.inject = (operation, path) => operation === "write" && path.includes("/a-0/") ? "EIO" : null;
  const failed = append(a, clock);
  assert.ok(failed instanceof KafkaStorageError, "the append fails with a storage error");
  assert.ok(a.offlineReason?.includes("EIO"));
  assert.throws(() => a.read(0, { maxBytes: 1000 }), KafkaStorageError, "the offline log refuses reads too");
  assert.ok(append(a, clock) instanceof KafkaStorageError, "and every later append");
  appendMany(b, clock, 5);
  assert.ok(b.read(0, { maxBytes: 100_000 }).length > 0, "the other partition keeps serving");
  disk.faults.inject = undefined;
  assert.deepEqual(manager.offlineLogs(), [a]);
  manager.flushDirtyLogs(clock.now + 10_000);
  manager.cleanupLogs(clock.now);
  manager.closeAll();
  assert.equal(readCleanShutdownMarker(disk.view(null), DIRECTORY).exists, false);
  disk.crash();
  restartAndCheck(disk, { a: acknowledged.a, b: acknowledged.b + 15 });
});

Deno.test("a full disk refuses appends with a storage error and damages nothing already written", () => {
  const { disk, clock, manager, a, b } = setUp();
  appendMany(a, clock, 8);
  appendMany(b, clock, 8);
  disk.faults.capacityBytes = disk.usedBytes() + 700;
  const acknowledged = { a: a.logEndOffset, b: b.logEndOffset };
  for (let attempt = 0; attempt < 50 && a.offlineReason === null; attempt++) {
    if (typeof append(a, clock) === "number") acknowledged.a = a.logEndOffset;
  }
  assert.ok(a.offlineReason?.includes("ENOSPC"), `offline: ${a.offlineReason}`);
  // The other partition fails only when it needs space itself; what it holds stays readable.
  assert.ok(b.read(0, { maxBytes: 100_000 }).length > 0);
  disk.faults.capacityBytes = Infinity;
  manager.closeAll();
  disk.crash();
  restartAndCheck(disk, acknowledged);
});

Deno.test("a read error takes the partition offline; a killed process restarts with everything", () => {
  const { disk, clock, manager, a, b } = setUp();
  appendMany(a, clock, 12);
  appendMany(b, clock, 3);
  disk.faults.inject = (operation, path) => operation === "read" && path.includes("/a-0/") ? "EIO" : null;
  assert.throws(() => guardStorage(a, () => a.read(0, { maxBytes: 1000 })), KafkaStorageError);
  assert.notEqual(a.offlineReason, null);
  disk.faults.inject = undefined;
  assert.deepEqual(manager.offlineLogs(), [a]);
  appendMany(b, clock, 2);
  // A killed process: no power loss, every write survives.
  restartAndCheck(disk, { a: 36, b: 15 });
});
