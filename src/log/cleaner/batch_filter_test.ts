import assert from "node:assert/strict";
import {
  batchCrcIsValid,
  type BatchHeader,
  buildBatch,
  Compression,
  compressionOf,
  ControlRecordType,
  decodeBatch,
  lastOffset,
  readBatchHeader,
  TimestampType,
  timestampTypeIsLogAppend,
} from "../../protocol/mod.ts";
import { deleteHorizonOf, filterBatch, type FilterContext } from "./batch_filter.ts";
import { OffsetMap } from "./offset_map.ts";
import { TransactionTracker } from "./transactions.ts";

const text = (value: string) => new TextEncoder().encode(value);

function batch(options: Parameters<typeof buildBatch>[0]): { bytes: Uint8Array; header: BatchHeader } {
  const bytes = buildBatch(options);
  return { bytes, header: readBatchHeader(bytes, 0) };
}

function context(latest: Record<string, number>, overrides: Partial<FilterContext> = {}): FilterContext {
  const map = new OffsetMap({ memoryBytes: 1 << 16 });
  map.clear();
  for (const [key, offset] of Object.entries(latest)) map.put(text(key), offset);
  map.updateLatestOffset(1000);
  return {
    map,
    nowMs: 1_000_000,
    deleteRetentionMs: 500,
    transactions: new TransactionTracker([]),
    lastRecordsOfActiveProducers: new Map(),
    upperBoundOffset: 2000,
    ...overrides,
  };
}

const records = [
  { offset: 100, timestamp: 10, key: text("a"), value: text("a1") },
  { offset: 101, timestamp: 11, key: text("b"), value: null },
  { offset: 102, timestamp: 12, key: text("c"), value: text("c1") },
];

Deno.test("a batch whose records are all latest is copied as it is", () => {
  const original = batch({ records: [records[0]!, records[2]!], baseOffset: 100, lastOffsetDelta: 2 });
  const filtered = filterBatch(original.bytes, original.header, context({ a: 100, c: 102 }));
  assert.equal(filtered.output, original.bytes);
  assert.equal(filtered.recordsRetained, 2);
});

Deno.test("a rebuilt batch keeps offsets, last offset, producer fields, epoch, timestamp type and codec", () => {
  const original = batch({
    records,
    baseOffset: 100,
    compression: Compression.Snappy,
    producerId: 77,
    producerEpoch: 3,
    baseSequence: 40,
    partitionLeaderEpoch: 9,
    timestampType: TimestampType.LogAppendTime,
    maxTimestamp: 5555,
  });
  const filtered = filterBatch(original.bytes, original.header, context({ a: 500, b: 101, c: 102 }));
  const output = filtered.output!;
  const decoded = decodeBatch(output);
  assert.ok(batchCrcIsValid(output, decoded.header));
  assert.deepEqual(decoded.records.map((record) => record.offset), [101, 102]);
  assert.equal(decoded.header.baseOffset, 100);
  assert.equal(lastOffset(decoded.header), 102);
  assert.equal(decoded.header.producerId, 77);
  assert.equal(decoded.header.producerEpoch, 3);
  assert.equal(decoded.header.baseSequence, 40);
  assert.equal(decoded.header.partitionLeaderEpoch, 9);
  assert.equal(compressionOf(decoded.header.attributes), Compression.Snappy);
  assert.ok(timestampTypeIsLogAppend(decoded.header.attributes));
  assert.equal(decoded.header.maxTimestamp, 5555);
  assert.deepEqual(decoded.records.map((record) => record.timestamp), [5555, 5555]);
  assert.equal(deleteHorizonOf(decoded.header), 1_000_000 + 500, "a kept tombstone stamps the horizon");
});

Deno.test("a tombstone goes once its batch's delete horizon has passed", () => {
  const stamped = batch({ records: [records[1]!], baseOffset: 101, deleteHorizonMs: 900_000 });
  assert.equal(deleteHorizonOf(stamped.header), 900_000);
  assert.equal(decodeBatch(stamped.bytes).records[0]!.timestamp, 11, "timestamps survive the horizon base");
  assert.equal(filterBatch(stamped.bytes, stamped.header, context({ b: 101 })).output, null);
  const kept = filterBatch(stamped.bytes, stamped.header, context({ b: 101 }, { nowMs: 899_999 }));
  assert.equal(kept.output, stamped.bytes, "before the horizon it stays, unchanged");
});

Deno.test("records past the map's latest offset stay, whatever the map says", () => {
  const original = batch({ records, baseOffset: 100 });
  const filtered = filterBatch(original.bytes, original.header, {
    ...context({ a: 5000 }),
    map: (() => {
      const map = new OffsetMap({ memoryBytes: 1 << 16 });
      map.clear();
      map.put(text("a"), 5000);
      map.updateLatestOffset(100);
      return map;
    })(),
  });
  assert.deepEqual(decodeBatch(filtered.output!).records.map((record) => record.offset), [101, 102]);
});

Deno.test("a producer's last batch and the batch before the uncleanable offset stay even when emptied", () => {
  const original = batch({ records, baseOffset: 100, producerId: 5, producerEpoch: 1, baseSequence: 7 });
  const superseded = { a: 900, b: 900, c: 900 };
  assert.equal(filterBatch(original.bytes, original.header, context(superseded)).output, null);
  const last = filterBatch(
    original.bytes,
    original.header,
    context(superseded, {
      lastRecordsOfActiveProducers: new Map([[5, { lastDataOffset: 102, producerEpoch: 1 }]]),
    }),
  );
  const empty = readBatchHeader(last.output!, 0);
  assert.equal(empty.recordCount, 0);
  assert.equal(lastOffset(empty), 102);
  assert.equal(empty.baseSequence, 7);
  assert.equal(compressionOf(empty.attributes), Compression.None);
  assert.ok(batchCrcIsValid(last.output!, empty));
  const beforeUncleanable = filterBatch(
    original.bytes,
    original.header,
    context(superseded, { upperBoundOffset: 103 }),
  );
  assert.equal(readBatchHeader(beforeUncleanable.output!, 0).recordCount, 0);
});

Deno.test("an aborted transaction's batch is dropped and its marker waits for the data to be gone", () => {
  const data = batch({ records, baseOffset: 100, producerId: 8, producerEpoch: 0, isTransactional: true });
  const marker = batch({
    records: [{
      offset: 103,
      timestamp: 13,
      key: new Uint8Array([0, 0, 0, ControlRecordType.Abort]),
      value: null,
    }],
    baseOffset: 103,
    producerId: 8,
    producerEpoch: 0,
    isTransactional: true,
    isControl: true,
  });
  const aborted = [{ producerId: 8, firstOffset: 100, lastOffset: 103 }];
  const first = context({ a: 100, b: 101, c: 102 }, { transactions: new TransactionTracker(aborted) });
  assert.equal(filterBatch(data.bytes, data.header, first).output, null);
  assert.equal(
    filterBatch(marker.bytes, marker.header, first).output,
    marker.bytes,
    "data was seen: kept as is",
  );
  const second = context({}, { transactions: new TransactionTracker(aborted) });
  const stamped = filterBatch(marker.bytes, marker.header, second).output!;
  assert.equal(deleteHorizonOf(readBatchHeader(stamped, 0)), 1_000_500, "no data left: a delete horizon");
  const third = context({}, { transactions: new TransactionTracker(aborted), nowMs: 1_000_500 });
  assert.equal(filterBatch(stamped, readBatchHeader(stamped, 0), third).output, null, "past it: gone");
});
