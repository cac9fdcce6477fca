import assert from "node:assert/strict";
import { decodeBatches, isControl, readBatchHeader } from "../protocol/mod.ts";
import { decodeRaftBatches, encodeRaftBatch, encodeRaftBatches } from "./batch_codec.ts";
import { decodeLeaderChange } from "./control_records.ts";
import type { RaftBatch } from "./types.ts";

const leaderChange: RaftBatch = {
  baseOffset: 7,
  epoch: 4,
  appendTimeMs: 1_700_000_000_123,
  control: true,
  records: [{
    type: "leaderChange",
    version: 0,
    leaderId: 2,
    voters: [{ voterId: 1 }, { voterId: 2 }, { voterId: 3 }],
    grantingVoters: [{ voterId: 2 }, { voterId: 3 }],
  }],
};
const data: RaftBatch = {
  baseOffset: 8,
  epoch: 4,
  appendTimeMs: 1_700_000_000_200,
  control: false,
  records: [{ type: "data", value: new Uint8Array([1, 2]) }, { type: "data", value: new Uint8Array([3]) }],
};

Deno.test("Raft batches are Kafka record batches: offsets, leader epoch and control bit in the header", () => {
  const bytes = encodeRaftBatch(leaderChange);
  const header = readBatchHeader(bytes);
  assert.equal(header.baseOffset, 7);
  assert.equal(header.partitionLeaderEpoch, 4);
  assert.ok(isControl(header.attributes));
  const record = decodeBatches(bytes)[0]!.records[0]!;
  assert.deepEqual([...record.key!], [0, 0, 0, 2], "control key: version 0, type 2 (LeaderChange)");
  assert.deepEqual(decodeLeaderChange(record.value!), leaderChange.records[0]);
  // LeaderChangeMessage v0, flexible: version, leaderId, compact arrays of voters, tagged fields.
  assert.deepEqual([...record.value!.subarray(0, 6)], [0, 0, 0, 0, 0, 2]);
});

Deno.test("Raft batches survive encoding and decoding", () => {
  assert.deepEqual(decodeRaftBatches(encodeRaftBatches([leaderChange, data])), [leaderChange, data]);
});

Deno.test("a corrupt batch is refused", () => {
  const bytes = encodeRaftBatch(data).slice();
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
  assert.throws(() => decodeRaftBatches(bytes), /CRC/);
});
