import assert from "node:assert/strict";
import { ManualClock, SeededRandom, SimDisk } from "../io/sim/mod.ts";
import { RaftStore } from "./raft_store.ts";
import type { Ready } from "./ready.ts";
import { buildSnapshotBytes } from "./snapshot_file.ts";
import type { RaftBatch } from "./types.ts";

const DIRECTORY = "/data/__cluster_metadata-0";

function batch(baseOffset: number, epoch: number, value = baseOffset, size = 1): RaftBatch {
  const bytes = new Uint8Array(size).fill(value);
  return { baseOffset, epoch, appendTimeMs: 0, control: false, records: [{ type: "data", value: bytes }] };
}

function ready(parts: Partial<Ready>): Ready {
  return {
    quorumState: null,
    snapshot: null,
    truncateTo: null,
    batches: [],
    messages: [],
    committed: [],
    highWatermark: null,
    logStartOffset: null,
    ...parts,
  };
}

function setup(segmentBytes = 1024 * 1024) {
  const disk = new SimDisk(new SeededRandom(4), { tornWriteProbability: 1 });
  const clock = new ManualClock();
  const open = () =>
    RaftStore.open({
      disk: disk.view(null),
      clock,
      directory: DIRECTORY,
      voters: [1, 2, 3],
      config: { segmentBytes },
    });
  return { disk, clock, open };
}

Deno.test("a Ready's quorum state and batches are found again after a restart", () => {
  const { open } = setup();
  const store = open();
  store.persist(
    ready({ quorumState: { epoch: 3, leaderId: 2, votedId: 2 }, batches: [batch(0, 1), batch(1, 3)] }),
    0,
  );
  store.close();
  const loaded = open().load();
  assert.deepEqual(loaded.quorumState, { epoch: 3, leaderId: 2, votedId: 2 });
  assert.deepEqual(loaded.batches, [batch(0, 1), batch(1, 3)]);
  assert.equal(loaded.snapshot, null);
});

Deno.test("appends not yet synced are lost in a power loss, and what is left is a clean prefix", () => {
  const { disk, open } = setup();
  const store = open();
  store.persist(ready({ batches: [batch(0, 1), batch(1, 1)] }), 0);
  store.persist(ready({ batches: [batch(2, 1), batch(3, 1)] }), 0, { sync: false });
  disk.crash();
  const loaded = open().load();
  assert.deepEqual(loaded.batches.map((read) => read.baseOffset).slice(0, 2), [0, 1]);
  loaded.batches.forEach((read, index) => assert.equal(read.baseOffset, index));
});

Deno.test("a truncation is durable once the appends after it are synced, even when they roll a segment", () => {
  const { disk, open } = setup(200);
  const store = open();
  store.persist(ready({ batches: [0, 1, 2, 3].map((offset) => batch(offset, 1)) }), 0);
  assert.deepEqual(store.log.segmentBaseOffsets(), [0, 2]);
  // Cut inside the first segment, then append a batch too big for it: a new segment starts at 1.
  store.persist(ready({ truncateTo: 1, batches: [batch(1, 2, 9, 100)] }), 0, { sync: false });
  assert.deepEqual(store.log.segmentBaseOffsets(), [0, 1]);
  store.sync(0);
  disk.crash();
  const loaded = open().load();
  assert.deepEqual(loaded.batches.map((read) => [read.baseOffset, read.epoch]), [[0, 1], [1, 2]]);
});

Deno.test("a fetched snapshot replaces the log; a local one moves the log start", () => {
  const { open } = setup();
  const store = open();
  store.persist(ready({ batches: [batch(0, 1), batch(1, 1)] }), 0);
  const snapshotId = { endOffset: 10, epoch: 2 };
  const snapshot = {
    id: snapshotId,
    bytes: buildSnapshotBytes({
      snapshotId,
      lastContainedLogTimestampMs: 0,
      values: [[new Uint8Array([7])]],
    }),
  };
  store.persist(ready({ snapshot, batches: [batch(10, 2), batch(11, 2)] }), 0);
  store.close();
  const loaded = open().load();
  assert.deepEqual(loaded.snapshot?.id, snapshotId);
  assert.deepEqual(loaded.batches.map((read) => read.baseOffset), [10, 11]);
});
