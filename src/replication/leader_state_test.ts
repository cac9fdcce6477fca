import assert from "node:assert/strict";
import {
  type IsrEligibility,
  LeaderRecoveryState,
  type LeaderSettings,
  type LeaderStart,
  LeaderState,
} from "./leader_state.ts";

const LAG_MS = 30_000;

function settings(eligible: IsrEligibility = () => true): LeaderSettings {
  return { replicaLagTimeMaxMs: LAG_MS, eligible };
}

/** Broker 1 leads epoch 5 (partition epoch 10) over replicas 1, 2, 3, all in sync, from an empty log at time 0. */
function leaderOf(start: Partial<LeaderStart> = {}): LeaderState {
  return new LeaderState({
    localId: 1,
    leaderEpoch: 5,
    partitionEpoch: 10,
    replicas: [1, 2, 3],
    isr: [1, 2, 3],
    leaderEpochStartOffset: 0,
    highWatermark: 0,
    nowMs: 0,
    ...start,
  });
}

/** A follower's fetch with broker epoch 100 at `nowMs`. */
function fetch(
  leader: LeaderState,
  brokerId: number,
  fetchOffset: number,
  logEnd: number,
  nowMs = 0,
  s: LeaderSettings = settings(),
): boolean {
  return leader.onFollowerFetch(brokerId, { fetchOffset, brokerEpoch: 100, nowMs }, logEnd, s);
}

Deno.test("the high watermark is the smallest log end over the leader and the ISR", () => {
  const leader = leaderOf();
  assert.equal(leader.onLocalAppend(10, 0, settings()), false, "followers not heard from yet");
  assert.equal(fetch(leader, 2, 10, 10), false, "replica 3 has not fetched");
  assert.equal(fetch(leader, 3, 6, 10), true);
  assert.equal(leader.highWatermark, 6);
  assert.equal(fetch(leader, 3, 10, 10), true);
  assert.equal(leader.highWatermark, 10);
  assert.equal(
    leader.onLocalAppend(15, 0, settings()),
    false,
    "an append alone does not commit with followers in sync",
  );
  assert.equal(leader.highWatermark, 10);
});

Deno.test("the high watermark never goes back", () => {
  const leader = leaderOf();
  leader.onLocalAppend(10, 0, settings());
  fetch(leader, 2, 10, 10);
  fetch(leader, 3, 10, 10);
  assert.equal(leader.highWatermark, 10);
  assert.equal(fetch(leader, 3, 4, 10), false, "a follower that truncated and fetches from lower");
  assert.equal(leader.highWatermark, 10);
  assert.equal(leader.follower(3)?.logEndOffset, 4);
});

Deno.test("a new leader keeps its high watermark until every ISR member has fetched", () => {
  // The old leader may have committed up to 10 on replicas 2 and 3; this
  // leader knows neither end until they fetch (Kafka resets their log end to unknown).
  const leader = leaderOf({ highWatermark: 5, leaderEpochStartOffset: 12, nowMs: 1_000 });
  assert.equal(leader.highWatermark, 5);
  assert.equal(leader.onLocalAppend(12, 1_000, settings()), false);
  assert.equal(leader.follower(2)?.logEndOffset, -1);
  assert.equal(fetch(leader, 2, 12, 12, 1_001), false, "replica 3's end is still unknown");
  assert.equal(leader.highWatermark, 5);
  assert.equal(fetch(leader, 3, 12, 12, 1_002), true);
  assert.equal(leader.highWatermark, 12);
});

Deno.test("a new leader's high watermark starts no later than its epoch's first offset", () => {
  const leader = leaderOf({ highWatermark: 20, leaderEpochStartOffset: 15 });
  assert.equal(leader.highWatermark, 15);
});

