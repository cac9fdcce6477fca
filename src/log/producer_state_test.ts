import assert from "node:assert/strict";
import fc from "fast-check";
import { buildBatch, buildSimpleBatch, type TestBatchOptions } from "./_batch_builder_test_support.ts";
import { ManualClock, MemoryDisk } from "../io/sim/mod.ts";
import { LogErrorCode } from "./log_errors.ts";
import { PartitionLog, type PartitionLogOptions } from "./partition_log.ts";
import {
  CorruptSnapshotError,
  decodeProducerSnapshot,
  encodeProducerSnapshot,
  type ProducerSnapshotEntry,
} from "./producer_snapshot.ts";
import { decrementSequence, incrementSequence, MAX_SEQUENCE } from "./producer_state_entry.ts";

const DIRECTORY = "/data/payments-0";
const PRODUCER = 4000;

function openLog(
  disk: MemoryDisk,
  clock: ManualClock,
  options: Partial<PartitionLogOptions> = {},
): PartitionLog {
  return PartitionLog.open({
    disk,
    clock,
    directory: DIRECTORY,
    topic: "payments",
    partition: 0,
    config: { segmentBytes: 1500, indexIntervalBytes: 100 },
    ...options,
  });
}

function idempotent(count: number, baseSequence: number, options: TestBatchOptions = {}): Uint8Array {
  return buildSimpleBatch(count, {
    producerId: PRODUCER,
    producerEpoch: 0,
    baseSequence,
    baseTimestamp: 1_700_000_000_000,
    ...options,
  });
}

function append(log: PartitionLog, bytes: Uint8Array) {
  return log.append(bytes, { leaderEpoch: 0, nowMs: 1_700_000_000_000 });
}

/** A transaction marker (COMMIT = 1, ABORT = 0) as the coordinator writes it. */
function marker(type: number, producerEpoch: number, coordinatorEpoch: number): Uint8Array {
  const key = new Uint8Array(4);
  new DataView(key.buffer).setInt16(2, type);
  const value = new Uint8Array(6);
  new DataView(value.buffer).setInt32(2, coordinatorEpoch);
  return buildBatch([{ key, value }], {
    attributes: 0x30,
    producerId: PRODUCER,
    producerEpoch,
    baseTimestamp: 1_700_000_000_000,
  });
}

Deno.test("a retried batch is answered with its first offsets and not written again", () => {
  const log = openLog(new MemoryDisk(), new ManualClock());
  append(log, buildSimpleBatch(2));
  const first = append(log, idempotent(3, 0));
  assert.deepEqual([first.baseOffset, first.lastOffset, first.duplicate], [2, 4, false]);
  append(log, idempotent(2, 3));
  const retry = append(log, idempotent(3, 0));
  assert.deepEqual([retry.errorCode, retry.baseOffset, retry.lastOffset, retry.duplicate], [0, 2, 4, true]);
  assert.equal(log.logEndOffset, 7);
});

