import assert from "node:assert/strict";
import { LogManager } from "../../../src/log/mod.ts";
import { buildBatch } from "../../../src/protocol/mod.ts";
import {
  Incarnation,
  Scheduler,
  SeededRandom,
  SimClock,
  SimDisk,
  WallClock,
} from "../../../src/io/sim/mod.ts";
import { checkPartitionFolder, recordsOf } from "./disk_fault_checks.ts";

const FOLDER = "/logs/t-0";

/** A partition folder of several segments, written by the log and closed cleanly. */
function writtenFolder() {
  const disk = new SimDisk(new SeededRandom(5)).view(null);
  const scheduler = new Scheduler();
  const clock = new SimClock(
    scheduler,
    new WallClock(scheduler, 1_700_000_000_000),
    new Incarnation("t", 1),
    0,
  );
  const manager = LogManager.open({
    disk,
    clock,
    directory: "/logs",
    config: { segmentBytes: 500, indexIntervalBytes: 50 },
  });
  const log = manager.open({ topic: "t", partition: 0 });
  const encoder = new TextEncoder();
  for (let index = 0; index < 30; index++) {
    const batch = buildBatch({
      records: [0, 1].map((record) => ({
        timestamp: 1_700_000_000_000 + index,
        key: null,
        value: encoder.encode(`value-${index}-${record}`),
      })),
    });
    log.append(batch, { leaderEpoch: 0, nowMs: clock.nowMs() });
  }
  manager.closeAll();
  return disk;
}

Deno.test("a folder the log wrote and closed passes every check", () => {
  const disk = writtenFolder();
  const checked = checkPartitionFolder(disk, FOLDER);
  assert.deepEqual(checked.problems, []);
  assert.ok(checked.segmentBaseOffsets.length > 3);
  assert.deepEqual(
    recordsOf(checked.batches).map((record) => record.offset),
    Array.from({ length: 60 }, (_, i) => i),
  );
  assert.equal(recordsOf(checked.batches)[5]!.value, "value-2-1");
});

Deno.test("the checks catch a flipped byte, a torn tail, a wrong index entry and leftovers", async (t) => {
  const segment = (disk: ReturnType<typeof writtenFolder>, index: number, suffix: string) => {
    const base = checkPartitionFolder(disk, FOLDER).segmentBaseOffsets[index]!;
    return `${FOLDER}/${String(base).padStart(20, "0")}${suffix}`;
  };
  await t.step("a flipped byte fails the CRC", () => {
    const disk = writtenFolder();
    const file = disk.open(segment(disk, 1, ".log"));
    const byte = file.readAt(70, 1);
    file.writeAt(70, new Uint8Array([byte[0]! ^ 0x01]));
    assert.match(checkPartitionFolder(disk, FOLDER).problems.join("\n"), /fails its CRC/);
  });
  await t.step("a torn tail is not a whole batch", () => {
    const disk = writtenFolder();
    const file = disk.open(segment(disk, 0, ".log"));
    file.truncate(file.size() - 3);
    assert.match(
      checkPartitionFolder(disk, FOLDER).problems.join("\n"),
      /no whole v2 batch|not a whole batch/,
    );
  });
  await t.step("an offset index entry pointing inside a batch", () => {
    const disk = writtenFolder();
    const file = disk.open(segment(disk, 0, ".index"));
    assert.ok(file.size() >= 8, "the index has entries");
    const entry = file.readAt(0, 8);
    const view = new DataView(entry.buffer);
    view.setInt32(4, view.getInt32(4) + 1);
    file.writeAt(0, entry);
    assert.match(checkPartitionFolder(disk, FOLDER).problems.join("\n"), /not at a batch/);
  });
  await t.step("a time index entry naming no batch", () => {
    const disk = writtenFolder();
    const file = disk.open(segment(disk, 0, ".timeindex"));
    const entry = new Uint8Array(12);
    new DataView(entry.buffer).setBigInt64(0, 9_000_000_000_000n);
    file.writeAt(file.size(), entry);
    assert.match(checkPartitionFolder(disk, FOLDER).problems.join("\n"), /timeindex: entry/);
  });
  await t.step("a missing index and a leftover .deleted file", () => {
    const disk = writtenFolder();
    disk.remove(segment(disk, 2, ".index"));
    disk.rename(segment(disk, 0, ".timeindex"), `${FOLDER}/00000000000000000000.timeindex.deleted`);
    const problems = checkPartitionFolder(disk, FOLDER).problems.join("\n");
    assert.match(problems, /\.index is missing/);
    assert.match(problems, /left over/);
  });
});
