import assert from "node:assert/strict";
import { lastOffset, readBatchHeader } from "../protocol/mod.ts";
import fc from "fast-check";
import { buildBatch, buildSimpleBatch, concatBytes } from "./_batch_builder_test_support.ts";
import { MemoryDisk } from "../io/sim/mod.ts";
import { LogSegment, type SegmentOptions } from "./segment.ts";

const BASE_TIMESTAMP = 1_700_000_000_000;

function options(disk: MemoryDisk, overrides: Partial<SegmentOptions> = {}): SegmentOptions {
  disk.mkdirs("/data/topic-0");
  return {
    disk,
    directory: "/data/topic-0",
    baseOffset: 50,
    indexIntervalBytes: 300,
    maxIndexSizeBytes: 10 * 1024 * 1024,
    nowMs: BASE_TIMESTAMP,
    ...overrides,
  };
}

/** Appends `count` batches of 3 records each; returns each batch's bytes. */
function fill(segment: LogSegment, count: number, firstOffset = segment.baseOffset): Uint8Array[] {
  const batches: Uint8Array[] = [];
  let offset = firstOffset;
  for (let index = 0; index < count; index++) {
    const batch = buildSimpleBatch(3, {
      baseOffset: offset,
      baseTimestamp: BASE_TIMESTAMP + index * 10,
      partitionLeaderEpoch: 1,
      prefix: `b${index}`,
    });
    const header = readBatchHeader(batch);
    segment.append(batch, {
      lastOffset: lastOffset(header),
      largestTimestamp: header.maxTimestamp,
      offsetOfLargestTimestamp: lastOffset(header),
    });
    batches.push(batch);
    offset += 3;
  }
  return batches;
}

Deno.test("segment files carry the 20-digit base offset", () => {
  const disk = new MemoryDisk();
  LogSegment.create(options(disk));
  assert.deepEqual(disk.list("/data/topic-0"), [
    "00000000000000000050.index",
    "00000000000000000050.log",
    "00000000000000000050.timeindex",
  ]);
});

Deno.test("segment read returns whole batches from the one holding the offset", async (t) => {
  const disk = new MemoryDisk();
  const segment = LogSegment.create(options(disk));
  const batches = fill(segment, 10);
  const size = batches[0]!.length;
  await t.step("an offset inside a batch starts at that batch", () => {
    const read = segment.read(55, 10 * size)!;
    assert.equal(read.position, size);
    assert.equal(read.bytes.length, 9 * size);
    assert.deepEqual(read.bytes.subarray(0, size), batches[1]);
  });
  await t.step("maxBytes cuts at a batch boundary", () => {
    assert.equal(segment.read(50, size * 2 + 5)!.bytes.length, size * 2);
  });
  await t.step("a first batch larger than maxBytes is returned only with minOneBatch", () => {
    assert.equal(segment.read(50, 10)!.bytes.length, 0);
    assert.equal(segment.read(50, 10, segment.size(), true)!.bytes.length, size);
  });
  await t.step("maxPosition bounds the read", () => {
    assert.equal(segment.read(50, 100 * size, 3 * size)!.bytes.length, 3 * size);
  });
  await t.step("an offset past the end is null", () => {
    assert.equal(segment.read(80, 1000), null);
    assert.equal(segment.readNextOffset(), 80);
  });
});

Deno.test("segment read reads the file once for a fetch", () => {
  const disk = new MemoryDisk();
  const segment = LogSegment.create(options(disk));
  fill(segment, 40);
  disk.readCount = 0;
  segment.read(110, 1000);
  assert.equal(disk.readCount, 1);
});

Deno.test("segment indexes are sparse: one entry per indexIntervalBytes", () => {
  const disk = new MemoryDisk();
  const segment = LogSegment.create(options(disk, { indexIntervalBytes: 1000 }));
  const batches = fill(segment, 30);
  const size = batches[0]!.length;
  const expected = Math.floor((30 * size) / (1000 + size)) - 1;
  assert.ok(segment.offsetIndex.entryCount >= expected && segment.offsetIndex.entryCount <= expected + 2);
  assert.ok(segment.offsetIndex.entryCount < 30 / 2);
  for (let index = 0; index < segment.offsetIndex.entryCount; index++) {
    const entry = segment.offsetIndex.entry(index);
    const header = readBatchHeader(disk.readFile(segment.logPath)!, entry.position);
    assert.equal(lastOffset(header), entry.offset);
  }
});

