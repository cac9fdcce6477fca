import assert from "node:assert/strict";
import { ManualClock, MemoryDisk } from "../../io/sim/mod.ts";
import {
  appendRecords,
  compactConfig,
  openTestLog,
  readRecords,
  TEST_DIRECTORY,
} from "./_cleaner_test_support.ts";
import { startCleanerTimer } from "./cleaner_timer.ts";
import { LogCleaner } from "./log_cleaner.ts";

Deno.test("the cleaner timer waits log.cleaner.backoff.ms when idle and steps quickly while cleaning", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openTestLog(disk, clock);
  const cleaner = new LogCleaner({ disk, clock, logDirectory: TEST_DIRECTORY, dedupeBufferBytes: 1 << 16 });
  cleaner.register(log, { config: () => compactConfig() });
  const timer = startCleanerTimer({ clock, cleaner, backoffMs: 15_000, stepBytes: 2048, stepPauseMs: 1 });
  clock.advance(20_000);
  assert.equal(cleaner.completedRounds.length, 0, "nothing to clean yet");
  for (let round = 0; round < 60; round++) {
    appendRecords(log, clock, [{ key: `k${round % 3}`, value: "x".repeat(100) }]);
  }
  const before = readRecords(log).length;
  clock.advance(10_000);
  assert.ok(cleaner.cleaning, "a round started at the next back-off (30 s after the start)");
  clock.advance(1_000);
  assert.equal(cleaner.completedRounds.length, 1, "and finished within a second of 1 ms pauses");
  assert.ok(readRecords(log).length < before);
  timer.stop();
  assert.equal(clock.pendingTimers, 0);
});
