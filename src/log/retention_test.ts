import assert from "node:assert/strict";
import { decideRetention, type RetentionLimits, type SegmentRetentionFacts } from "./retention.ts";

const NOW = 1_000_000;

/** Segments of 100 bytes and 10 offsets each, the oldest first, with the given newest timestamps. */
function segments(...timestamps: number[]): SegmentRetentionFacts[] {
  return timestamps.map((timestamp, index) => ({
    baseOffset: index * 10,
    sizeBytes: 100,
    largestTimestampMs: timestamp,
  }));
}

function limits(overrides: Partial<RetentionLimits>): RetentionLimits {
  return {
    nowMs: NOW,
    logStartOffset: 0,
    logEndOffset: 40,
    highWatermark: 40,
    retentionMs: -1,
    retentionBytes: -1,
    deleteEnabled: true,
    ...overrides,
  };
}

Deno.test("retention.ms deletes the oldest segments whose newest record is older than the limit", () => {
  const log = segments(NOW - 5000, NOW - 3000, NOW - 1000, NOW);
  assert.deepEqual(decideRetention(log, limits({ retentionMs: 2000 })), {
    count: 2,
    reasons: ["retention-ms", "retention-ms"],
  });
  // Exactly at the limit is kept: Kafka deletes only when now - timestamp > retention.ms.
  assert.equal(decideRetention(log, limits({ retentionMs: 3000 })).count, 1);
  assert.equal(decideRetention(log, limits({ retentionMs: -1 })).count, 0);
});

Deno.test("retention.ms stops at the first segment it keeps, even if later ones are old", () => {
  const log = segments(NOW - 5000, NOW, NOW - 5000, NOW);
  assert.equal(decideRetention(log, limits({ retentionMs: 1000 })).count, 1);
});

Deno.test("a wholly expired log is deleted whole, the caller rolling a new segment first", () => {
  const log = segments(NOW - 5000, NOW - 5000, NOW - 5000);
  assert.equal(
    decideRetention(log, limits({ retentionMs: 1000, logEndOffset: 30, highWatermark: 30 })).count,
    3,
  );
});

Deno.test("an empty active segment is never deleted", () => {
  const log = [...segments(NOW - 5000, NOW - 5000), { baseOffset: 20, sizeBytes: 0, largestTimestampMs: 0 }];
  assert.equal(
    decideRetention(log, limits({ retentionMs: 1000, logEndOffset: 20, highWatermark: 20 })).count,
    2,
  );
});

Deno.test("retention.bytes deletes the oldest segments while the rest stays at least that large", () => {
  const log = segments(NOW, NOW, NOW, NOW);
  assert.equal(decideRetention(log, limits({ retentionBytes: 250 })).count, 1);
  assert.equal(decideRetention(log, limits({ retentionBytes: 200 })).count, 2);
  assert.equal(decideRetention(log, limits({ retentionBytes: 400 })).count, 0);
  assert.equal(decideRetention(log, limits({ retentionBytes: 0 })).count, 4);
});

Deno.test("nothing at or above the high watermark is deleted", () => {
  const log = segments(NOW - 5000, NOW - 5000, NOW - 5000, NOW - 5000);
  assert.equal(decideRetention(log, limits({ retentionMs: 1000, highWatermark: 25 })).count, 2);
  assert.equal(decideRetention(log, limits({ retentionMs: 1000, highWatermark: 9 })).count, 0);
});

Deno.test("segments below the log start go whatever the policy; the retention limits only with delete", () => {
  const log = segments(NOW - 5000, NOW - 5000, NOW - 5000, NOW);
  const compacted = limits({
    logStartOffset: 15,
    retentionMs: 1000,
    retentionBytes: 0,
    deleteEnabled: false,
  });
  assert.deepEqual(decideRetention(log, compacted), { count: 1, reasons: ["log-start-offset"] });
  const deleting = limits({ logStartOffset: 20, retentionMs: 1000 });
  assert.deepEqual(decideRetention(log, deleting).reasons, [
    "log-start-offset",
    "log-start-offset",
    "retention-ms",
  ]);
});

Deno.test("the size pass counts only what the start-offset pass left", () => {
  const log = segments(NOW, NOW, NOW, NOW);
  assert.deepEqual(decideRetention(log, limits({ logStartOffset: 10, retentionBytes: 200 })).reasons, [
    "log-start-offset",
    "retention-bytes",
  ]);
});
