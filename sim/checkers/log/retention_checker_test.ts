/** The retention checker accepts what retention.ms allows and catches each early deletion it claims to. */
import assert from "node:assert/strict";
import {
  buildBatch,
  ErrorCode,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  NO_TIMESTAMP,
} from "../../../src/protocol/mod.ts";
import { SeededRandom, SimDisk } from "../../../src/io/sim/mod.ts";
import { makeRecords, recordInputs } from "../../scenarios/node/records.ts";
import type { AttemptedBatch } from "./ledger.ts";
import { LogChecker } from "./log_checker.ts";

const RETENTION_MS = 1000;
const FOLDER = "/data/topic-0";
const START_MS = 1_700_000_000_000;

/** A log directory with one partition, its checker watching, and a wall clock the test moves. */
function setUp() {
  let wallMs = START_MS;
  const disk = new SimDisk(new SeededRandom(1), {}, () => wallMs);
  const view = disk.view(null);
  view.mkdirs(FOLDER);
  const checker = new LogChecker({
    flushEveryMessage: false,
    logDirectory: "/data",
    topics: new Set(["topic"]),
    retentionMs: RETENTION_MS,
  });
  checker.retention.watch(disk, () => wallMs);
  let batches = 0;
  /** Writes an acknowledged one-record batch stamped `timestampMs` at `offset` into segment `base`. */
  const write = (base: number, offset: number, timestampMs: number): AttemptedBatch => {
    const batchId = `producer.${++batches}`;
    const records = makeRecords(new SeededRandom(batches), batchId, 1, { valueBytesMax: 8 });
    const batch: AttemptedBatch = {
      batchId,
      topic: "topic",
      partition: 0,
      producerId: NO_PRODUCER_ID,
      producerEpoch: -1,
      baseSequence: NO_SEQUENCE,
      records,
      timestampMs,
      headerMaxTimestampMs: Math.max(0, timestampMs),
      inDoubt: false,
      refused: false,
      acknowledged: false,
      attempts: 1,
    };
    checker.ledger.add(batch);
    const file = view.open(segmentPath(base), { create: true });
    file.append(buildBatch({ baseOffset: offset, records: recordInputs(records, timestampMs) }));
    file.close();
    checker.acknowledged(1, batch, offset);
    return batch;
  };
  const fetchBelowStart = (logStartOffset: number) =>
    checker.fetched({
      incarnation: 1,
      topic: "topic",
      partition: 0,
      fetchOffset: 0,
      floorAtSend: 0,
      errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
      highWatermark: 10,
      logStartOffset,
      records: new Uint8Array(0),
    });
  return {
    checker,
    write,
    fetchBelowStart,
    /** Retention's move: the oldest segment goes at wall time `atMs`. */
    deleteSegment: (base: number, atMs: number) => {
      wallMs = atMs;
      view.rename(segmentPath(base), `${segmentPath(base)}.deleted`);
    },
  };
}

function segmentPath(base: number): string {
  return `${FOLDER}/${String(base).padStart(20, "0")}.log`;
}

Deno.test("a segment whose newest record is older than retention.ms may go, and its records then lie below the log start", () => {
  const { checker, write, deleteSegment, fetchBelowStart } = setUp();
  write(0, 0, START_MS - 500);
  write(0, 1, START_MS - 200);
  write(2, 2, START_MS);
  deleteSegment(0, START_MS - 200 + RETENTION_MS + 1);
  assert.equal(checker.violations.first, null);
  assert.equal(checker.retention.stats.recordsDeleted, 2);
  assert.equal(fetchBelowStart(2).nextOffset, 2);
  assert.equal(checker.violations.first, null);
});

Deno.test("a segment deleted while its newest record is within retention.ms is a violation", () => {
  const { checker, write, deleteSegment } = setUp();
  write(0, 0, START_MS - 5000);
  write(0, 1, START_MS);
  write(2, 2, START_MS);
  deleteSegment(0, START_MS + RETENTION_MS);
  assert.equal(
    checker.violations.first?.invariant,
    "retention deletes only segments older than retention.ms",
  );
  assert.match(checker.violations.first!.message, /is 1000 ms old, retention.ms=1000/);
});

Deno.test("records without timestamps live for retention.ms after their file's last write, as the header's 0 must not say 1970", async (t) => {
  await t.step("deleted too early", () => {
    const { checker, write, deleteSegment } = setUp();
    write(0, 0, NO_TIMESTAMP);
    write(1, 1, START_MS);
    deleteSegment(0, START_MS + RETENTION_MS - 1);
    assert.match(checker.violations.first!.message, /the file's mtime/);
  });
  await t.step("deleted in time", () => {
    const { checker, write, deleteSegment } = setUp();
    write(0, 0, NO_TIMESTAMP);
    write(1, 1, START_MS);
    deleteSegment(0, START_MS + RETENTION_MS + 1);
    assert.equal(checker.violations.first, null);
  });
  await t.step("sharing a segment with an older stamped record, they go with it (as in Kafka)", () => {
    const { checker, write, deleteSegment } = setUp();
    write(0, 0, START_MS - 5000);
    write(0, 1, NO_TIMESTAMP);
    write(2, 2, START_MS);
    deleteSegment(0, START_MS + 1);
    assert.equal(checker.violations.first, null);
  });
});

Deno.test("an acknowledged record below the log start that retention never deleted is a violation", () => {
  const { write, fetchBelowStart } = setUp();
  write(0, 0, START_MS - 5000);
  write(1, 1, START_MS);
  assert.throws(() => fetchBelowStart(1), /records leave the log only by retention/);
});

Deno.test("with retention.ms=-1 a log start above zero is a violation", () => {
  const checker = new LogChecker({
    flushEveryMessage: false,
    logDirectory: "/data",
    topics: new Set(["topic"]),
    retentionMs: -1,
  });
  assert.throws(
    () =>
      checker.fetched({
        incarnation: 1,
        topic: "topic",
        partition: 0,
        fetchOffset: 0,
        floorAtSend: 0,
        errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
        highWatermark: 3,
        logStartOffset: 2,
        records: new Uint8Array(0),
      }),
    /nothing is deleted/,
  );
});
