import assert from "node:assert/strict";
import fc from "fast-check";
import { CorruptIndexError } from "./_index_file.ts";
import { MemoryDisk } from "../io/sim/mod.ts";
import { OffsetIndex } from "./offset_index.ts";

function openIndex(disk: MemoryDisk, baseOffset = 100, maxIndexSizeBytes = 1024): OffsetIndex {
  disk.mkdirs("/log");
  return OffsetIndex.open({ disk, path: "/log/index", baseOffset, maxIndexSizeBytes });
}

Deno.test("offset index lookup finds the largest entry at or below the target", () => {
  const index = openIndex(new MemoryDisk());
  assert.deepEqual(index.lookup(150), { offset: 100, position: 0 });
  index.append(110, 4200);
  index.append(125, 8400);
  index.append(140, 12600);
  assert.deepEqual(index.lookup(99), { offset: 100, position: 0 });
  assert.deepEqual(index.lookup(109), { offset: 100, position: 0 });
  assert.deepEqual(index.lookup(110), { offset: 110, position: 4200 });
  assert.deepEqual(index.lookup(139), { offset: 125, position: 8400 });
  assert.deepEqual(index.lookup(1000), { offset: 140, position: 12600 });
  assert.equal(index.lastOffset, 140);
});

Deno.test("offset index entries are 8 bytes of relative offset and position", () => {
  const disk = new MemoryDisk();
  const index = openIndex(disk);
  index.append(110, 4200);
  const bytes = disk.readFile("/log/index")!;
  assert.deepEqual([...bytes], [0, 0, 0, 10, 0, 0, 0x10, 0x68]);
});

Deno.test("offset index survives a reopen and truncates by offset", () => {
  const disk = new MemoryDisk();
  const index = openIndex(disk);
  for (let step = 1; step <= 5; step++) index.append(100 + step * 10, step * 1000);
  index.close();
  const reopened = openIndex(disk);
  assert.equal(reopened.entryCount, 5);
  reopened.truncateTo(130);
  assert.equal(reopened.entryCount, 2);
  assert.equal(reopened.lastOffset, 120);
  reopened.truncateTo(115);
  assert.equal(reopened.entryCount, 1);
  assert.equal(disk.fileSize("/log/index"), 8);
});

Deno.test("offset index reads a preallocated file by dropping its zero-filled tail", () => {
  const disk = new MemoryDisk();
  disk.mkdirs("/log");
  const preallocated = new Uint8Array(8 * 1000);
  const view = new DataView(preallocated.buffer);
  view.setInt32(0, 5);
  view.setInt32(4, 4100);
  view.setInt32(8, 9);
  view.setInt32(12, 8300);
  disk.writeFileAtomic("/log/index", preallocated);
  const index = openIndex(disk);
  assert.equal(index.entryCount, 2);
  assert.deepEqual(index.lookup(1_000_000), { offset: 109, position: 8300 });
  assert.equal(disk.fileSize("/log/index"), 16);
});

Deno.test("offset index rejects a file that is not whole entries", () => {
  const disk = new MemoryDisk();
  disk.mkdirs("/log");
  disk.writeFileAtomic("/log/index", new Uint8Array(12).fill(1));
  assert.throws(() => openIndex(disk), CorruptIndexError);
});

Deno.test("offset index sanity check catches entries out of order or past the log", () => {
  const disk = new MemoryDisk();
  disk.mkdirs("/log");
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, 9);
  view.setInt32(4, 500);
  view.setInt32(8, 5);
  view.setInt32(12, 900);
  disk.writeFileAtomic("/log/index", bytes);
  assert.throws(() => openIndex(disk).sanityCheck(10_000), CorruptIndexError);
  const fine = new MemoryDisk();
  const index = openIndex(fine);
  index.append(101, 500);
  assert.throws(() => index.sanityCheck(400), CorruptIndexError);
  index.sanityCheck(501);
});

Deno.test("offset index refuses offsets that do not grow or do not fit", () => {
  const index = openIndex(new MemoryDisk(), 100, 16);
  index.append(101, 10);
  assert.throws(() => index.append(101, 20));
  assert.throws(() => index.append(100 + 2 ** 31, 20), RangeError);
  index.append(102, 20);
  assert.equal(index.isFull(), true);
  assert.throws(() => index.append(103, 30));
});

Deno.test("offset index lookup agrees with a linear search", () => {
  fc.assert(fc.property(
    fc.uniqueArray(fc.integer({ min: 0, max: 100_000 }), { maxLength: 200 }),
    fc.integer({ min: -10, max: 100_010 }),
    (relativeOffsets, target) => {
      const sorted = [...relativeOffsets].sort((a, b) => a - b);
      const index = openIndex(new MemoryDisk(), 0, 1 << 20);
      sorted.forEach((offset, slot) => index.append(offset, (slot + 1) * 64));
      let expected = { offset: 0, position: 0 };
      sorted.forEach((offset, slot) => {
        if (offset <= target) expected = { offset, position: (slot + 1) * 64 };
      });
      assert.deepEqual(index.lookup(target), expected);
    },
  ));
});
