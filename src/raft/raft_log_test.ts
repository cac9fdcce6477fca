import assert from "node:assert/strict";
import { RaftLog } from "./raft_log.ts";
import type { RaftBatch } from "./types.ts";

/** A data batch of `count` records at `baseOffset` in `epoch`. */
function batch(baseOffset: number, epoch: number, count = 1): RaftBatch {
  return {
    baseOffset,
    epoch,
    appendTimeMs: 0,
    control: false,
    records: Array.from({ length: count }, () => ({ type: "data" as const, value: new Uint8Array([epoch]) })),
  };
}

/** Epoch 1 at 0-2, epoch 3 at 3-5, epoch 4 at 6. */
function sample(): RaftLog {
  return RaftLog.restore({ batches: [batch(0, 1, 2), batch(2, 1), batch(3, 3, 3), batch(6, 4)] });
}

Deno.test("the end offset of an epoch is where the next epoch starts, or the log end for the last", () => {
  const log = sample();
  assert.deepEqual(log.endOffsetForEpoch(1), { offset: 3, epoch: 1 });
  assert.deepEqual(
    log.endOffsetForEpoch(2),
    { offset: 3, epoch: 1 },
    "an epoch without records ends with the one before",
  );
  assert.deepEqual(log.endOffsetForEpoch(3), { offset: 6, epoch: 3 });
  assert.deepEqual(log.endOffsetForEpoch(4), { offset: 7, epoch: 4 });
  assert.deepEqual(log.endOffsetForEpoch(9), { offset: 7, epoch: 4 }, "a later epoch: the log end");
  assert.deepEqual(log.epochStarts(), [{ epoch: 1, startOffset: 0 }, { epoch: 3, startOffset: 3 }, {
    epoch: 4,
    startOffset: 6,
  }]);
});

Deno.test("a fetch position is valid only where the fetcher's last epoch ends at or after it", () => {
  const log = sample();
  assert.deepEqual(log.validateOffsetAndEpoch(0, 0), { kind: "valid" });
  assert.deepEqual(log.validateOffsetAndEpoch(3, 1), { kind: "valid" });
  assert.deepEqual(log.validateOffsetAndEpoch(5, 3), { kind: "valid" });
  assert.deepEqual(log.validateOffsetAndEpoch(7, 4), { kind: "valid" });
  assert.deepEqual(log.validateOffsetAndEpoch(5, 1), { kind: "diverging", endOffset: 3, epoch: 1 });
  assert.deepEqual(log.validateOffsetAndEpoch(5, 2), { kind: "diverging", endOffset: 3, epoch: 1 });
  assert.deepEqual(log.validateOffsetAndEpoch(9, 4), { kind: "diverging", endOffset: 7, epoch: 4 });
});

Deno.test("a follower truncates to the lower of its own and the leader's end of the diverging epoch", () => {
  const follower = RaftLog.restore({ batches: [batch(0, 1, 2), batch(2, 1, 3), batch(5, 2, 2)] });
  assert.equal(follower.truncationOffsetFor({ offset: 3, epoch: 1 }), 3);
  assert.equal(follower.truncationOffsetFor({ offset: 9, epoch: 1 }), 5);
  // The follower never had epoch 3: it keeps up to the end of its epoch below.
  assert.equal(follower.truncationOffsetFor({ offset: 6, epoch: 3 }), 7);
  follower.truncateTo(5);
  assert.equal(follower.endOffset, 5);
  assert.equal(follower.lastFetchedEpoch, 1);
  assert.throws(() => follower.truncateTo(1), /inside a batch/);
});

Deno.test("a snapshot replaces the prefix it covers, and positions below it are sent to it", () => {
  const log = sample();
  const snapshot = { id: { endOffset: 3, epoch: 1 }, bytes: new Uint8Array([1]) };
  log.compactTo(snapshot);
  assert.equal(log.startOffset, 3);
  assert.equal(log.batches.length, 2);
  assert.deepEqual(log.validateOffsetAndEpoch(2, 1), {
    kind: "snapshot",
    snapshotId: { endOffset: 3, epoch: 1 },
  });
  assert.deepEqual(log.validateOffsetAndEpoch(0, 0), {
    kind: "snapshot",
    snapshotId: { endOffset: 3, epoch: 1 },
  });
  assert.deepEqual(log.validateOffsetAndEpoch(3, 1), { kind: "valid" }, "right at the snapshot end");
  assert.deepEqual(log.endOffsetForEpoch(1), { offset: 3, epoch: 1 });
  assert.throws(
    () => log.compactTo({ id: { endOffset: 4, epoch: 3 }, bytes: new Uint8Array() }),
    /inside a batch/,
  );

  const fresh = RaftLog.restore();
  fresh.installSnapshot({ id: { endOffset: 50, epoch: 7 }, bytes: new Uint8Array([2]) });
  assert.deepEqual(fresh.endOffsetAndEpoch, { offset: 50, epoch: 7 });
  assert.equal(fresh.epochOfOffset(49), 7);
});

Deno.test("restore drops batches the snapshot covers and refuses gaps", () => {
  const snapshot = { id: { endOffset: 3, epoch: 1 }, bytes: new Uint8Array() };
  const log = RaftLog.restore({ snapshot, batches: [batch(0, 1, 3), batch(3, 3)] });
  assert.equal(log.startOffset, 3);
  assert.equal(log.endOffset, 4);
  assert.throws(
    () => RaftLog.restore({ batches: [batch(0, 1), batch(2, 1)] }),
    /does not start at the log end/,
  );
  assert.throws(() => RaftLog.restore({ batches: [batch(0, 2), batch(1, 1)] }), /below the log's last epoch/);
});

Deno.test("reads return whole batches up to the size limit, at least one", () => {
  const log = sample();
  const size = () => 100;
  assert.deepEqual(log.read(0, 1, size).map((read) => read.baseOffset), [0]);
  assert.deepEqual(log.read(1, 250, size).map((read) => read.baseOffset), [0, 2]);
  assert.deepEqual(log.read(4, 10_000, size).map((read) => read.baseOffset), [3, 6]);
  assert.deepEqual(log.read(7, 10_000, size), []);
});