Deno.test("with the leader alone in the ISR a local append moves the high watermark", async (t) => {
  await t.step("replication factor 1", () => {
    const leader = leaderOf({ replicas: [1], isr: [1] });
    assert.equal(leader.onLocalAppend(7, 0, settings()), true);
    assert.equal(leader.highWatermark, 7);
  });
  await t.step("other replicas out of sync and not caught up", () => {
    const leader = leaderOf({ isr: [1] });
    fetch(leader, 2, 0, 3); // behind, never caught up
    assert.equal(leader.onLocalAppend(7, 0, settings()), true);
    assert.equal(leader.highWatermark, 7);
  });
  await t.step("at becoming leader, when the log already ends past the high watermark", () => {
    const leader = leaderOf({ isr: [1], highWatermark: 4, leaderEpochStartOffset: 9 });
    assert.equal(leader.onLocalAppend(9, 0, settings()), true);
    assert.equal(leader.highWatermark, 9);
  });
});

Deno.test("a caught-up eligible replica about to join holds the high watermark back", async (t) => {
  // Kafka waits for it: the ISR expansion about to be proposed would otherwise
  // commit records the new member does not have.
  await t.step("eligible and caught up within the lag: it counts", () => {
    const leader = leaderOf({ isr: [1] });
    leader.onLocalAppend(10, 0, settings());
    fetch(leader, 2, 10, 10, 100);
    assert.equal(leader.onLocalAppend(20, 200, settings()), false);
    assert.equal(leader.highWatermark, 10);
    fetch(leader, 2, 20, 20, 300);
    assert.equal(leader.highWatermark, 20);
  });
  await t.step("not eligible (fenced, shutting down, stale broker epoch): it does not", () => {
    const leader = leaderOf({ isr: [1] });
    leader.onLocalAppend(10, 0, settings());
    fetch(leader, 2, 10, 10, 100);
    assert.equal(leader.onLocalAppend(20, 200, settings(() => false)), true);
    assert.equal(leader.highWatermark, 20);
  });
  await t.step("caught up longer ago than the lag: it does not", () => {
    const leader = leaderOf({ isr: [1] });
    leader.onLocalAppend(10, 0, settings());
    fetch(leader, 2, 10, 10, 100);
    assert.equal(leader.onLocalAppend(20, 100 + LAG_MS + 1, settings()), true);
    assert.equal(leader.highWatermark, 20);
  });
});

Deno.test("an ISR member leaves after replica.lag.time.max.ms without catching up, the leader never", () => {
  const leader = leaderOf();
  leader.onLocalAppend(10, 0, settings());
  fetch(leader, 2, 10, 10, 0);
  fetch(leader, 3, 4, 10, 0);
  fetch(leader, 2, 10, 10, LAG_MS + 1);
  assert.equal(leader.proposeIsrChange(10, LAG_MS, settings()), null, "exactly the lag: still in sync");
  assert.deepEqual(leader.outOfSyncReplicas(10, LAG_MS + 1, LAG_MS), [3]);
  const proposal = leader.proposeIsrChange(10, LAG_MS + 1, settings());
  assert.deepEqual(proposal, {
    leaderEpoch: 5,
    partitionEpoch: 10,
    isr: [{ brokerId: 1, brokerEpoch: -1 }, { brokerId: 2, brokerEpoch: 100 }],
    leaderRecoveryState: LeaderRecoveryState.Recovered,
  });
  const alone = leaderOf({ nowMs: 0 });
  const shrink = alone.proposeIsrChange(0, 10 * LAG_MS, settings());
  assert.deepEqual(
    shrink?.isr.map((member) => member.brokerId),
    [1],
    "both followers silent: the leader stays",
  );
});

Deno.test("a follower at the leader's log end stays in sync however long ago it caught up", () => {
  const leader = leaderOf({ replicas: [1, 2], isr: [1, 2] });
  leader.onLocalAppend(10, 0, settings());
  fetch(leader, 2, 10, 10, 0);
  assert.deepEqual(leader.outOfSyncReplicas(10, 10 * LAG_MS, LAG_MS), []);
  assert.equal(leader.proposeIsrChange(10, 10 * LAG_MS, settings()), null);
});

Deno.test("ISR members get a full lag period after a leader change", () => {
  const leader = leaderOf({ nowMs: 500_000 });
  leader.onLocalAppend(10, 500_000, settings());
  assert.equal(leader.proposeIsrChange(10, 500_000 + LAG_MS, settings()), null);
  const proposal = leader.proposeIsrChange(10, 500_000 + LAG_MS + 1, settings());
  assert.deepEqual(proposal?.isr.map((member) => member.brokerId), [1]);
});

