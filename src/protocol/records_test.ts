import assert from "node:assert/strict";
import fc from "fast-check";
import { KafkaError } from "./errors.ts";
import { batchCrcIsValid, Compression, readBatchHeader, sealBatch } from "./record_batch.ts";
import {
  buildBatch,
  CorruptRecordError,
  decodeBatch,
  decodeBatches,
  type RecordInput,
  TimestampType,
} from "./records.ts";

const codecs = [Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd];
const encoder = new TextEncoder();

const nullableBytes = fc.option(fc.uint8Array({ maxLength: 64 }), { nil: null, freq: 4 });
const recordInput = fc.record({
  timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
  key: nullableBytes,
  value: nullableBytes,
  headers: fc.array(fc.record({ key: fc.uint8Array({ maxLength: 16 }), value: nullableBytes }), {
    maxLength: 3,
  }),
});
/** Records with increasing offsets, some with gaps as compaction leaves them. */
const recordInputs = fc.array(fc.tuple(recordInput, fc.integer({ min: 1, max: 5 })), {
  minLength: 1,
  maxLength: 20,
})
  .map((entries) => {
    let offset = 1000 - 1;
    return entries.map(([record, gap]): RecordInput => {
      offset += gap;
      return { ...record, offset };
    });
  });

Deno.test("buildBatch then decodeBatch returns the records, for every codec", () => {
  fc.assert(
    fc.property(fc.constantFrom(...codecs), recordInputs, (compression, records) => {
      const baseOffset = records[0]!.offset!;
      const bytes = buildBatch({ baseOffset, records, compression });
      const { header, records: decoded } = decodeBatch(bytes);
      assert.equal(header.recordCount, records.length);
      assert.equal(header.baseOffset + header.lastOffsetDelta, records[records.length - 1]!.offset);
      assert.equal(header.maxTimestamp, Math.max(...records.map((record) => record.timestamp)));
      assert.deepEqual(
        decoded,
        records.map((record) => ({
          offset: record.offset,
          timestamp: record.timestamp,
          key: record.key,
          value: record.value,
          headers: (record.headers ?? []).map((header) => ({ key: header.key, value: header.value })),
        })),
      );
    }),
    { numRuns: 300 },
  );
});

Deno.test("buildBatch fills the header fields and seals a valid CRC", () => {
  const bytes = buildBatch({
    baseOffset: 42,
    records: [{ timestamp: 5000, key: null, value: encoder.encode("v") }, {
      timestamp: 4000,
      key: encoder.encode("k"),
      value: null,
    }],
    compression: Compression.Lz4,
    producerId: 7,
    producerEpoch: 3,
    baseSequence: 11,
    isTransactional: true,
    partitionLeaderEpoch: 9,
  });
  const header = readBatchHeader(bytes);
  assert.deepEqual(
    { ...header, crc: 0 },
    {
      position: 0,
      baseOffset: 42,
      batchLength: bytes.length - 12,
      partitionLeaderEpoch: 9,
      magic: 2,
      crc: 0,
      attributes: Compression.Lz4 | 0x10,
      lastOffsetDelta: 1,
      baseTimestamp: 5000,
      maxTimestamp: 5000,
      producerId: 7,
      producerEpoch: 3,
      baseSequence: 11,
      recordCount: 2,
    },
  );
  assert.ok(batchCrcIsValid(bytes, header));
  // A timestamp before the base one is a negative delta, which must survive.
  assert.equal(decodeBatch(bytes).records[1]!.timestamp, 4000);
});

Deno.test("records of a LogAppendTime batch take the batch's maxTimestamp", () => {
  const bytes = buildBatch({
    records: [{ timestamp: 1, key: null, value: null }, { timestamp: 2, key: null, value: null }],
    timestampType: TimestampType.LogAppendTime,
    maxTimestamp: 99,
  });
  assert.deepEqual(decodeBatch(bytes).records.map((record) => record.timestamp), [99, 99]);
});

