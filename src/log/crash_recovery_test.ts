/**
 * Kill -9 and power loss at every disk operation of a roll, a retention
 * deletion, a DeleteRecords and a topic deletion: after each, the next start
 * must give a log whose batches pass their CRCs, whose indexes agree with it,
 * which holds every record that was synced (every record whose append
 * returned, for a killed process, whose writes the kernel keeps), and which
 * leaves no `.deleted` file or `-delete` folder behind.
 *
 * Each case runs the operation once per disk operation it makes, crashing at
 * that operation, on the simulator's disk (its crash keeps only synced bytes,
 * tearing the unsynced ones), with folder entries durable at once and, more
 * strictly, only after a folder sync.
 */
import assert from "node:assert/strict";
import { checkPartitionFolder, recordsOf } from "../../sim/checkers/disk/disk_fault_checks.ts";
import { ManualClock, SeededRandom, SimDisk } from "../io/sim/mod.ts";
import { decodeBatches } from "../protocol/mod.ts";
import { buildSimpleBatch } from "./_batch_builder_test_support.ts";
import type { LogConfig } from "./log_config.ts";
import { LogManager } from "./log_manager.ts";
import type { PartitionLog } from "./partition_log.ts";

const DIRECTORY = "/logs";
const FOLDER = `${DIRECTORY}/t-0`;
const DELETE_DELAY_MS = 500;

/** Thrown from the disk at the chosen operation: the process dies there. */
class CrashPoint extends Error {}

interface Record {
  offset: number;
  value: string | null;
}

/** A running "process": a log directory manager and the records appended through it. */
interface Process {
  disk: SimDisk;
  clock: ManualClock;
  manager: LogManager;
  log: PartitionLog;
  /** Records whose append returned. */
  appended: Record[];
}

interface Scenario {
  name: string;
  config: Partial<LogConfig>;
  /** Fills the log before the operation under test. */
  prepare(process: Process): void;
  /** The operation a crash interrupts. */
  operate(process: Process): void;
  /**
   * Only for a topic deletion: the partition may be gone after the restart,
   * and then this checks what is left.
   */
  whenGone?(restarted: LogManager): void;
}

function append(process: Process, batches: number): void {
  for (let index = 0; index < batches; index++) {
    const log = process.log;
    const batch = buildSimpleBatch(3, { baseTimestamp: process.clock.now, prefix: `r${log.logEndOffset}` });
    const result = log.append(batch, { leaderEpoch: 0, nowMs: process.clock.now });
    assert.equal(result.errorCode, 0);
    // The append wrote the offsets into the batch's header in place.
    for (const record of decodeBatches(batch)[0]!.records) {
      process.appended.push({ offset: record.offset, value: new TextDecoder().decode(record.value!) });
    }
    process.clock.advance(5);
  }
}

function start(disk: SimDisk, clock: ManualClock, config: Partial<LogConfig>): LogManager {
  return LogManager.open({ disk: disk.view(null), clock, directory: DIRECTORY, config });
}

/** Reads the whole log through the log's own read path. */
function readAll(log: PartitionLog): Record[] {
  const records: Record[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const bytes = log.read(offset, { maxBytes: 1 << 20, minOneBatch: true });
    const batches = decodeBatches(bytes);
    assert.ok(batches.length > 0, `a read at ${offset} below the end ${log.logEndOffset} returns data`);
    for (const batch of batches) {
      for (const record of batch.records) {
        if (record.offset >= offset) {
          records.push({ offset: record.offset, value: new TextDecoder().decode(record.value!) });
        }
      }
      offset = batch.header.baseOffset + batch.header.lastOffsetDelta + 1;
    }
  }
  return records;
}

type Durability = "immediate" | "after-sync";
type CrashMode = "power-loss" | "process";

/**
 * Runs `scenario`, crashing at disk operation `crashAt`; returns false when
 * the operation finished before making that many operations.
 */
function runOnce(scenario: Scenario, durability: Durability, mode: CrashMode, crashAt: number): boolean {
  const disk = new SimDisk(new SeededRandom(crashAt * 7 + 3), {
    directoryDurability: durability,
    tornWriteProbability: 1,
    garbageProbability: 0.5,
  });
  const clock = new ManualClock();
  const manager = start(disk, clock, scenario.config);
  const process: Process = {
    disk,
    clock,
    manager,
    log: manager.open({ topic: "t", partition: 0 }),
    appended: [],
  };
  scenario.prepare(process);
  let operations = 0;
  let syncedBelow = -1;
  disk.faults.inject = () => {
    if (operations++ === crashAt) {
      syncedBelow = process.log.recoveryPoint;
      throw new CrashPoint(`crash at operation ${crashAt}`);
    }
    return null;
  };
  const appendedBefore = process.appended.length;
  try {
    scenario.operate(process);
    return false;
  } catch (error) {
    if (!(error instanceof CrashPoint)) throw error;
  } finally {
    disk.faults.inject = undefined;
  }
  if (mode === "power-loss") disk.crash();
  const survivors = mode === "power-loss"
    ? process.appended.filter((record) => record.offset < syncedBelow)
    : process.appended.slice(0, Math.max(appendedBefore, process.appended.length));
  checkRestart(scenario, disk, survivors, `${scenario.name}, ${durability}, ${mode}, crash at ${crashAt}`);
  return true;
}

