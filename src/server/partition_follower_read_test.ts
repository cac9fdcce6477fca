/**
 * KIP-392 on a partition: the leader's candidates for a consumer's preferred
 * read replica, and a follower serving consumers up to its high watermark.
 */
import assert from "node:assert/strict";
import { decodeBatches, ErrorCode } from "../protocol/mod.ts";
import { replicatedPartition } from "./_partition_test_support.ts";

/** 5 records committed on all three replicas, then 3 more that only follower 2 has (not committed). */
function setUp(isr?: number[]) {
  const replication = replicatedPartition(isr);
  replication.produce(5);
  for (const brokerId of [2, 3, 2, 3]) replication.replicate(brokerId);
  replication.produce(3);
  replication.replicate(2);
  return replication;
}

const read = (fetchOffset: number, onFollower = true) => ({
  fetchOffset,
  maxBytes: 1 << 20,
  minOneBatch: true,
  readCommitted: false,
  magic: 2,
  onFollower,
});

Deno.test("a follower serves a consumer (v11+) up to its own high watermark", () => {
  const { leader, followers } = setUp();
  const follower = followers.get(2)!;
  assert.equal(leader.highWatermark, 5);
  assert.equal(follower.highWatermark, 5);
  assert.equal(follower.log.logEndOffset, 8);
  const answer = follower.readForFetch(read(0));
  assert.equal(answer.errorCode, ErrorCode.NONE);
  assert.equal(answer.highWatermark, 5);
  const offsets = decodeBatches(answer.records!).flatMap((batch) =>
    batch.records.map((record) => record.offset)
  );
  assert.deepEqual(offsets, [0, 1, 2, 3, 4]);
});

Deno.test("past the follower's high watermark it reads nothing; past its log end, OFFSET_OUT_OF_RANGE", () => {
  const { followers } = setUp();
  const follower = followers.get(2)!;
  for (const offset of [5, 8]) {
    const answer = follower.readForFetch(read(offset));
    assert.equal(answer.errorCode, ErrorCode.NONE, `offset ${offset}`);
    assert.equal(answer.records!.length, 0);
  }
  assert.equal(follower.readForFetch(read(9)).errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
  // Follower 3 has 5 records: offset 6 is past its log end.
  assert.equal(followers.get(3)!.readForFetch(read(6)).errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
});

Deno.test("a follower refuses consumers that may not read it (Fetch before v11)", () => {
  const { followers } = setUp();
  assert.equal(followers.get(2)!.readForFetch(read(0, false)).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
});

Deno.test("the leader reads nothing, rather than OFFSET_OUT_OF_RANGE, between its high watermark and log end", () => {
  const { leader } = setUp();
  const answer = leader.readForFetch(read(7, false));
  assert.equal(answer.errorCode, ErrorCode.NONE);
  assert.equal(answer.records!.length, 0);
  assert.equal(leader.readForFetch(read(9, false)).errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
});

Deno.test("the leader's read replica candidates: ISR members whose known log end reaches the fetch offset", () => {
  const { leader, clock } = setUp();
  clock.advance(100);
  const candidates = leader.readReplicaCandidates(5, clock.now);
  assert.deepEqual(candidates.map((candidate) => candidate.brokerId).sort(), [2, 3]);
  assert.ok(candidates.every((candidate) => candidate.logEndOffset === 5));
  assert.ok(candidates.every((candidate) => candidate.timeSinceLastCaughtUpMs >= 100));
  assert.deepEqual(leader.readReplicaCandidates(6, clock.now), []);
  const outOfIsr = setUp([1, 2]).leader;
  assert.deepEqual(outOfIsr.readReplicaCandidates(5, clock.now).map((candidate) => candidate.brokerId), [2]);
});