Deno.test("segment recovery rebuilds the same indexes", () => {
  const disk = new MemoryDisk();
  const segment = LogSegment.create(options(disk));
  fill(segment, 25);
  segment.onBecomeInactive();
  const offsetIndex = disk.readFile(segment.offsetIndexPath)!;
  const timeIndex = disk.readFile(segment.timeIndexPath)!;
  assert.ok(offsetIndex.length > 0);
  segment.close();
  disk.remove(segment.offsetIndexPath);
  disk.remove(segment.timeIndexPath);
  const reopened = LogSegment.open(options(disk));
  assert.equal(reopened.indexFilesExist(), false);
  assert.equal(reopened.recover(), 0);
  assert.deepEqual(disk.readFile(reopened.offsetIndexPath), offsetIndex);
  assert.deepEqual(disk.readFile(reopened.timeIndexPath), timeIndex);
});

Deno.test("segment recovery truncates a torn tail", () => {
  const disk = new MemoryDisk();
  const segment = LogSegment.create(options(disk));
  const batches = fill(segment, 5);
  segment.close();
  const size = batches[0]!.length;
  disk.truncateFile("/data/topic-0/00000000000000000050.log", 4 * size + 20);
  const reopened = LogSegment.open(options(disk));
  const visited: number[] = [];
  assert.equal(reopened.recover((header) => visited.push(header.baseOffset)), 20);
  assert.deepEqual(visited, [50, 53, 56, 59]);
  assert.equal(reopened.size(), 4 * size);
  assert.equal(reopened.readNextOffset(), 62);
});

Deno.test("segment recovery truncates at a batch whose CRC does not match", () => {
  const disk = new MemoryDisk();
  const segment = LogSegment.create(options(disk));
  const batches = fill(segment, 5);
  segment.close();
  const size = batches[0]!.length;
  disk.corruptByte("/data/topic-0/00000000000000000050.log", 2 * size + 70);
  const reopened = LogSegment.open(options(disk));
  assert.equal(reopened.recover(), 3 * size);
  assert.equal(reopened.readNextOffset(), 56);
});

Deno.test("segment recovery stops at an impossible batch length", () => {
  const disk = new MemoryDisk();
  const segment = LogSegment.create(options(disk));
  const batches = fill(segment, 3);
  segment.close();
  const size = batches[0]!.length;
  const file = disk.open("/data/topic-0/00000000000000000050.log");
  file.writeAt(size + 8, new Uint8Array([0, 0, 0, 3]));
  const reopened = LogSegment.open(options(disk));
  assert.equal(reopened.recover(), 2 * size);
});

Deno.test("segment with a corrupt index file rebuilds it on first use", () => {
  const disk = new MemoryDisk();
  const segment = LogSegment.create(options(disk));
  fill(segment, 25);
  segment.close();
  const good = disk.readFile(segment.offsetIndexPath)!;
  const bad = good.slice();
  new DataView(bad.buffer).setInt32(4, 999_999);
  disk.writeFileAtomic(segment.offsetIndexPath, bad);
  const reopened = LogSegment.open(options(disk));
  assert.equal(reopened.read(60, 100_000)!.bytes.length > 0, true);
  assert.deepEqual(disk.readFile(segment.offsetIndexPath), good);
});

Deno.test("segment finds the first record at or after a timestamp", () => {
  const disk = new MemoryDisk();
  const segment = LogSegment.create(options(disk));
  fill(segment, 20);
  assert.deepEqual(segment.findOffsetByTimestamp(BASE_TIMESTAMP + 51, 50), {
    timestamp: BASE_TIMESTAMP + 51,
    offset: 66,
    leaderEpoch: 1,
  });
  assert.deepEqual(segment.findOffsetByTimestamp(BASE_TIMESTAMP + 53, 50), {
    timestamp: BASE_TIMESTAMP + 60,
    offset: 68,
    leaderEpoch: 1,
  });
  assert.deepEqual(segment.findOffsetByTimestamp(0, 58), {
    timestamp: BASE_TIMESTAMP + 22,
    offset: 58,
    leaderEpoch: 1,
  });
  assert.equal(segment.findOffsetByTimestamp(BASE_TIMESTAMP + 10_000, 50), null);
  assert.deepEqual(segment.maxTimestampAndOffset, { timestamp: BASE_TIMESTAMP + 192, offset: 109 });
});