Deno.test("a replica joins only once it reaches both the high watermark and the leader epoch's start (KAFKA-7128)", async (t) => {
  await t.step("the epoch's start is past the high watermark", () => {
    // Records in [5, 12) may be committed by the previous leader: a replica
    // with only [0, 7) must not join, or it could be elected without them.
    const leader = leaderOf({ isr: [1, 3], highWatermark: 5, leaderEpochStartOffset: 12 });
    leader.onLocalAppend(12, 0, settings());
    fetch(leader, 2, 7, 12, 10);
    assert.equal(leader.highWatermark, 5);
    assert.equal(
      leader.proposeIsrChange(12, 10, settings()),
      null,
      "past the high watermark, before the epoch's start",
    );
    fetch(leader, 2, 12, 12, 20);
    assert.deepEqual(leader.proposeIsrChange(12, 20, settings())?.isr.map((member) => member.brokerId), [
      1,
      3,
      2,
    ]);
  });
  await t.step("the high watermark is past the epoch's start", () => {
    const leader = leaderOf({ isr: [1, 3] });
    leader.onLocalAppend(20, 0, settings());
    fetch(leader, 3, 15, 20, 0);
    assert.equal(leader.highWatermark, 15);
    fetch(leader, 2, 12, 20, 10);
    assert.equal(leader.proposeIsrChange(20, 10, settings()), null, "12 < the high watermark 15");
    fetch(leader, 2, 15, 20, 20);
    const proposal = leader.proposeIsrChange(20, 20, settings());
    assert.deepEqual(proposal?.isr, [
      { brokerId: 1, brokerEpoch: -1 },
      { brokerId: 3, brokerEpoch: 100 },
      { brokerId: 2, brokerEpoch: 100 },
    ]);
  });
});

Deno.test("only a replica the controller would take may join (KIP-841, KIP-903)", () => {
  const leader = leaderOf({ isr: [1] });
  leader.onLocalAppend(10, 0, settings());
  leader.onFollowerFetch(2, { fetchOffset: 10, brokerEpoch: 41, nowMs: 0 }, 10, settings());
  const asked: Array<[number, number]> = [];
  // Fenced, in controlled shutdown, or fetching with an older broker epoch than registered.
  const notEligible = settings((brokerId, brokerEpoch) => {
    asked.push([brokerId, brokerEpoch]);
    return false;
  });
  assert.equal(leader.proposeIsrChange(10, 0, notEligible), null);
  assert.deepEqual(asked[0], [2, 41], "asked with the broker epoch of the replica's fetch");
  const proposal = leader.proposeIsrChange(10, 0, settings((_, brokerEpoch) => brokerEpoch === 41));
  assert.deepEqual(proposal?.isr, [{ brokerId: 1, brokerEpoch: -1 }, { brokerId: 2, brokerEpoch: 41 }]);
});

Deno.test("one ISR change at a time, nothing proposed while one is in flight (KIP-497)", () => {
  const leader = leaderOf({ isr: [1] });
  leader.onLocalAppend(10, 0, settings());
  fetch(leader, 2, 10, 10, 0);
  fetch(leader, 3, 10, 10, 0);
  const first = leader.proposeIsrChange(10, 0, settings());
  assert.equal(first?.isr.length, 2, "one replica joins at a time");
  assert.equal(leader.inFlight, first);
  assert.equal(leader.proposeIsrChange(10, 0, settings()), null);
  assert.equal(leader.proposeIsrChange(10, 10 * LAG_MS, settings()), null, "not even a shrink");
  const joined = first!.isr.map((member) => member.brokerId);
  leader.onAnswer({ leaderEpoch: 5, partitionEpoch: 11, isr: joined });
  assert.deepEqual(leader.isr, joined);
  assert.equal(leader.inFlight, null);
  const second = leader.proposeIsrChange(10, 0, settings());
  assert.deepEqual(second?.isr.map((member) => member.brokerId).sort(), [1, 2, 3]);
  assert.equal(second?.partitionEpoch, 11, "proposed against the partition epoch the answer brought");
});

