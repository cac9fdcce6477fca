import assert from "node:assert/strict";
import { Compression, readBatchHeader } from "../../protocol/record_batch.ts";
import { buildBatch, CorruptRecordError } from "../../protocol/records.ts";
import { describeRecordErrors, recordsWithoutKey } from "./key_check.ts";
import { isCompactedPolicy, parseCleanupPolicy } from "./compaction_config.ts";

const text = (value: string) => new TextEncoder().encode(value);

Deno.test("records without a key are reported by their index in the batch, compressed or not", () => {
  for (const compression of [Compression.None, Compression.Gzip, Compression.Lz4]) {
    const bytes = buildBatch({
      compression,
      records: [
        { timestamp: 1, key: text("a"), value: text("1") },
        { timestamp: 1, key: null, value: text("2") },
        { timestamp: 1, key: new Uint8Array(0), value: text("3") },
        { timestamp: 1, key: null, value: null },
      ],
    });
    const errors = recordsWithoutKey(bytes, readBatchHeader(bytes, 0), "t-0");
    assert.deepEqual(errors.map((error) => error.batchIndex), [1, 3], "an empty key is a key");
    assert.ok(errors[0]!.message.includes("without key in topic partition t-0"));
    assert.match(describeRecordErrors(errors), /^2 record\(s\) refused: record 1: /);
  }
});

Deno.test("a batch whose records cannot be decoded throws a CorruptRecordError", () => {
  const bytes = buildBatch({ records: [{ timestamp: 1, key: text("a"), value: text("1") }] });
  bytes[bytes.length - 3] = 0x7f;
  assert.throws(() => recordsWithoutKey(bytes, readBatchHeader(bytes, 0), "t-0"), CorruptRecordError);
});

Deno.test("cleanup.policy values are read as Kafka lists them", () => {
  assert.deepEqual(parseCleanupPolicy("compact"), { compact: true, delete: false });
  assert.deepEqual(parseCleanupPolicy("compact, delete"), { compact: true, delete: true });
  assert.deepEqual(parseCleanupPolicy(["delete"]), { compact: false, delete: true });
  assert.equal(isCompactedPolicy("Delete,COMPACT"), true);
  assert.equal(isCompactedPolicy(""), false);
});
