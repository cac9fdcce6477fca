/**
 * Power loss at every point of a cleaning: the simulator's disk loses
 * whatever was not synced (tearing some unsynced writes), the log is opened
 * again as after a crash, and it must be valid and hold every record that
 * was synced before cleaning began, as far as compaction allows: each key's
 * latest value at its original offset. A cleaner then runs on the recovered
 * log and must leave it valid and correct too.
 */
import assert from "node:assert/strict";
import { SimDisk, type SimDiskOptions } from "../../io/sim/disk.ts";
import { Incarnation } from "../../io/sim/incarnation.ts";
import { SeededRandom } from "../../io/sim/random.ts";
import type { Disk, FileHandle } from "../../io/types.ts";
import { Compression } from "../../protocol/record_batch.ts";
import { ManualClock } from "../_manual_clock_test_support.ts";
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

/** Thrown by the disk at the moment of the simulated power loss. */
class PowerLoss extends Error {}

/** A Disk that counts its changing operations and loses power at a chosen one. */
class PowerLossDisk implements Disk {
  operations = 0;
  crashAt = Number.POSITIVE_INFINITY;
  crashed = false;

  constructor(private readonly inner: Disk, private readonly powerLoss: () => void) {}

  tick(what: string): void {
    if (this.crashed) throw new PowerLoss(`after power loss: ${what}`);
    if (++this.operations < this.crashAt) return;
    this.crashed = true;
    this.powerLoss();
    throw new PowerLoss(`power lost before ${what}`);
  }
  check(): void {
    if (this.crashed) throw new PowerLoss("after power loss");
  }

  open(path: string, options?: { create?: boolean }): FileHandle {
    if (options?.create) this.tick(`open ${path}`);
    else this.check();
    return new PowerLossFile(this, this.inner.open(path, options), path);
  }
  exists(path: string): boolean {
    this.check();
    return this.inner.exists(path);
  }
  readFile(path: string): Uint8Array | null {
    this.check();
    return this.inner.readFile(path);
  }
  writeFileAtomic(path: string, bytes: Uint8Array): void {
    this.tick(`write ${path}`);
    this.inner.writeFileAtomic(path, bytes);
  }
  list(path: string): string[] {
    this.check();
    return this.inner.list(path);
  }
  isDirectory(path: string): boolean {
    this.check();
    return this.inner.isDirectory(path);
  }
  mkdirs(path: string): void {
    this.tick(`mkdirs ${path}`);
    this.inner.mkdirs(path);
  }
  rename(from: string, to: string): void {
    this.tick(`rename ${from} ${to}`);
    this.inner.rename(from, to);
  }
  remove(path: string): void {
    this.tick(`remove ${path}`);
    this.inner.remove(path);
  }
  syncDirectory(path: string): void {
    this.tick(`sync ${path}`);
    this.inner.syncDirectory(path);
  }
}

class PowerLossFile implements FileHandle {
  constructor(
    private readonly disk: PowerLossDisk,
    private readonly inner: FileHandle,
    private readonly path: string,
  ) {}
  size(): number {
    this.disk.check();
    return this.inner.size();
  }
  readAt(position: number, length: number): Uint8Array {
    this.disk.check();
    return this.inner.readAt(position, length);
  }
  writeAt(position: number, bytes: Uint8Array): void {
    this.disk.tick(`write ${this.path}`);
    this.inner.writeAt(position, bytes);
  }
  append(bytes: Uint8Array): void {
    this.disk.tick(`append ${this.path}`);
    this.inner.append(bytes);
  }
  truncate(length: number): void {
    this.disk.tick(`truncate ${this.path}`);
    this.inner.truncate(length);
  }
  sync(): void {
    this.disk.tick(`sync ${this.path}`);
    this.inner.sync();
  }
  modifiedMs(): number {
    return this.inner.modifiedMs();
  }
  close(): void {
    this.inner.close();
  }
}

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
  const disk = new PowerLossDisk(sim.view(first), () => {
    first.kill();
    sim.crash();
  });
  // Segments of 1 KiB cleaned with segment.bytes at 4 KiB: groups of several segments become one.
  const log = openTestLog(disk, clock, CLEANING_CONFIG, { hadCleanShutdown: true });
  const cleaner = new LogCleaner({ disk, clock, logDirectory: TEST_DIRECTORY, dedupeBufferBytes: 4096 });
  cleaner.register(log, { config: () => compactConfig() });
  disk.crashAt = disk.operations + crashAt;
  try {
    cleanUntilIdle(cleaner, 700);
  } catch (error) {
    if (!(error instanceof PowerLoss) && !disk.crashed) throw error;
  }
  if (!disk.crashed) {
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
  assert.ok(crashAt > 50, `only ${crashAt} operations in a whole cleaning`);
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
  assert.ok(crashAt > 50, `only ${crashAt} operations in a whole cleaning`);
});
