/**
 * MetadataQuorum driven in the simulator (virtual time, no real sleeps):
 * a single voter and three voters over the node's own Raft transport.
 * Proposals resolve only once applied and are refused or rejected when
 * leadership is elsewhere or moves; snapshots cut the log and, with the
 * log's tail, rebuild the same image after a crash of either kind.
 */
import assert from "node:assert/strict";
import { encodeRecord } from "../../metadata/mod.ts";
import { ErrorCode, KafkaError } from "../../protocol/mod.ts";
import { parseSnapshotFileName, type SnapshotId } from "../../raft/mod.ts";
import {
  configRecord,
  METADATA_DIRECTORY,
  QuorumHarness,
  type Voter,
} from "./_metadata_quorum_test_support.ts";

/** Resolves to the error a promise rejected with (fails if it resolved). */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected a rejection");
}

function assertKafkaError(error: unknown, code: number): void {
  assert.ok(error instanceof KafkaError, `a KafkaError, got ${error}`);
  assert.equal(error.code, code);
}

/** The snapshot files in a voter's metadata folder. */
function snapshotsOn(voter: Voter): SnapshotId[] {
  return voter.world.disk.list(METADATA_DIRECTORY).map(parseSnapshotFileName).filter((id) => id !== null);
}

/**
 * Proposes one config change and returns what the image held for it at the
 * moment the proposal resolved (undefined when it was not applied yet).
 */
function proposeAndWatch(voter: Voter, name: string, value: string): Promise<string | undefined> {
  return voter.quorum.propose([configRecord(name, value)]).then(() => voter.image.values.get(name));
}

Deno.test("a single voter resolves a proposal only once its records are applied", async () => {
  const harness = new QuorumHarness({ seed: 1, voterIds: [1] });
  await harness.startAll();
  const voter = await harness.waitForActiveController();
  assert.equal(voter.quorum.leaderId, 1);
  const seen = await harness.run(proposeAndWatch(voter, "a", "1"));
  assert.equal(seen, "1");
  const batchSeen = await harness.run(
    voter.quorum.propose([configRecord("b", "2"), configRecord("c", "3")]).then(() => [
      voter.image.values.get("b"),
      voter.image.values.get("c"),
    ]),
  );
  assert.deepEqual(batchSeen, ["2", "3"]);
  assert.equal(voter.quorum.appliedOffset, voter.quorum.logEndOffset);
  await harness.run(voter.quorum.propose([]));
});

Deno.test("three voters resolve a proposal only once a majority has it and the leader applied it", async () => {
  const harness = new QuorumHarness({ seed: 2, voterIds: [1, 2, 3] });
  await harness.startAll();
  const leader = await harness.waitForActiveController();
  let settled = false;
  const proposal = proposeAndWatch(leader, "a", "1").finally(() => settled = true);
  // Committing needs a follower's fetch, which takes virtual time: nothing resolves before it runs.
  await harness.cluster.runUntil(() => false, { maxVirtualMs: 0 });
  assert.equal(settled, false);
  assert.equal(leader.image.values.get("a"), undefined);
  assert.equal(await harness.run(proposal), "1");
  await harness.runUntil(
    () => harness.voters.every((voter) => voter.image.values.get("a") === "1"),
    "every voter applies the change",
  );
});

Deno.test("followers apply a commit within milliseconds, not a fetch wait later", async () => {
  const harness = new QuorumHarness({ seed: 2, voterIds: [1, 2, 3] });
  await harness.startAll();
  const leader = await harness.waitForActiveController();
  const clock = leader.world.clock;
  for (let round = 0; round < 5; round++) {
    // Long enough for the followers' fetches to be held at the leader (the wait is 500 ms).
    await harness.cluster.runUntil(() => false, { maxVirtualMs: 700 });
    await harness.run(leader.quorum.propose([configRecord("round", String(round))]));
    const committedAtMs = clock.monotonicMs();
    await harness.runUntil(
      () => harness.voters.every((voter) => voter.image.values.get("round") === String(round)),
      "every voter applies the commit",
    );
    const lagMs = clock.monotonicMs() - committedAtMs;
    // A round trip or two of the simulated network; it was the whole fetch wait (about 500 ms).
    assert.ok(lagMs < 100, `round ${round}: the followers applied the commit ${lagMs} ms after the leader`);
  }
});

