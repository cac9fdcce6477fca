import assert from "node:assert/strict";
import { appliedValues, TEST_TIMEOUTS, TestCluster } from "./_raft_test_support.ts";
import { ErrorCode } from "../protocol/mod.ts";
import { RaftNode } from "./raft_node.ts";
import { isValidSnapshot } from "./snapshot_file.ts";
import { describeQuorumToWire } from "./wire.ts";

const encoder = new TextEncoder();

Deno.test("a vote is handed out to persist in the same Ready as the answer that grants it", () => {
  const node = new RaftNode({
    nodeId: 2,
    voters: [1, 2, 3],
    random: { int: () => 0 },
    nowMs: 0,
    timeouts: TEST_TIMEOUTS,
  });
  node.step({
    from: 1,
    to: 2,
    correlationId: 1,
    body: {
      type: "VoteRequest",
      clusterId: null,
      voterId: 2,
      replicaId: 1,
      replicaEpoch: 1,
      lastOffsetEpoch: 0,
      lastOffset: 0,
      preVote: false,
    },
  }, 10);
  const ready = node.ready();
  assert.deepEqual(ready.quorumState, { epoch: 1, leaderId: -1, votedId: 1 });
  const answer = ready.messages.find((message) => message.body.type === "VoteResponse");
  assert.ok(answer !== undefined && answer.body.type === "VoteResponse" && answer.body.voteGranted);
});

Deno.test("a voter grants one vote per epoch", () => {
  const node = new RaftNode({
    nodeId: 3,
    voters: [1, 2, 3],
    random: { int: () => 0 },
    nowMs: 0,
    timeouts: TEST_TIMEOUTS,
  });
  const vote = (replicaId: number, correlationId: number) => {
    node.step({
      from: replicaId,
      to: 3,
      correlationId,
      body: {
        type: "VoteRequest",
        clusterId: null,
        voterId: 3,
        replicaId,
        replicaEpoch: 1,
        lastOffsetEpoch: 0,
        lastOffset: 0,
        preVote: false,
      },
    }, 10);
  };
  vote(1, 1);
  vote(2, 2);
  vote(1, 3);
  const answers = node.ready().messages.flatMap((message) =>
    message.body.type === "VoteResponse" ? [message.body.voteGranted] : []
  );
  assert.deepEqual(answers, [true, false, true], "the same candidate may ask again");
});

Deno.test("pre-vote: a voter cut off and back does not disturb the leader's epoch", () => {
  const cluster = new TestCluster([1, 2, 3], { seed: 31 });
  assert.ok(cluster.runUntil(() => cluster.leader() !== undefined));
  const leader = cluster.leader()!;
  const epoch = leader.node.epoch;
  const follower = [...cluster.nodes.values()].find((entry) => entry.id !== leader.id)!;
  cluster.isolate(follower.id);
  cluster.advanceTo(cluster.nowMs + 2_000);
  assert.equal(follower.node.epoch, epoch, "pre-votes failed, so it never bumped its epoch");
  cluster.healAll();
  cluster.advanceTo(cluster.nowMs + 1_000);
  assert.equal(cluster.leader()?.id, leader.id);
  assert.equal(leader.node.epoch, epoch);
  assert.equal(follower.node.role, "Follower");
});

Deno.test("an old leader's uncommitted tail is truncated when it rejoins under a new leader", () => {
  const cluster = new TestCluster([1, 2, 3], { seed: 41 });
  assert.ok(cluster.runUntil(() => cluster.leader() !== undefined));
  cluster.commit("committed");
  const old = cluster.leader()!;
  cluster.isolate(old.id);
  old.node.propose([encoder.encode("lost-1")], cluster.nowMs);
  old.node.propose([encoder.encode("lost-2")], cluster.nowMs);
  cluster.drain(old.id);
  assert.ok(
    cluster.runUntil(() =>
      [...cluster.nodes.values()].some((entry) => entry.id !== old.id && entry.node.isLeader)
    ),
  );
  cluster.commit("after");
  cluster.healAll();
  assert.ok(cluster.runUntil(() => appliedValues(old.applied).join() === "committed,after", 5_000));
  const logs = [...cluster.nodes.values()].map((entry) =>
    entry.node.batches.map((batch) => `${batch.baseOffset}:${batch.epoch}`).join()
  );
  assert.equal(new Set(logs).size, 1, "every log is the same");
});