Deno.test("sequence numbers must follow on in the same epoch", () => {
  const log = openLog(new MemoryDisk(), new ManualClock());
  assert.equal(append(log, idempotent(3, 0)).errorCode, 0);
  assert.equal(append(log, idempotent(1, 4)).errorCode, LogErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.equal(append(log, idempotent(1, 2)).errorCode, LogErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.equal(append(log, idempotent(1, 3)).errorCode, 0);
  assert.equal(log.logEndOffset, 4);
});

Deno.test("only the last five batches are remembered for duplicates", () => {
  const log = openLog(new MemoryDisk(), new ManualClock());
  for (let batch = 0; batch < 6; batch++) append(log, idempotent(1, batch));
  assert.equal(append(log, idempotent(1, 1)).duplicate, true);
  assert.equal(append(log, idempotent(1, 0)).errorCode, LogErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
});

Deno.test("an older producer epoch is fenced and a new epoch starts at sequence 0", () => {
  const log = openLog(new MemoryDisk(), new ManualClock());
  append(log, idempotent(2, 0, { producerEpoch: 3 }));
  assert.equal(
    append(log, idempotent(1, 2, { producerEpoch: 2 })).errorCode,
    LogErrorCode.INVALID_PRODUCER_EPOCH,
  );
  assert.equal(
    append(log, idempotent(1, 2, { producerEpoch: 4 })).errorCode,
    LogErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
  );
  assert.equal(append(log, idempotent(1, 0, { producerEpoch: 4 })).errorCode, 0);
  assert.equal(log.producerState.lastEntry(PRODUCER)!.producerEpoch, 4);
});

Deno.test("a producer the log does not know may start at any sequence (Kafka 2.5+)", () => {
  const log = openLog(new MemoryDisk(), new ManualClock());
  assert.equal(append(log, idempotent(2, 42)).errorCode, 0);
  assert.equal(append(log, idempotent(1, 44)).errorCode, 0);
});

Deno.test("sequence numbers wrap from Int32.MAX to 0", () => {
  assert.equal(incrementSequence(MAX_SEQUENCE - 1, 2), 0);
  assert.equal(decrementSequence(0, 2), MAX_SEQUENCE - 1);
  const log = openLog(new MemoryDisk(), new ManualClock());
  append(log, idempotent(1, MAX_SEQUENCE - 3));
  assert.equal(append(log, idempotent(4, MAX_SEQUENCE - 2)).errorCode, 0);
  assert.equal(append(log, idempotent(4, MAX_SEQUENCE - 2)).duplicate, true);
  assert.equal(append(log, idempotent(1, 2)).errorCode, LogErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.equal(append(log, idempotent(1, 1)).errorCode, 0);
});

Deno.test("increment and decrement of sequences are inverse", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: MAX_SEQUENCE }),
      fc.integer({ min: 0, max: 100_000 }),
      (start, step) => {
        assert.equal(decrementSequence(incrementSequence(start, step), step), start);
      },
    ),
  );
});

Deno.test("transactions open with a transactional batch and close with a marker", () => {
  const log = openLog(new MemoryDisk(), new ManualClock());
  append(log, buildSimpleBatch(1));
  append(log, idempotent(2, 0, { attributes: 0x10 }));
  assert.equal(log.producerState.firstUndecidedOffset(), 1);
  assert.equal(append(log, idempotent(1, 2)).errorCode, LogErrorCode.INVALID_TXN_STATE);
  const committed = log.append(marker(1, 0, 5), { leaderEpoch: 0, nowMs: 0, origin: "coordinator" });
  assert.deepEqual(committed.completedTransactions, [{
    producerId: PRODUCER,
    firstOffset: 1,
    lastOffset: 3,
    isAborted: false,
  }]);
  assert.equal(log.producerState.firstUndecidedOffset(), null);
  assert.equal(log.producerState.lastEntry(PRODUCER)!.coordinatorEpoch, 5);
  const stale = log.append(marker(0, 0, 4), { leaderEpoch: 0, nowMs: 0, origin: "coordinator" });
  assert.equal(stale.errorCode, LogErrorCode.TRANSACTION_COORDINATOR_FENCED);
});

Deno.test("producer state survives a clean restart through the snapshot at the log end", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openLog(disk, clock);
  append(log, idempotent(3, 0));
  append(log, idempotent(3, 3));
  log.close();
  assert.ok(disk.exists(`${DIRECTORY}/00000000000000000006.snapshot`));
  const reopened = openLog(disk, clock, { hadCleanShutdown: true });
  assert.equal(append(reopened, idempotent(3, 3)).duplicate, true);
  assert.equal(append(reopened, idempotent(1, 7)).errorCode, LogErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.equal(append(reopened, idempotent(1, 6)).baseOffset, 6);
});

