import assert from "node:assert/strict";
import {
  batchCrcIsValid,
  buildBatch,
  Compression,
  decodeBatch,
  ErrorCode,
  readBatchHeader,
  sealBatch,
  TimestampType,
} from "../protocol/mod.ts";
import { type BatchLimits, validateProducedBatch } from "./batch_validation.ts";

const NOW = 1_700_000_000_000;
const text = (value: string) => new TextEncoder().encode(value);
const limits = (overrides: Partial<BatchLimits> = {}): BatchLimits => ({
  maxMessageBytes: 1_048_588,
  nowMs: NOW,
  createTime: true,
  timestampBeforeMaxMs: Number.MAX_SAFE_INTEGER,
  timestampAfterMaxMs: Number.MAX_SAFE_INTEGER,
  compacted: false,
  topicPartition: "t-0",
  produceVersion: 9,
  ...overrides,
});
const record = (timestamp: number, key: string | null = "k") => ({
  timestamp,
  key: key === null ? null : text(key),
  value: text("v"),
});

Deno.test("the batch's maxTimestamp is recomputed from its records, for every codec", async (t) => {
  for (const compression of [Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4]) {
    await t.step(`codec ${compression}: records without timestamps give -1, not the client's 0`, () => {
      // librdkafka sends records stamped -1 with MaxTimestamp 0: a segment holding them looked 56 years old.
      const bytes = buildBatch({ compression, records: [record(-1), record(-1)], maxTimestamp: 0 });
      const validated = validateProducedBatch(bytes, limits());
      assert.ok(validated.ok);
      assert.equal(validated.header.maxTimestamp, -1);
      assert.equal(readBatchHeader(bytes).maxTimestamp, -1, "the bytes to append carry it");
      assert.ok(batchCrcIsValid(bytes, readBatchHeader(bytes)), "and a valid CRC");
    });
    await t.step(`codec ${compression}: a header below the largest record is raised to it`, () => {
      const bytes = buildBatch({
        compression,
        records: [record(NOW - 5), record(NOW - 1), record(NOW - 3)],
        maxTimestamp: NOW - 5,
      });
      const validated = validateProducedBatch(bytes, limits());
      assert.ok(validated.ok);
      assert.equal(validated.header.maxTimestamp, NOW - 1);
      assert.equal(decodeBatch(bytes).header.maxTimestamp, NOW - 1);
    });
  }
});

Deno.test("a correct maxTimestamp leaves the client's bytes untouched", () => {
  const bytes = buildBatch({ records: [record(NOW - 2), record(NOW - 1)] });
  const before = bytes.slice();
  assert.ok(validateProducedBatch(bytes, limits()).ok);
  assert.deepEqual(bytes, before);
});

Deno.test("LogAppendTime topics stamp the batch with now", () => {
  const bytes = buildBatch({ records: [record(5)] });
  const validated = validateProducedBatch(bytes, limits({ createTime: false }));
  assert.ok(validated.ok);
  assert.equal(validated.header.maxTimestamp, NOW);
  assert.equal(decodeBatch(bytes).records[0]!.timestamp, NOW);
});

Deno.test("every record's timestamp is checked, not only the header's", () => {
  // The header claims a timestamp in range; the second record is far in the past.
  const bytes = buildBatch({ records: [record(NOW), record(NOW - 100_000)], maxTimestamp: NOW });
  const validated = validateProducedBatch(bytes, limits({ timestampBeforeMaxMs: 10_000 }));
  assert.ok(!validated.ok);
  assert.equal(validated.errorCode, ErrorCode.INVALID_TIMESTAMP);
  assert.deepEqual(validated.recordErrors.map((error) => error.batchIndex), [1]);
  assert.match(validated.recordErrors[0]!.message, /out of range/);
  const future = buildBatch({ records: [record(NOW + 60_000)] });
  const refused = validateProducedBatch(future, limits({ timestampAfterMaxMs: 1_000 }));
  assert.ok(!refused.ok);
  assert.equal(refused.errorCode, ErrorCode.INVALID_TIMESTAMP);
});

Deno.test("records without a timestamp pass the timestamp checks", () => {
  const bytes = buildBatch({ records: [record(-1)] });
  assert.ok(validateProducedBatch(bytes, limits({ timestampBeforeMaxMs: 1, timestampAfterMaxMs: 1 })).ok);
});

Deno.test("a client's LogAppendTime batch is refused without a timestamp, and stored as CreateTime with one", () => {
  const untimed = buildBatch({
    records: [record(-1)],
    timestampType: TimestampType.LogAppendTime,
    maxTimestamp: -1,
  });
  const refused = validateProducedBatch(untimed, limits());
  assert.ok(!refused.ok);
  assert.equal(refused.errorCode, ErrorCode.INVALID_TIMESTAMP);
  // Kafka reads such a batch's records as stamped with its maxTimestamp, checks that, and stores CreateTime.
  const timed = buildBatch({
    records: [record(-1)],
    timestampType: TimestampType.LogAppendTime,
    maxTimestamp: 7,
  });
  const validated = validateProducedBatch(timed, limits());
  assert.ok(validated.ok);
  assert.equal(validated.header.attributes & 0x08, 0);
  assert.equal(validated.header.maxTimestamp, 7);
});

