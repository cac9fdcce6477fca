import assert from "node:assert/strict";
import { decodeRaftBatches, encodeRaftBatches } from "./batch_codec.ts";
import { RaftLog } from "./raft_log.ts";
import { buildSnapshotBytes } from "./snapshot_file.ts";
import type { RaftBatch, VoterInfo } from "./types.ts";

function voter(id: number): VoterInfo {
  return {
    voterId: id,
    directoryId: id === 1 ? null : "AAAAAAAAAAAAAAAAAAAAAQ",
    endpoints: [{ name: "CONTROLLER", host: `host-${id}`, port: 9000 + id }],
    kraftVersionMin: 0,
    kraftVersionMax: 1,
  };
}

function votersBatch(baseOffset: number, epoch: number, ids: number[]): RaftBatch {
  return {
    baseOffset,
    epoch,
    appendTimeMs: 5,
    control: true,
    records: [{ type: "voters", version: 0, voters: ids.map(voter) }],
  };
}

function dataBatch(baseOffset: number, epoch: number): RaftBatch {
  return {
    baseOffset,
    epoch,
    appendTimeMs: 5,
    control: false,
    records: [{ type: "data", value: new Uint8Array([1]) }],
  };
}

Deno.test("KRaftVersionRecord and VotersRecord round-trip through Kafka's control batch format", () => {
  const batch: RaftBatch = {
    baseOffset: 0,
    epoch: 1,
    appendTimeMs: 7,
    control: true,
    records: [
      { type: "kraftVersion", version: 0, kraftVersion: 1 },
      { type: "voters", version: 0, voters: [voter(1), voter(2)] },
    ],
  };
  assert.deepEqual(decodeRaftBatches(encodeRaftBatches([batch])), [batch]);
});

Deno.test("the voter set in force is the latest VotersRecord; truncation and compaction keep it right", () => {
  const log = RaftLog.restore({
    batches: [votersBatch(0, 1, [1]), dataBatch(1, 1), votersBatch(2, 1, [1, 2]), dataBatch(3, 2)],
  });
  assert.deepEqual(log.latestVoterSet?.voters.map((entry) => entry.voterId), [1, 2]);
  assert.equal(log.latestVoterSet?.offset, 2);
  log.truncateTo(2);
  assert.deepEqual(log.latestVoterSet?.voters.map((entry) => entry.voterId), [1]);
  log.append(votersBatch(2, 2, [1, 3]));
  log.append(dataBatch(3, 2));
  log.compactTo({ id: { endOffset: 4, epoch: 2 }, bytes: new Uint8Array(0) });
  assert.deepEqual(log.latestVoterSet?.voters.map((entry) => entry.voterId), [1, 3]);
  assert.deepEqual(log.quorumConfigBefore(4).voters?.voters.map((entry) => entry.voterId), [1, 3]);
});

Deno.test("a snapshot's control records give the voter set to a log that starts after it", () => {
  const bytes = buildSnapshotBytes({
    snapshotId: { endOffset: 10, epoch: 3 },
    lastContainedLogTimestampMs: 1,
    values: [[new Uint8Array([1])]],
    quorumConfig: { kraftVersion: 1, voters: [voter(1), voter(2)] },
  });
  const log = RaftLog.restore({ snapshot: { id: { endOffset: 10, epoch: 3 }, bytes } });
  assert.deepEqual(log.latestVoterSet?.voters, [voter(1), voter(2)]);
  assert.equal(log.latestKraftVersion, 1);
});
