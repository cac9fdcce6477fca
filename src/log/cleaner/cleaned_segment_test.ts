import assert from "node:assert/strict";
import { buildBatch, readBatchHeader } from "../../protocol/mod.ts";
import { ManualClock, MemoryDisk } from "../../io/sim/mod.ts";
import { LogSegment } from "../segment.ts";
import { CleanedSegmentWriter } from "./cleaned_segment.ts";
import { groupSegmentsBySize } from "./segment_groups.ts";
import { FileShredder } from "./file_shredder.ts";

const DIRECTORY = "/data/t-0";

Deno.test("a cleaned segment's indexes are the ones recovery would rebuild", () => {
  const disk = new MemoryDisk();
  disk.mkdirs(DIRECTORY);
  const writer = CleanedSegmentWriter.create({
    disk,
    directory: DIRECTORY,
    baseOffset: 100,
    indexIntervalBytes: 300,
    maxIndexSizeBytes: 1 << 16,
  });
  for (let index = 0; index < 40; index++) {
    const bytes = buildBatch({
      baseOffset: 100 + index * 3,
      lastOffsetDelta: 2,
      records: [{
        offset: 100 + index * 3 + 1,
        timestamp: 1000 + (index % 7) * 10,
        key: null,
        value: new Uint8Array(90),
      }],
    });
    writer.append(bytes, readBatchHeader(bytes, 0));
  }
  assert.equal(writer.finish(), false, "the log is sealed first");
  assert.equal(writer.finish(), true, "then the indexes are synced");
  const names = disk.list(DIRECTORY);
  assert.deepEqual(names, [
    "00000000000000000100.index.cleaned",
    "00000000000000000100.log.cleaned",
    "00000000000000000100.timeindex.cleaned",
  ]);
  for (const name of names) {
    disk.rename(`${DIRECTORY}/${name}`, `${DIRECTORY}/${name.replace(".cleaned", "")}`);
  }
  const options = {
    disk,
    directory: DIRECTORY,
    baseOffset: 100,
    indexIntervalBytes: 300,
    maxIndexSizeBytes: 1 << 16,
    nowMs: new ManualClock().now,
  };
  const written = LogSegment.open(options);
  const offsets = [...Array(written.offsetIndex.entryCount).keys()].map((index) =>
    written.offsetIndex.entry(index)
  );
  const times = [...Array(written.timeIndex.entryCount).keys()].map((index) =>
    written.timeIndex.entry(index)
  );
  assert.ok(offsets.length > 5);
  written.recover();
  const rebuilt = [...Array(written.offsetIndex.entryCount).keys()].map((index) =>
    written.offsetIndex.entry(index)
  );
  assert.deepEqual(offsets, rebuilt);
  const rebuiltTimes = [...Array(written.timeIndex.entryCount).keys()].map((index) =>
    written.timeIndex.entry(index)
  );
  assert.deepEqual(times, rebuiltTimes);
  assert.equal(written.readNextOffset(), 220);
});

Deno.test("segments are grouped while their logs fit segment.bytes and their indexes segment.index.bytes", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  disk.mkdirs(DIRECTORY);
  const segments = [0, 10, 20, 30, 40].map((baseOffset, index) => {
    const segment = LogSegment.create({
      disk,
      directory: DIRECTORY,
      baseOffset,
      indexIntervalBytes: 4096,
      maxIndexSizeBytes: 1 << 16,
      nowMs: clock.now,
    });
    const bytes = buildBatch({
      baseOffset,
      records: [{ timestamp: 1, key: null, value: new Uint8Array(index === 2 ? 500 : 100) }],
    });
    segment.append(bytes, {
      lastOffset: baseOffset,
      largestTimestamp: 1,
      offsetOfLargestTimestamp: baseOffset,
    });
    return segment;
  });
  const sizes = segments.map((segment) => segment.size());
  const group = (maxSegmentBytes: number) =>
    groupSegmentsBySize(segments, { maxSegmentBytes, maxIndexBytes: 1 << 16, firstUncleanableOffset: 50 })
      .map((run) => run.map((segment) => segment.baseOffset));
  assert.deepEqual(group(sizes[0]! + sizes[1]!), [[0, 10], [20], [30, 40]]);
  assert.deepEqual(group(1 << 20), [[0, 10, 20, 30, 40]]);
  assert.deepEqual(group(1), [[0], [10], [20], [30], [40]]);
});

Deno.test("the shredder removes files a slice at a time and forgets missing ones", () => {
  const disk = new MemoryDisk();
  disk.mkdirs(DIRECTORY);
  disk.open(`${DIRECTORY}/a.deleted`, { create: true }).append(new Uint8Array(1000));
  disk.open(`${DIRECTORY}/b.deleted`, { create: true }).append(new Uint8Array(300));
  const shredder = new FileShredder(disk);
  shredder.add([`${DIRECTORY}/a.deleted`, `${DIRECTORY}/missing.deleted`, `${DIRECTORY}/b.deleted`]);
  assert.equal(shredder.step(400), 400);
  assert.equal(disk.fileSize(`${DIRECTORY}/a.deleted`), 600);
  shredder.step(400);
  shredder.step(400);
  assert.equal(disk.exists(`${DIRECTORY}/a.deleted`), false);
  while (shredder.pendingCount > 0) shredder.step(400);
  assert.deepEqual(disk.list(DIRECTORY), []);
});