Deno.test("records without a key are refused on a compacted topic, by index, compressed or not", () => {
  for (const compression of [Compression.None, Compression.Gzip, Compression.Lz4]) {
    const bytes = buildBatch({
      compression,
      records: [record(1, "a"), record(1, null), record(1, ""), record(1, null)],
    });
    const validated = validateProducedBatch(bytes, limits({ compacted: true }));
    assert.ok(!validated.ok);
    assert.equal(validated.errorCode, ErrorCode.INVALID_RECORD);
    assert.deepEqual(
      validated.recordErrors.map((error) => error.batchIndex),
      [1, 3],
      "an empty key is a key",
    );
    assert.match(validated.recordErrors[0]!.message, /without key in topic partition t-0/);
    assert.match(validated.errorMessage, /2 record errors in total/);
    assert.ok(validateProducedBatch(bytes, limits()).ok, "a topic that is not compacted takes them");
  }
});

Deno.test("header fields that disagree with the records are refused", async (t) => {
  await t.step("a record count above the records held", () => {
    const bytes = buildBatch({ records: [record(1), record(1)] });
    const view = new DataView(bytes.buffer);
    view.setInt32(57, 3);
    view.setInt32(23, 2);
    sealBatch(bytes, 0);
    const validated = validateProducedBatch(bytes, limits());
    assert.ok(!validated.ok);
    assert.equal(validated.errorCode, ErrorCode.CORRUPT_MESSAGE);
  });
  await t.step("a record count below the records held", () => {
    const bytes = buildBatch({ records: [record(1), record(1)] });
    const view = new DataView(bytes.buffer);
    view.setInt32(57, 1);
    view.setInt32(23, 0);
    sealBatch(bytes, 0);
    const validated = validateProducedBatch(bytes, limits());
    assert.ok(!validated.ok);
    assert.equal(validated.errorCode, ErrorCode.CORRUPT_MESSAGE);
  });
  await t.step("offset deltas out of order", () => {
    const bytes = buildBatch({
      records: [{ ...record(1), offset: 0 }, { ...record(1), offset: 2 }],
      lastOffsetDelta: 1,
    });
    const validated = validateProducedBatch(bytes, limits());
    assert.ok(!validated.ok);
    assert.equal(validated.errorCode, ErrorCode.INVALID_RECORD);
  });
  await t.step("a producer id without a sequence", () => {
    const bytes = buildBatch({ records: [record(1)], producerId: 7, producerEpoch: 0, baseSequence: -1 });
    const validated = validateProducedBatch(bytes, limits());
    assert.ok(!validated.ok);
    assert.equal(validated.errorCode, ErrorCode.INVALID_RECORD);
    assert.match(validated.errorMessage, /Invalid sequence number -1/);
  });
});

Deno.test("zstd batches need Produce v7 or later", () => {
  const bytes = buildBatch({ compression: Compression.Zstd, records: [record(1)] });
  const refused = validateProducedBatch(bytes.slice(), limits({ produceVersion: 6 }));
  assert.ok(!refused.ok);
  assert.equal(refused.errorCode, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
  assert.ok(validateProducedBatch(bytes, limits({ produceVersion: 7 })).ok);
});

Deno.test("int64 header fields and record timestamps beyond 2^53 are refused, never rounded", async (t) => {
  const tampered = (offset: number, value: bigint) => {
    const bytes = buildBatch({ records: [record(NOW)] });
    new DataView(bytes.buffer).setBigInt64(offset, value);
    sealBatch(bytes, 0);
    return validateProducedBatch(bytes, limits());
  };
  await t.step("a producer id", () => {
    const refused = tampered(43, 2n ** 60n);
    assert.ok(!refused.ok);
    assert.equal(refused.errorCode, ErrorCode.INVALID_RECORD);
  });
  await t.step("the base timestamp", () => {
    const refused = tampered(27, 2n ** 60n);
    assert.ok(!refused.ok);
    assert.equal(refused.errorCode, ErrorCode.INVALID_TIMESTAMP);
  });
  await t.step("a record's timestamp delta", () => {
    // A safe base plus a delta of 2^53 leaves the safe range only in the record.
    const bytes = buildBatch({ records: [record(NOW), record(NOW + 2 ** 53)], maxTimestamp: NOW });
    const refused = validateProducedBatch(bytes, limits());
    assert.ok(!refused.ok);
    assert.equal(refused.errorCode, ErrorCode.INVALID_TIMESTAMP);
    assert.deepEqual(refused.recordErrors.map((error) => error.batchIndex), [1]);
  });
});