function checkRestart(scenario: Scenario, disk: SimDisk, mustSurvive: Record[], what: string) {
  const clock = new ManualClock(2_000_000_000_000);
  const manager = start(disk, clock, scenario.config);
  const view = disk.view(null);
  const leftovers = view.list(DIRECTORY).filter((name) => name.endsWith("-delete"));
  assert.deepEqual(leftovers, [], `${what}: no -delete folder survives the start`);
  if (!manager.partitionsOnDisk().some((found) => found.topic === "t")) {
    assert.ok(scenario.whenGone !== undefined, `${what}: the partition is still there`);
    assert.ok(!view.exists(FOLDER), `${what}: no folder without a partition`);
    scenario.whenGone(manager);
    manager.closeAll();
    return;
  }
  const log = manager.open({ topic: "t", partition: 0 });
  assert.deepEqual(
    view.list(FOLDER).filter((name) => name.endsWith(".deleted")),
    [],
    `${what}: .deleted files removed`,
  );
  const read = readAll(log);
  const byOffset = new Map(read.map((record) => [record.offset, record.value]));
  for (const record of mustSurvive) {
    if (record.offset < log.logStartOffset) continue;
    assert.equal(byOffset.get(record.offset), record.value, `${what}: record ${record.offset} survives`);
  }
  for (let index = 1; index < read.length; index++) {
    assert.ok(read[index]!.offset > read[index - 1]!.offset, `${what}: offsets grow`);
  }
  const end = log.logEndOffset;
  const batch = buildSimpleBatch(2, { baseTimestamp: clock.now, prefix: "after" });
  assert.equal(
    log.append(batch, { leaderEpoch: 1, nowMs: clock.now }).baseOffset,
    end,
    `${what}: appends go on`,
  );
  manager.closeAll();
  const checked = checkPartitionFolder(view, FOLDER);
  assert.deepEqual(checked.problems, [], what);
  const onDisk = new Map(recordsOf(checked.batches).map((record) => [record.offset, record.value]));
  for (const record of read) {
    assert.equal(onDisk.get(record.offset), record.value, `${what}: ${record.offset} on disk`);
  }
}

function runEveryCrashPoint(scenario: Scenario): number {
  let points = 0;
  for (const durability of ["immediate", "after-sync"] as const) {
    for (const mode of ["power-loss", "process"] as const) {
      for (let crashAt = 0; runOnce(scenario, durability, mode, crashAt); crashAt++) {
        points++;
        assert.ok(crashAt < 10_000, "the operation ends");
      }
    }
  }
  return points;
}

const BASE_CONFIG: Partial<LogConfig> = {
  segmentBytes: 700,
  indexIntervalBytes: 150,
  fileDeleteDelayMs: DELETE_DELAY_MS,
  retentionMs: -1,
};

/** Several synced segments, checkpoints written, then a few unsynced batches in the active segment. */
function prepareSegments(process: Process): void {
  append(process, 24);
  process.log.flush();
  process.manager.checkpointRecoveryPoints();
  append(process, 2);
}

Deno.test("a crash at any point of a segment roll recovers every synced record", () => {
  const points = runEveryCrashPoint({
    name: "roll",
    config: BASE_CONFIG,
    prepare: prepareSegments,
    operate: (process) => {
      const segments = process.log.segmentBaseOffsets().length;
      while (process.log.segmentBaseOffsets().length === segments) append(process, 1);
      append(process, 1);
    },
  });
  assert.ok(points > 10, `${points} crash points`);
});

Deno.test("a crash at any point of a retention deletion and its delayed removal loses nothing kept", () => {
  const points = runEveryCrashPoint({
    name: "retention",
    config: { ...BASE_CONFIG, retentionBytes: 1500 },
    prepare: prepareSegments,
    operate: (process) => {
      assert.ok(process.manager.cleanupLogs(process.clock.now) > 0);
      process.clock.advance(DELETE_DELAY_MS);
    },
  });
  assert.ok(points > 10, `${points} crash points`);
});

Deno.test("a crash at any point of a wholly expired log's deletion (with its roll) loses nothing kept", () => {
  const points = runEveryCrashPoint({
    name: "expiry",
    config: { ...BASE_CONFIG, retentionMs: 10_000 },
    prepare: (process) => {
      prepareSegments(process);
      process.clock.advance(20_000);
    },
    operate: (process) => {
      process.manager.cleanupLogs(process.clock.now);
      assert.equal(process.log.segmentBaseOffsets().length, 1);
      process.clock.advance(DELETE_DELAY_MS);
    },
  });
  assert.ok(points > 10, `${points} crash points`);
});

Deno.test("a crash at any point after DeleteRecords keeps the records at and above the new start", () => {
  let target = 0;
  const points = runEveryCrashPoint({
    name: "delete-records",
    config: BASE_CONFIG,
    prepare: (process) => {
      prepareSegments(process);
      target = process.log.segmentBaseOffsets()[2]! + 2;
    },
    operate: (process) => {
      process.log.advanceLogStartOffset(target);
      process.manager.checkpointLogStartOffsets();
      process.manager.cleanupLogs(process.clock.now);
      process.clock.advance(DELETE_DELAY_MS);
    },
  });
  assert.ok(points > 5, `${points} crash points`);
});

Deno.test("a crash at any point of a topic deletion leaves the partition whole or gone, never stale", () => {
  const points = runEveryCrashPoint({
    name: "topic deletion",
    config: BASE_CONFIG,
    prepare: (process) => {
      prepareSegments(process);
      process.log.advanceLogStartOffset(process.log.segmentBaseOffsets()[1]! + 1);
      process.manager.checkpointLogStartOffsets();
    },
    operate: (process) => {
      process.manager.remove(process.log);
      process.clock.advance(DELETE_DELAY_MS);
    },
    whenGone: (restarted) => {
      // A topic created again under the name starts afresh, whatever the checkpoints said.
      const again = restarted.open({ topic: "t", partition: 0 });
      assert.equal(again.logStartOffset, 0);
      assert.equal(again.logEndOffset, 0);
    },
  });
  assert.ok(points > 3, `${points} crash points`);
});