Deno.test("a proposal to a voter that is not the active controller is refused with NOT_CONTROLLER", async () => {
  const harness = new QuorumHarness({ seed: 3, voterIds: [1, 2, 3] });
  await harness.startAll();
  const leader = await harness.waitForActiveController();
  const follower = harness.voters.find((voter) => voter !== leader)!;
  assert.equal(follower.quorum.isActiveController, false);
  assertKafkaError(
    await rejectionOf(follower.quorum.propose([configRecord("a", "1")])),
    ErrorCode.NOT_CONTROLLER,
  );
  assert.equal(follower.image.values.size, 0);
});

Deno.test("a proposal lost to a new leader is rejected, not resolved", async () => {
  const harness = new QuorumHarness({ seed: 4, voterIds: [1, 2, 3] });
  await harness.startAll();
  const oldLeader = await harness.waitForActiveController();
  await harness.run(oldLeader.quorum.propose([configRecord("kept", "yes")]));
  harness.isolate(oldLeader.nodeId);
  const lost = rejectionOf(oldLeader.quorum.propose([configRecord("lost", "yes")]));
  const others = harness.voters.filter((voter) => voter !== oldLeader);
  await harness.runUntil(
    () => others.some((voter) => voter.quorum.isActiveController),
    "a new leader among the others",
  );
  const newLeader = others.find((voter) => voter.quorum.isActiveController)!;
  await harness.run(newLeader.quorum.propose([configRecord("after", "yes")]));
  harness.healAll();
  assertKafkaError(await harness.run(lost), ErrorCode.NOT_CONTROLLER);
  await harness.runUntil(
    () => oldLeader.image.values.get("after") === "yes",
    "the old leader follows the new one",
  );
  for (const voter of harness.voters) {
    assert.equal(
      voter.image.values.get("lost"),
      undefined,
      `voter ${voter.nodeId} never applied the lost change`,
    );
    assert.equal(voter.image.values.get("kept"), "yes");
  }
});

Deno.test("a proposal that cannot commit in time fails with REQUEST_TIMED_OUT", async () => {
  const harness = new QuorumHarness({ seed: 7, voterIds: [1, 2, 3], proposalTimeoutMs: 500 });
  await harness.startAll();
  const leader = await harness.waitForActiveController();
  harness.isolate(leader.nodeId);
  const startMs = harness.cluster.scheduler.nowMs;
  const error = await harness.run(rejectionOf(leader.quorum.propose([configRecord("stuck", "yes")])));
  assertKafkaError(error, ErrorCode.REQUEST_TIMED_OUT);
  assert.equal(harness.cluster.scheduler.nowMs - startMs, 500);
  assert.equal(leader.image.values.get("stuck"), undefined);
});

/** Record bytes of one single-record config change with a one-character name and value. */
const CHANGE_BYTES = encodeRecord(configRecord("k", "v")).length;

for (const mode of ["process", "power-loss"] as const) {
  Deno.test(`a snapshot cuts the log, and after a ${mode} crash snapshot + log rebuild the same image`, async () => {
    // A snapshot after every third change: ten changes leave a snapshot and a tail of log after it.
    const harness = new QuorumHarness({ seed: 5, voterIds: [1], snapshotEveryBytes: 3 * CHANGE_BYTES });
    await harness.startAll();
    const voter = await harness.waitForActiveController();
    for (let index = 0; index < 10; index++) {
      await harness.run(
        voter.quorum.propose([configRecord(String.fromCharCode(97 + (index % 6)), String(index))]),
      );
    }
    const snapshots = snapshotsOn(voter);
    assert.ok(snapshots.length > 0, "a .checkpoint file was written");
    const newest = snapshots.at(-1)!;
    const state = voter.quorum.node.state();
    assert.equal(state.logStartOffset, newest.endOffset, "the log starts where the newest snapshot ends");
    assert.deepEqual(state.snapshotId, newest);
    assert.equal(newest.epoch, voter.quorum.node.epoch);
    assert.ok(newest.endOffset < voter.quorum.appliedOffset, "some changes are only in the log");
    for (const id of snapshots) {
      assert.ok(id.endOffset >= state.logStartOffset, "no snapshot below the log start");
    }
    const before = new Map(voter.image.values);
    const appliedBefore = voter.quorum.appliedOffset;

    harness.crash(1, mode);
    const restarted = await harness.start(1);
    assert.equal(restarted.image.snapshotsLoaded, 1, "the newest snapshot was loaded at start-up");
    assert.ok(
      restarted.image.appliedEndOffsets.every((end) => end > newest.endOffset),
      "only the tail replayed",
    );
    await harness.runUntil(
      () => restarted.quorum.isActiveController && restarted.quorum.appliedOffset >= appliedBefore,
      "the restarted voter replays its log",
    );
    assert.deepEqual(restarted.image.values, before);
    assert.ok(restarted.image.appliedEndOffsets.length > 0, "the tail was replayed");
    assert.equal(restarted.quorum.node.state().logStartOffset, newest.endOffset);
    assert.equal(await harness.run(proposeAndWatch(restarted, "z", "after")), "after");
  });
}

