import assert from "node:assert/strict";
import { type LeaderSettings, LeaderState } from "./leader_state.ts";

const SETTINGS: LeaderSettings = { replicaLagTimeMaxMs: 1_000, eligible: () => true };

Deno.test("an answer to a proposal that metadata superseded leaves the newer proposal in flight", () => {
  // Found by the cluster simulator (seed 12): the shrink's metadata reached the leader before the
  // shrink's answer, the leader proposed taking replica 2 back, and the late answer dropped that
  // proposal; the high watermark then passed replica 2, which the controller let in regardless.
  const leader = new LeaderState({
    localId: 1,
    leaderEpoch: 0,
    partitionEpoch: 0,
    replicas: [1, 2, 3],
    isr: [1, 2, 3],
    leaderEpochStartOffset: 0,
    highWatermark: 0,
    nowMs: 0,
  });
  leader.onFollowerFetch(2, { fetchOffset: 10, brokerEpoch: 7, nowMs: 0 }, 20, SETTINGS);
  leader.onFollowerFetch(3, { fetchOffset: 20, brokerEpoch: 8, nowMs: 0 }, 20, SETTINGS);
  assert.equal(leader.highWatermark, 10);
  // Replica 2 falls behind for longer than the lag bound: the leader proposes to drop it.
  leader.onFollowerFetch(3, { fetchOffset: 20, brokerEpoch: 8, nowMs: 5_000 }, 20, SETTINGS);
  const shrink = leader.proposeIsrChange(20, 5_000, SETTINGS)!;
  assert.deepEqual(shrink.isr.map((member) => member.brokerId), [1, 3]);
  // The committed shrink arrives through metadata first; the leader then asks to take 2 back.
  leader.onCommittedState({ leaderEpoch: 0, partitionEpoch: 1, isr: [1, 3] });
  const expansion = leader.proposeIsrChange(20, 5_000, SETTINGS)!;
  assert.deepEqual(expansion.isr.map((member) => member.brokerId), [1, 3, 2]);
  // The shrink's own answer comes last: the expansion stays in flight, so 2 still holds the high watermark.
  leader.onAnswer({ leaderEpoch: 0, partitionEpoch: 1, isr: [1, 3] }, shrink);
  assert.equal(leader.inFlight, expansion);
  assert.equal(leader.onLocalAppend(20, 5_000, SETTINGS), false);
  assert.equal(leader.highWatermark, 10);
  leader.onAnswer({ leaderEpoch: 0, partitionEpoch: 2, isr: [1, 3, 2] }, expansion);
  assert.equal(leader.inFlight, null);
  assert.deepEqual(leader.isr, [1, 3, 2]);
});

Deno.test("an expansion in flight holds the high watermark until the metadata settles it", () => {
  // The controller may have committed an expansion whose answer never came (cluster simulator, seed 259):
  // src/server/isr_updates.ts then keeps it in flight, and the replica it adds must keep counting.
  const leader = new LeaderState({
    localId: 1,
    leaderEpoch: 0,
    partitionEpoch: 4,
    replicas: [1, 2, 3],
    isr: [1, 2],
    leaderEpochStartOffset: 0,
    highWatermark: 0,
    nowMs: 0,
  });
  leader.onFollowerFetch(2, { fetchOffset: 30, brokerEpoch: 7, nowMs: 0 }, 30, SETTINGS);
  leader.onFollowerFetch(3, { fetchOffset: 30, brokerEpoch: 8, nowMs: 0 }, 30, SETTINGS);
  const expansion = leader.proposeIsrChange(30, 0, SETTINGS)!;
  assert.deepEqual(expansion.isr.map((member) => member.brokerId), [1, 2, 3]);
  // More records; replica 3 stops fetching. Unanswered, the expansion still counts replica 3.
  leader.onFollowerFetch(2, { fetchOffset: 50, brokerEpoch: 7, nowMs: 10 }, 50, SETTINGS);
  assert.equal(leader.highWatermark, 30);
  assert.equal(leader.proposeIsrChange(50, 10, SETTINGS), null, "one change at a time");
  // The metadata shows the controller took replica 3 in: it is an ISR member like the others.
  leader.onCommittedState({ leaderEpoch: 0, partitionEpoch: 5, isr: [1, 2, 3] });
  assert.equal(leader.inFlight, null);
  assert.equal(leader.onLocalAppend(50, 10, SETTINGS), false);
  assert.equal(leader.highWatermark, 30);
});