Deno.test("an empty batch (as compaction keeps) has no records and keeps its offset span", () => {
  const bytes = buildBatch({
    baseOffset: 10,
    records: [],
    compression: Compression.Zstd,
    lastOffsetDelta: 4,
  });
  const { header, records } = decodeBatch(bytes);
  assert.deepEqual(records, []);
  assert.equal(header.lastOffsetDelta, 4);
  assert.equal(header.maxTimestamp, -1);
});

Deno.test("buildBatch refuses offsets that do not increase", () => {
  const record = { timestamp: 0, key: null, value: null };
  assert.throws(() =>
    buildBatch({ baseOffset: 5, records: [{ ...record, offset: 5 }, { ...record, offset: 5 }] })
  );
  assert.throws(() => buildBatch({ baseOffset: 5, records: [{ ...record, offset: 4 }] }));
});

function tamper(bytes: Uint8Array, change: (view: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  change(new DataView(copy.buffer));
  sealBatch(copy, 0);
  return copy;
}

Deno.test("malformed batches are rejected with CorruptRecordError", async (t) => {
  const good = buildBatch({
    records: [
      { timestamp: 1, key: encoder.encode("key"), value: encoder.encode("value") },
      { timestamp: 2, key: null, value: encoder.encode("second") },
    ],
  });
  await t.step("a wrong CRC", () => {
    const copy = good.slice();
    copy[copy.length - 1]! ^= 1;
    assert.throws(() => decodeBatch(copy), /CRC32C/);
  });
  await t.step("more records declared than present", () => {
    assert.throws(() => decodeBatch(tamper(good, (view) => view.setInt32(57, 3))), CorruptRecordError);
  });
  await t.step("a huge record count is refused before reading", () => {
    assert.throws(() => decodeBatch(tamper(good, (view) => view.setInt32(57, 2 ** 31 - 1))), /record count/);
  });
  await t.step("fewer records declared than present", () => {
    assert.throws(() => decodeBatch(tamper(good, (view) => view.setInt32(57, 1))), /left after/);
  });
  await t.step("a record length beyond the batch", () => {
    // The first record's length varint is the first byte after the header.
    assert.throws(() => decodeBatch(tamper(good, (view) => view.setUint8(61, 0x7e))), CorruptRecordError);
  });
  await t.step("a key length beyond the record", () => {
    // Record: length, attributes, timestampDelta, offsetDelta, then the key length at 65.
    assert.throws(() => decodeBatch(tamper(good, (view) => view.setUint8(65, 0x40))), CorruptRecordError);
  });
  await t.step("a batch length beyond the buffer", () => {
    assert.throws(() => decodeBatch(tamper(good, (view) => view.setInt32(8, good.length))), /does not fit/);
  });
  await t.step("magic other than 2", () => {
    assert.throws(() => decodeBatch(tamper(good, (view) => view.setInt8(16, 1))), /magic/);
  });
  await t.step("compressed bytes that are not what the codec says", () => {
    assert.throws(
      () => decodeBatch(tamper(good, (view) => view.setInt16(21, Compression.Gzip))),
      CorruptRecordError,
    );
  });
  await t.step("a truncated header", () => {
    assert.throws(() => decodeBatch(good.subarray(0, 40)), CorruptRecordError);
  });
});

Deno.test("mutated batches either decode or throw a Kafka error, never anything else", () => {
  const batches = fc.tuple(fc.constantFrom(...codecs), recordInputs).map(([compression, records]) =>
    buildBatch({ baseOffset: records[0]!.offset!, records, compression })
  );
  fc.assert(
    fc.property(
      batches,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
      fc.boolean(),
      (batch, mutations, resealCrc) => {
        const mutated = batch.slice();
        for (const [index, byte] of mutations) mutated[index % mutated.length] = byte;
        if (resealCrc && mutated.length >= 61) {
          // Resealing gets the mutation past the CRC check into the record parser.
          const batchLength = new DataView(mutated.buffer).getInt32(8);
          if (batchLength >= 49 && batchLength + 12 <= mutated.length) sealBatch(mutated, 0);
        }
        try {
          decodeBatches(mutated, { maxDecompressedBytes: 1_000_000 });
        } catch (error) {
          assert.ok(error instanceof KafkaError, String(error));
        }
      },
    ),
    { numRuns: 2000 },
  );
});