Deno.test("a follower below the leader's log start downloads the snapshot in chunks", () => {
  const cluster = new TestCluster([1, 2, 3], {
    seed: 51,
    extra: { timeouts: { ...TEST_TIMEOUTS, fetchSnapshotMaxBytes: 3 } },
  });
  assert.ok(cluster.runUntil(() => cluster.leader() !== undefined));
  const leader = cluster.leader()!;
  const lagging = [...cluster.nodes.values()].find((entry) => entry.id !== leader.id)!;
  cluster.stop(lagging.id);
  for (const value of ["a", "b", "c"]) cluster.commit(value);
  const state = leader.node.state();
  const lastEpoch = leader.node.batches.at(-1)!.epoch;
  const snapshot = {
    id: { endOffset: state.appliedOffset, epoch: lastEpoch },
    bytes: encoder.encode("0123456789"),
  };
  leader.node.recordSnapshot(snapshot);
  cluster.drain(leader.id);
  assert.equal(leader.node.state().logStartOffset, state.appliedOffset);
  cluster.start(lagging.id);
  assert.ok(cluster.runUntil(() => lagging.disk.snapshot !== null));
  assert.deepEqual(lagging.disk.snapshot, snapshot);
  assert.deepEqual(lagging.node.state().snapshotId, snapshot.id);
  cluster.commit("d");
  assert.ok(cluster.runUntil(() => appliedValues(lagging.applied).includes("d")));
});

Deno.test("a resigning leader's first preferred successor campaigns at once", () => {
  const cluster = new TestCluster([1, 2, 3], { seed: 61 });
  assert.ok(cluster.runUntil(() => cluster.leader() !== undefined));
  cluster.commit("x");
  const leader = cluster.leader()!;
  const epoch = leader.node.epoch;
  leader.node.resign(cluster.nowMs);
  cluster.drain(leader.id);
  assert.equal(leader.node.role, "Resigned");
  const started = cluster.nowMs;
  assert.ok(cluster.runUntil(() => {
    const next = cluster.leader();
    return next !== undefined && next.node.epoch > epoch;
  }));
  // Well within the fetch timeout the followers would otherwise wait for.
  assert.ok(cluster.nowMs - started < (TEST_TIMEOUTS.fetchTimeoutMs ?? 0), `${cluster.nowMs - started} ms`);
});

/** Node 1 of three voters, holding an epoch-1 log, elected leader of epoch 2 by node 2's votes. */
function electedWithOldRecords(bugs: { commitPreviousEpochByCounting?: boolean }): RaftNode {
  const old = (baseOffset: number) => ({
    baseOffset,
    epoch: 1,
    appendTimeMs: 0,
    control: false,
    records: [{ type: "data" as const, value: encoder.encode(`old-${baseOffset}`) }],
  });
  const node = new RaftNode({
    nodeId: 1,
    voters: [1, 2, 3],
    random: { int: () => 0 },
    nowMs: 0,
    timeouts: { ...TEST_TIMEOUTS, fetchMaxBytes: 1 },
    quorumState: { epoch: 1, leaderId: -1, votedId: -1 },
    batches: [old(0), old(1)],
    bugs,
  });
  // The election timer fires at 100 ms (no jitter); everything after happens at 200 ms.
  for (let round = 0; round < 10 && !node.isLeader; round++) {
    node.tick(200);
    if (!node.hasReady()) continue;
    const ready = node.ready();
    node.advance();
    for (const message of ready.messages) {
      if (message.to !== 2 || message.body.type !== "VoteRequest") continue;
      node.step({
        from: 2,
        to: 1,
        correlationId: message.correlationId,
        body: {
          type: "VoteResponse",
          errorCode: 0,
          leaderId: -1,
          leaderEpoch: message.body.replicaEpoch,
          voteGranted: true,
        },
      }, 200);
    }
  }
  assert.ok(node.isLeader);
  while (node.hasReady()) {
    node.ready();
    node.advance();
  }
  return node;
}

