import assert from "node:assert/strict";
import { MemoryDisk } from "../io/sim/mod.ts";
import { NO_TIMESTAMP, TimeIndex } from "./time_index.ts";

function openIndex(disk: MemoryDisk, maxIndexSizeBytes = 1200): TimeIndex {
  disk.mkdirs("/log");
  return TimeIndex.open({ disk, path: "/log/timeindex", baseOffset: 1000, maxIndexSizeBytes });
}

Deno.test("time index lookup finds the largest timestamp at or below the target", () => {
  const index = openIndex(new MemoryDisk());
  assert.deepEqual(index.lookup(5), { timestamp: NO_TIMESTAMP, offset: 1000 });
  index.maybeAppend(1_700_000_000_100, 1005);
  index.maybeAppend(1_700_000_000_200, 1010);
  index.maybeAppend(1_700_000_000_300, 1020);
  assert.deepEqual(index.lookup(1_700_000_000_099), { timestamp: NO_TIMESTAMP, offset: 1000 });
  assert.deepEqual(index.lookup(1_700_000_000_250), { timestamp: 1_700_000_000_200, offset: 1010 });
  assert.deepEqual(index.lookup(1_800_000_000_000), { timestamp: 1_700_000_000_300, offset: 1020 });
});

Deno.test("time index entries are 12 bytes and only grow in timestamp", () => {
  const disk = new MemoryDisk();
  const index = openIndex(disk);
  index.maybeAppend(258, 1001);
  index.maybeAppend(258, 1002);
  assert.equal(index.entryCount, 1);
  assert.deepEqual([...disk.readFile("/log/timeindex")!], [0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 1]);
  assert.throws(() => index.maybeAppend(300, 1000));
  assert.throws(() => index.maybeAppend(100, 1003));
});

Deno.test("time index keeps its last slot for the entry written on roll", () => {
  const index = openIndex(new MemoryDisk(), 36);
  index.maybeAppend(10, 1001);
  index.maybeAppend(20, 1002);
  assert.equal(index.isFull(), true);
  assert.throws(() => index.maybeAppend(30, 1003));
  index.maybeAppend(30, 1003, true);
  assert.equal(index.entryCount, 3);
});

Deno.test("time index truncates by offset and reads a preallocated file", () => {
  const disk = new MemoryDisk();
  const index = openIndex(disk);
  index.maybeAppend(10, 1001);
  index.maybeAppend(20, 1005);
  index.maybeAppend(30, 1009);
  index.truncateTo(1005);
  assert.deepEqual(index.lastEntry(), { timestamp: 10, offset: 1001 });
  index.close();
  const bytes = new Uint8Array(12 * 50);
  bytes.set(disk.readFile("/log/timeindex")!);
  disk.writeFileAtomic("/log/timeindex", bytes);
  const reopened = openIndex(disk);
  assert.equal(reopened.entryCount, 1);
  assert.equal(disk.fileSize("/log/timeindex"), 12);
});
