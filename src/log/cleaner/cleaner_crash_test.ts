/**
 * Power loss at every point of a cleaning: the simulator's disk loses
 * whatever was not synced (tearing some unsynced writes), the log is opened
 * again as after a crash, and it must be valid and hold every record that
 * was synced before cleaning began, as far as compaction allows: each key's
 * latest value at its original offset. A cleaner then runs on the recovered
 * log and must leave it valid and correct too.
 */
import assert from "node:assert/strict";
import {
  Incarnation,
  ManualClock,
  PowerLossTrigger,
  SeededRandom,
  SimDisk,
  type SimDiskOptions,
} from "../../io/sim/mod.ts";
import type { Disk } from "../../io/mod.ts";
import { Compression } from "../../protocol/mod.ts";
import {
  appendRecords,
  assertLogValid,
  cleanUntilIdle,
  compactConfig,
  openTestLog,
  type ReadRecord,
  readRecords,
  tableOf,
  TEST_DIRECTORY,
  TEST_LOG_DIRECTORY,
} from "./_cleaner_test_support.ts";
import { LogCleaner } from "./log_cleaner.ts";

const CODECS = [Compression.None, Compression.Zstd, Compression.Gzip];
const CLEANING_CONFIG = { segmentBytes: 4096, indexIntervalBytes: 128 };

/** What the test log holds before cleaning: each offset's record, all synced. */
function fillLog(disk: Disk, clock: ManualClock): Map<number, ReadRecord> {
  const log = openTestLog(disk, clock, { segmentBytes: 1024, indexIntervalBytes: 128 });
  const appended = new Map<number, ReadRecord>();
  for (let round = 0; round < 36; round++) {
    const records = [0, 1, 2].map((index) => ({
      key: `key-${(round + index * 2) % 6}`,
      value: round % 11 === 5 && index === 0 ? null : `value-${round}-${index}`,
    }));
    const base = appendRecords(log, clock, records, { compression: CODECS[round % CODECS.length] });
    records.forEach((record, index) => {
      appended.set(base + index, {
        offset: base + index,
        timestamp: clock.now + index,
        key: record.key,
        value: record.value,
        headers: [],
      });
    });
    clock.advance(1);
  }
  log.close();
  for (const directory of ["/", TEST_DIRECTORY, TEST_LOG_DIRECTORY]) disk.syncDirectory(directory);
  return appended;
}

function assertHoldsLatestValues(
  disk: Disk,
  clock: ManualClock,
  appended: Map<number, ReadRecord>,
  what: string,
) {
  const log = openTestLog(disk, clock, { segmentBytes: 1024, indexIntervalBytes: 128 });
  try {
    assertLogValid(disk, log);
    const read = readRecords(log);
    for (const record of read) {
      assert.deepEqual(record, appended.get(record.offset), `${what}: offset ${record.offset}`);
    }
    assert.deepEqual(tableOf(read), tableOf([...appended.values()]), `${what}: latest values`);
    assert.equal(log.logEndOffset, appended.size, `${what}: log end`);
  } finally {
    log.close();
  }
}

/** One run: fill, arm the power loss at `crashAt`, clean, recover, check, clean again, check. Returns whether it crashed. */
function runWithPowerLossAt(crashAt: number, options: Partial<SimDiskOptions>): boolean {
  const sim = new SimDisk(new SeededRandom(crashAt), options);
  const clock = new ManualClock();
  const appended = fillLog(sim.view(null), clock);
  const first = new Incarnation("node", 1);
  const disk = sim.view(first);
  // Segments of 1 KiB cleaned with segment.bytes at 4 KiB: groups of several segments become one.
  const log = openTestLog(disk, clock, CLEANING_CONFIG, { hadCleanShutdown: true });
  const cleaner = new LogCleaner({ disk, clock, logDirectory: TEST_DIRECTORY, dedupeBufferBytes: 4096 });
  cleaner.register(log, { config: () => compactConfig() });
  const powerLoss = new PowerLossTrigger(sim, first, crashAt);
  try {
    cleanUntilIdle(cleaner, 700);
  } catch (error) {
    if (!powerLoss.crashed) throw error;
  }
  powerLoss.disarm();
  if (!powerLoss.crashed) {
    assertHoldsLatestValues(sim.view(null), clock, appended, "without a crash");
    return false;
  }
  const what = `power loss at operation ${crashAt} (${JSON.stringify(options)})`;
  const second = sim.view(new Incarnation("node", 2));
  assertHoldsLatestValues(second, clock, appended, `${what}, recovered`);
  const recovered = openTestLog(second, clock, CLEANING_CONFIG);
  const again = new LogCleaner({
    disk: second,
    clock,
    logDirectory: TEST_DIRECTORY,
    dedupeBufferBytes: 4096,
  });
  again.register(recovered, { config: () => compactConfig() });
  cleanUntilIdle(again, 700);
  assert.ok(!again.isUncleanable(recovered), `${what}: the recovered log cannot be cleaned`);
  recovered.close();
  const leftovers = second.list(TEST_LOG_DIRECTORY).filter((name) => /\.(cleaned|swap|deleted)$/.test(name));
  assert.deepEqual(leftovers, [], `${what}: temporary files left`);
  assertHoldsLatestValues(second, clock, appended, `${what}, cleaned again`);
  return true;
}

Deno.test("a power loss at any point of a cleaning loses nothing (folder entries durable only when synced)", () => {
  let crashAt = 1;
  while (runWithPowerLossAt(crashAt, { directoryDurability: "after-sync", tornWriteProbability: 1 })) {
    crashAt++;
  }
  // Writes, truncations, syncs, renames and removals; opening a new file counts with its first write.
  assert.ok(crashAt > 40, `only ${crashAt} changing operations in a whole cleaning`);
});

Deno.test("a power loss at any point of a cleaning loses nothing (folder entries durable at once)", () => {
  let crashAt = 1;
  while (
    runWithPowerLossAt(crashAt, {
      directoryDurability: "immediate",
      tornWriteProbability: 0.5,
      garbageProbability: 0.5,
    })
  ) {
    crashAt++;
  }
  // Writes, truncations, syncs, renames and removals; opening a new file counts with its first write.
  assert.ok(crashAt > 40, `only ${crashAt} changing operations in a whole cleaning`);
});