Deno.test("a voter that missed everything before the log start catches up from the leader's snapshot", async () => {
  const harness = new QuorumHarness({ seed: 6, voterIds: [1, 2, 3], snapshotEveryBytes: 3 * CHANGE_BYTES });
  await harness.startAll();
  const leader = await harness.waitForActiveController();
  const behind = harness.voters.find((voter) => voter !== leader)!;
  const behindEndOffset = behind.quorum.logEndOffset;
  harness.crash(behind.nodeId, "power-loss");
  for (let index = 0; index < 10; index++) {
    await harness.run(leader.quorum.propose([configRecord(`key-${index % 4}`, String(index))]));
  }
  const logStartOffset = leader.quorum.node.state().logStartOffset;
  assert.ok(logStartOffset > behindEndOffset, "the leader's log now starts after the crashed voter's end");
  const restarted = await harness.start(behind.nodeId);
  await harness.runUntil(
    () => restarted.quorum.appliedOffset >= leader.quorum.appliedOffset,
    "the restarted voter catches up",
  );
  assert.ok(restarted.image.snapshotsLoaded >= 1, "it loaded the leader's snapshot");
  assert.deepEqual(restarted.image.values, leader.image.values);
  assert.ok(snapshotsOn(restarted).length > 0, "and keeps it on its own disk");
});

Deno.test("three voters that all lose power come back with the same image", async () => {
  const harness = new QuorumHarness({ seed: 8, voterIds: [1, 2, 3], snapshotEveryBytes: 3 * CHANGE_BYTES });
  await harness.startAll();
  const leader = await harness.waitForActiveController();
  for (let index = 0; index < 10; index++) {
    await harness.run(leader.quorum.propose([configRecord(`key-${index % 4}`, String(index))]));
  }
  const before = new Map(leader.image.values);
  const committed = leader.quorum.appliedOffset;
  for (const nodeId of [1, 2, 3]) harness.crash(nodeId, "power-loss");
  await harness.startAll();
  await harness.runUntil(
    () => harness.voters.every((voter) => voter.quorum.appliedOffset >= committed),
    "every voter applies what was committed before",
  );
  for (const voter of harness.voters) assert.deepEqual(voter.image.values, before, `voter ${voter.nodeId}`);
  const newLeader = await harness.waitForActiveController();
  assert.equal(await harness.run(proposeAndWatch(newLeader, "after", "yes")), "yes");
});

Deno.test("segments of the metadata log wholly below a snapshot are deleted", async () => {
  // Tiny segments: every batch rolls a new one, so a snapshot leaves whole segments behind it.
  const harness = new QuorumHarness({
    seed: 9,
    voterIds: [1],
    snapshotEveryBytes: 3 * CHANGE_BYTES,
    segmentBytes: 160,
  });
  await harness.startAll();
  const voter = await harness.waitForActiveController();
  for (let index = 0; index < 12; index++) {
    await harness.run(voter.quorum.propose([configRecord(`key-${index % 4}`, String(index))]));
  }
  const logStart = voter.quorum.node.state().logStartOffset;
  assert.ok(logStart > 0, "a snapshot moved the log start");
  const bases = voter.world.disk.list(METADATA_DIRECTORY)
    .filter((name) => name.endsWith(".log"))
    .map((name) => Number(name.slice(0, 20)))
    .sort((left, right) => left - right);
  assert.ok(bases.length < 12, `old segments were deleted (left: ${bases.join(", ")})`);
  // Every segment left reaches the log start: the one after it starts above it.
  bases.slice(1).forEach((base) =>
    assert.ok(base > logStart, `${bases.join(", ")} vs log start ${logStart}`)
  );
});