Deno.test("a replica being added counts for the high watermark before the controller confirms it", () => {
  const leader = leaderOf({ isr: [1] });
  leader.onLocalAppend(10, 0, settings());
  fetch(leader, 2, 10, 10, 0);
  leader.proposeIsrChange(10, 0, settings());
  assert.deepEqual(leader.maximalIsr, [1, 2]);
  // Even caught up long ago and not eligible any more, the pending member holds the high watermark.
  assert.equal(leader.onLocalAppend(30, 10 * LAG_MS, settings(() => false)), false);
  assert.equal(leader.highWatermark, 10);
});

Deno.test("a shrink in flight still counts the leaving replica for the high watermark", () => {
  const leader = leaderOf();
  leader.onLocalAppend(10, 0, settings());
  fetch(leader, 2, 10, 10, 0);
  fetch(leader, 3, 5, 10, 0);
  assert.equal(leader.highWatermark, 5);
  const shrink = leader.proposeIsrChange(10, LAG_MS + 1, settings());
  assert.deepEqual(shrink?.isr.map((member) => member.brokerId), [1, 2]);
  assert.deepEqual(leader.maximalIsr, [1, 2, 3]);
  fetch(leader, 2, 20, 20, LAG_MS + 2);
  assert.equal(leader.onLocalAppend(20, LAG_MS + 2, settings()), false);
  assert.equal(leader.highWatermark, 5, "the controller may still hold 3 in the ISR");
  leader.onAnswer({ leaderEpoch: 5, partitionEpoch: 11, isr: [1, 2] });
  assert.equal(leader.onLocalAppend(20, LAG_MS + 3, settings()), true);
  assert.equal(leader.highWatermark, 20);
});

Deno.test("controller state with an older partition epoch is ignored", async (t) => {
  await t.step("metadata", () => {
    const leader = leaderOf();
    leader.onCommittedState({ leaderEpoch: 5, partitionEpoch: 9, isr: [1] });
    assert.deepEqual(leader.isr, [1, 2, 3]);
    assert.equal(leader.partitionEpoch, 10);
  });
  await t.step("an answer: the proposal stays in flight until newer state comes", () => {
    const leader = leaderOf();
    const shrink = leader.proposeIsrChange(0, LAG_MS + 1, settings());
    assert.notEqual(shrink, null);
    leader.onAnswer({ leaderEpoch: 5, partitionEpoch: 9, isr: [1, 2, 3] });
    assert.deepEqual(leader.isr, [1, 2, 3]);
    assert.equal(leader.partitionEpoch, 10);
    assert.equal(leader.inFlight, shrink, "a stale answer says nothing of what became of the proposal");
    leader.onCommittedState({ leaderEpoch: 5, partitionEpoch: 11, isr: [1] });
    assert.equal(leader.inFlight, null);
  });
  await t.step("state of another leader epoch", () => {
    const leader = leaderOf();
    const proposal = leader.proposeIsrChange(0, LAG_MS + 1, settings());
    leader.onAnswer({ leaderEpoch: 4, partitionEpoch: 12, isr: [1] });
    leader.onCommittedState({ leaderEpoch: 6, partitionEpoch: 13, isr: [2] });
    assert.deepEqual(leader.isr, [1, 2, 3]);
    assert.equal(leader.partitionEpoch, 10);
    assert.equal(leader.inFlight, proposal);
  });
});

Deno.test("an answer to a proposal no longer in flight is ignored", () => {
  // Metadata with a newer partition epoch dropped the first proposal and a
  // second went out; the first one's answer says nothing about the second.
  const leader = leaderOf({ isr: [1] });
  leader.onLocalAppend(10, 0, settings());
  fetch(leader, 2, 10, 10, 0);
  const first = leader.proposeIsrChange(10, 0, settings())!;
  leader.onCommittedState({ leaderEpoch: 5, partitionEpoch: 11, isr: [1] });
  fetch(leader, 3, 10, 10, 0);
  const second = leader.proposeIsrChange(10, 0, settings())!;
  assert.equal(second.partitionEpoch, 11);
  leader.onAnswer({ leaderEpoch: 5, partitionEpoch: 11, isr: [1] }, first);
  assert.equal(leader.inFlight, second);
  assert.deepEqual(leader.maximalIsr, [1, second.isr[1]!.brokerId]);
  leader.onAnswer({ leaderEpoch: 5, partitionEpoch: 12, isr: second.isr.map((m) => m.brokerId) }, second);
  assert.equal(leader.inFlight, null);
  assert.equal(leader.partitionEpoch, 12);
});