/** Node 2 fetches from `offset` (its last record of `lastEpoch`); returns the leader's high watermark. */
function fetchFrom(node: RaftNode, offset: number, lastEpoch: number, correlationId: number): number {
  node.step({
    from: 2,
    to: 1,
    correlationId,
    body: {
      type: "FetchRequest",
      clusterId: null,
      replicaId: 2,
      maxWaitMs: 0,
      maxBytes: 1,
      currentLeaderEpoch: node.epoch,
      fetchOffset: offset,
      lastFetchedEpoch: lastEpoch,
      logStartOffset: 0,
      highWatermark: -1,
    },
  }, 10_000);
  return node.state().leader!.highWatermark;
}

Deno.test("a new leader commits records of earlier epochs only after a record of its own", () => {
  const node = electedWithOldRecords({});
  assert.equal(node.epoch, 2);
  assert.deepEqual(node.state().epochStarts, [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 2 }]);
  // Node 2 holds both old records: a majority has them, but they are of epoch 1.
  assert.equal(fetchFrom(node, 2, 1, 1), -1);
  // Node 2 holds the LeaderChange record of epoch 2 too: now everything below 3 is committed.
  assert.equal(fetchFrom(node, 3, 2, 2), 3);
});

Deno.test("with the planted bug the leader commits earlier epochs' records by counting", () => {
  const node = electedWithOldRecords({ commitPreviousEpochByCounting: true });
  assert.equal(fetchFrom(node, 2, 1, 1), 2);
});

Deno.test("a malformed snapshot from the leader is refused and the follower's log is left alone", () => {
  const cluster = new TestCluster([1, 2, 3], { seed: 52, extra: { validateSnapshot: isValidSnapshot } });
  assert.ok(cluster.runUntil(() => cluster.leader() !== undefined));
  const leader = cluster.leader()!;
  const lagging = [...cluster.nodes.values()].find((entry) => entry.id !== leader.id)!;
  cluster.stop(lagging.id);
  cluster.commit("a");
  const applied = leader.node.state().appliedOffset;
  leader.node.recordSnapshot({
    id: { endOffset: applied, epoch: leader.node.epoch },
    bytes: encoder.encode("not a snapshot"),
  });
  cluster.drain(leader.id);
  cluster.start(lagging.id);
  const before = lagging.node.state();
  cluster.advanceTo(cluster.nowMs + 1_000);
  assert.equal(lagging.disk.snapshot, null);
  assert.equal(lagging.node.state().snapshotId, null);
  assert.equal(lagging.node.state().logEndOffset, before.logEndOffset);
});

Deno.test("DescribeQuorum shows the leader's view of every voter and observer", () => {
  const cluster = new TestCluster([1, 2, 3], { seed: 53, observers: [9] });
  assert.ok(cluster.runUntil(() => cluster.leader() !== undefined));
  cluster.commit("a");
  assert.ok(
    cluster.runUntil(() => [...cluster.nodes.values()].every((entry) => entry.node.highWatermark >= 2)),
  );
  const leader = cluster.leader()!;
  const body = describeQuorumToWire(leader.node.state());
  const partition = body.topics[0]!.partitions[0]!;
  assert.equal(partition.errorCode, 0);
  assert.equal(partition.leaderId, leader.id);
  assert.deepEqual(partition.currentVoters.map((voter) => voter.replicaId), [1, 2, 3]);
  assert.deepEqual(partition.observers.map((observer) => observer.replicaId), [9]);
  const follower = [...cluster.nodes.values()].find((entry) => !entry.node.isLeader)!;
  assert.equal(
    describeQuorumToWire(follower.node.state()).topics[0]!.partitions[0]!.errorCode,
    ErrorCode.NOT_LEADER_OR_FOLLOWER,
  );
});