Deno.test("producer state is rebuilt from the log after a crash, from the last roll's snapshot", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openLog(disk, clock);
  for (let batch = 0; batch < 40; batch++) append(log, idempotent(2, batch * 2));
  const segments = log.segmentBaseOffsets();
  assert.ok(segments.length > 2);
  const snapshots = disk.list(DIRECTORY).filter((name) => name.endsWith(".snapshot"));
  assert.deepEqual(
    snapshots,
    segments.slice(1).map((offset) => `${String(offset).padStart(20, "0")}.snapshot`),
  );
  const reopened = openLog(disk, clock, { recoveryPoint: log.recoveryPoint });
  assert.equal(append(reopened, idempotent(2, 78)).duplicate, true);
  assert.equal(append(reopened, idempotent(2, 80)).baseOffset, 80);
});

Deno.test("a corrupt snapshot is deleted and the state rebuilt from an older one", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openLog(disk, clock);
  for (let batch = 0; batch < 40; batch++) append(log, idempotent(2, batch * 2));
  const latest = log.segmentBaseOffsets().at(-1)!;
  const path = `${DIRECTORY}/${String(latest).padStart(20, "0")}.snapshot`;
  disk.corruptByte(path, 20);
  const reopened = openLog(disk, clock, { recoveryPoint: 0 });
  assert.equal(append(reopened, idempotent(2, 78)).duplicate, true);
  assert.equal(reopened.producerState.lastEntry(PRODUCER)!.batches.at(-1)!.lastOffset, 79);
});

Deno.test("producers idle past producer.id.expiration.ms are forgotten", () => {
  const log = openLog(new MemoryDisk(), new ManualClock(), { config: { producerIdExpirationMs: 1000 } });
  append(log, idempotent(1, 0));
  log.removeExpiredProducers(1_700_000_000_999);
  assert.notEqual(log.producerState.lastEntry(PRODUCER), null);
  log.removeExpiredProducers(1_700_000_001_000);
  assert.equal(log.producerState.lastEntry(PRODUCER), null);
});

Deno.test("stray snapshots are removed at load, except the one past every segment", () => {
  const disk = new MemoryDisk();
  const clock = new ManualClock();
  const log = openLog(disk, clock);
  append(log, idempotent(3, 0));
  log.close();
  disk.writeFileAtomic(`${DIRECTORY}/00000000000000000001.snapshot`, encodeProducerSnapshot([]));
  openLog(disk, clock, { hadCleanShutdown: true });
  assert.deepEqual(disk.list(DIRECTORY).filter((name) => name.endsWith(".snapshot")), [
    "00000000000000000003.snapshot",
  ]);
});

const snapshotEntry: fc.Arbitrary<ProducerSnapshotEntry> = fc.record({
  producerId: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  producerEpoch: fc.integer({ min: -1, max: 32767 }),
  lastSequence: fc.integer({ min: -1, max: MAX_SEQUENCE }),
  lastOffset: fc.integer({ min: -1, max: Number.MAX_SAFE_INTEGER }),
  offsetDelta: fc.integer({ min: 0, max: MAX_SEQUENCE }),
  timestamp: fc.integer({ min: -1, max: 4_000_000_000_000 }),
  coordinatorEpoch: fc.integer({ min: -1, max: MAX_SEQUENCE }),
  currentTxnFirstOffset: fc.integer({ min: -1, max: Number.MAX_SAFE_INTEGER }),
});

Deno.test("producer snapshots round-trip and reject damage", () => {
  fc.assert(fc.property(fc.array(snapshotEntry, { maxLength: 20 }), (entries) => {
    const bytes = encodeProducerSnapshot(entries);
    assert.equal(bytes.length, 10 + 46 * entries.length);
    assert.deepEqual(decodeProducerSnapshot(bytes), entries.map((entry) => ({ ...entry })));
    if (entries.length > 0) {
      bytes[12] = bytes[12]! ^ 1;
      assert.throws(() => decodeProducerSnapshot(bytes), CorruptSnapshotError);
    }
  }));
  assert.throws(
    () => decodeProducerSnapshot(new Uint8Array([0, 2, 0, 0, 0, 0, 0, 0, 0, 0])),
    CorruptSnapshotError,
  );
});