Deno.test("newer controller state replaces the ISR and clears the proposal in flight", async (t) => {
  await t.step("a newer partition epoch", () => {
    const leader = leaderOf();
    leader.proposeIsrChange(0, LAG_MS + 1, settings());
    leader.onCommittedState({ leaderEpoch: 5, partitionEpoch: 12, isr: [1, 3] });
    assert.deepEqual(leader.isr, [1, 3]);
    assert.equal(leader.partitionEpoch, 12);
    assert.equal(leader.inFlight, null);
  });
  await t.step("the same partition epoch keeps the proposal in flight", () => {
    const leader = leaderOf();
    const proposal = leader.proposeIsrChange(0, LAG_MS + 1, settings());
    leader.onCommittedState({ leaderEpoch: 5, partitionEpoch: 10, isr: [1, 2, 3] });
    assert.equal(leader.inFlight, proposal);
  });
  await t.step("an error answer drops the proposal, to be proposed again", () => {
    const leader = leaderOf();
    leader.proposeIsrChange(0, LAG_MS + 1, settings());
    leader.onAnswer(null);
    assert.equal(leader.inFlight, null);
    assert.deepEqual(leader.isr, [1, 2, 3]);
    assert.deepEqual(leader.proposeIsrChange(0, LAG_MS + 1, settings())?.isr.map((m) => m.brokerId), [1]);
  });
});

Deno.test("reassignment: replicas leaving are forgotten, replicas arriving start out of sync", () => {
  const leader = leaderOf({ replicas: [1, 2], isr: [1, 2] });
  fetch(leader, 2, 0, 0, 0);
  leader.onCommittedState({ leaderEpoch: 5, partitionEpoch: 11, isr: [1], replicas: [1, 4] });
  assert.equal(leader.follower(2), undefined);
  assert.equal(fetch(leader, 2, 0, 0, 0), false, "a broker that is no replica");
  assert.equal(leader.follower(4)?.lastCaughtUpTimeMs, Number.NEGATIVE_INFINITY);
  assert.deepEqual(leader.replicas, [1, 4]);
});

Deno.test("a leader elected uncleanly first reports itself recovered (KIP-704)", () => {
  const leader = leaderOf({ isr: [1], leaderRecoveryState: LeaderRecoveryState.Recovering });
  leader.onLocalAppend(10, 0, settings());
  fetch(leader, 2, 10, 10, 0);
  const recovered = leader.proposeIsrChange(10, 0, settings());
  assert.deepEqual(recovered, {
    leaderEpoch: 5,
    partitionEpoch: 10,
    isr: [{ brokerId: 1, brokerEpoch: -1 }],
    leaderRecoveryState: LeaderRecoveryState.Recovered,
  });
  leader.onAnswer(null);
  assert.equal(
    leader.proposeIsrChange(10, 0, settings())?.leaderRecoveryState,
    LeaderRecoveryState.Recovered,
    "refused: asked again before any ISR change",
  );
  leader.onAnswer({ leaderEpoch: 5, partitionEpoch: 11, isr: [1], leaderRecoveryState: 0 });
  const expand = leader.proposeIsrChange(10, 0, settings());
  assert.deepEqual(expand?.isr.map((member) => member.brokerId), [1, 2]);
  assert.equal(expand?.leaderRecoveryState, LeaderRecoveryState.Recovered);
});

Deno.test("under min ISR counts against the effective minimum, capped by the replication factor", () => {
  const leader = leaderOf({ isr: [1, 2] });
  assert.equal(leader.isUnderMinIsr(2), false);
  assert.equal(leader.isUnderMinIsr(3), true);
  const single = leaderOf({ replicas: [1], isr: [1] });
  assert.equal(single.isUnderMinIsr(2), false, "min.insync.replicas=2 on a replication factor of 1");
});