Deno.test("segment timestamp search reads LogAppendTime batches at their max timestamp", () => {
  const disk = new MemoryDisk();
  const segment = LogSegment.create(options(disk));
  const batch = buildBatch([{ value: "a" }, { value: "b", timestampDelta: 5 }], {
    baseOffset: 50,
    baseTimestamp: 1000,
    maxTimestamp: 9000,
    attributes: 0x08,
  });
  segment.append(batch, { lastOffset: 51, largestTimestamp: 9000, offsetOfLargestTimestamp: 51 });
  assert.deepEqual(segment.findOffsetByTimestamp(2000, 50), { timestamp: 9000, offset: 50, leaderEpoch: -1 });
});

Deno.test("segment truncation removes batches and index entries from an offset", () => {
  const disk = new MemoryDisk();
  const segment = LogSegment.create(options(disk));
  const batches = fill(segment, 20);
  const removed = batches.slice(3).reduce((sum, batch) => sum + batch.length, 0);
  assert.equal(segment.truncateTo(61, BASE_TIMESTAMP), removed);
  assert.equal(segment.readNextOffset(), 59);
  assert.ok(segment.offsetIndex.lastOffset < 61);
  assert.ok(segment.timeIndex.lastEntry().offset < 61);
  assert.deepEqual(segment.maxTimestampAndOffset, { timestamp: BASE_TIMESTAMP + 22, offset: 58 });
  assert.equal(segment.truncateTo(50, BASE_TIMESTAMP), batches[0]!.length * 3);
  assert.equal(segment.size(), 0);
});

Deno.test("segment rolls on size, age, and offsets that do not fit", () => {
  const disk = new MemoryDisk();
  const segment = LogSegment.create(options(disk, { nowMs: 0 }));
  const check = {
    maxSegmentBytes: 1000,
    maxSegmentMs: 60_000,
    messagesSize: 100,
    maxTimestampInMessages: BASE_TIMESTAMP,
    lastOffsetInMessages: 60,
    nowMs: 1,
  };
  assert.equal(segment.shouldRoll(check), false);
  assert.equal(
    segment.shouldRoll({ ...check, nowMs: 10_000_000 }),
    false,
    "an empty segment never rolls on age",
  );
  assert.equal(segment.shouldRoll({ ...check, lastOffsetInMessages: 50 + 2 ** 31 }), true);
  const batches = fill(segment, 3);
  assert.equal(segment.shouldRoll({ ...check, messagesSize: 1000 - 3 * batches[0]!.length + 1 }), true);
  assert.equal(segment.shouldRoll({ ...check, maxTimestampInMessages: BASE_TIMESTAMP + 60_003 }), true);
  assert.equal(segment.shouldRoll({ ...check, maxTimestampInMessages: BASE_TIMESTAMP + 59_000 }), false);
});

Deno.test("segment delete removes its files", () => {
  const disk = new MemoryDisk();
  const segment = LogSegment.create(options(disk));
  fill(segment, 2);
  segment.delete();
  assert.deepEqual(disk.list("/data/topic-0"), []);
});

Deno.test("segment read agrees with a plain walk over the batches", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 60 }),
      fc.integer({ min: 0, max: 3000 }),
      fc.nat(),
      fc.boolean(),
      fc.integer({ min: 50, max: 600 }),
      (recordCounts, maxBytes, offsetSeed, minOneBatch, indexIntervalBytes) => {
        const disk = new MemoryDisk();
        const segment = LogSegment.create(options(disk, { indexIntervalBytes }));
        const batches: { first: number; last: number; bytes: Uint8Array }[] = [];
        let offset = 50;
        for (const count of recordCounts) {
          const bytes = buildSimpleBatch(count, { baseOffset: offset });
          segment.append(bytes, {
            lastOffset: offset + count - 1,
            largestTimestamp: 0,
            offsetOfLargestTimestamp: offset,
          });
          batches.push({ first: offset, last: offset + count - 1, bytes });
          offset += count;
        }
        const target = 50 + (offsetSeed % (offset - 50));
        const start = batches.findIndex((batch) => batch.last >= target);
        const expected: Uint8Array[] = [];
        let total = 0;
        for (let index = start; index < batches.length; index++) {
          const size = batches[index]!.bytes.length;
          if (total + size > maxBytes && !(minOneBatch && index === start)) break;
          expected.push(batches[index]!.bytes);
          total += size;
        }
        assert.deepEqual(
          segment.read(target, maxBytes, segment.size(), minOneBatch)!.bytes,
          concatBytes(expected),
        );
      },
    ),
    { numRuns: 200 },
  );
});
