import assert from "node:assert/strict";
import { ErrorCode } from "../protocol/mod.ts";
import { TestCluster } from "./_raft_test_support.ts";
import type { RaftEnvelope, RaftRequest } from "./messages.ts";
import type { RaftNodeState } from "./node_state.ts";

const STRANGER = 999;

/** A three-voter cluster with a leader and a record committed. */
function settledCluster(): TestCluster {
  const cluster = new TestCluster([1, 2, 3], { seed: 21 });
  assert.ok(cluster.runUntil(() => cluster.leader() !== undefined));
  cluster.commit("a");
  assert.ok(
    cluster.runUntil(() => [...cluster.nodes.values()].every((entry) => entry.node.highWatermark >= 2)),
  );
  return cluster;
}

function quorumView(state: RaftNodeState) {
  return [state.role, state.epoch, state.leaderId, state.votedId, state.logEndOffset, state.highWatermark];
}

/** Steps `body` from the stranger into `nodeId` and returns the error code of its answer. */
function answer(cluster: TestCluster, nodeId: number, body: RaftRequest, from = STRANGER): number {
  const target = cluster.get(nodeId);
  const before = quorumView(target.node.state());
  const request: RaftEnvelope = { from, to: nodeId, correlationId: 777, body };
  target.node.step(request, cluster.nowMs);
  assert.deepEqual(quorumView(target.node.state()), before, `${body.type} changed the node`);
  cluster.drain(nodeId);
  const response = cluster.network.find((message) => message.to === from && message.correlationId === 777);
  assert.ok(response !== undefined, "answered");
  cluster.network = cluster.network.filter((message) => message !== response);
  return (response.body as { errorCode: number }).errorCode;
}

Deno.test("a vote request from a node outside the voter set is refused with INCONSISTENT_VOTER_SET", () => {
  const cluster = settledCluster();
  const follower = [...cluster.nodes.values()].find((entry) => !entry.node.isLeader)!;
  const epoch = follower.node.epoch;
  for (const preVote of [false, true]) {
    const errorCode = answer(cluster, follower.id, {
      type: "VoteRequest",
      clusterId: "test-cluster",
      voterId: follower.id,
      replicaId: STRANGER,
      replicaEpoch: epoch + 5,
      lastOffsetEpoch: epoch + 4,
      lastOffset: 1000,
      preVote,
    });
    assert.equal(errorCode, ErrorCode.INCONSISTENT_VOTER_SET);
  }
});

Deno.test("requests of a stale epoch are fenced", () => {
  const cluster = settledCluster();
  const leader = cluster.leader()!;
  const follower = [...cluster.nodes.values()].find((entry) => !entry.node.isLeader)!;
  const stale = follower.node.epoch - 1;
  assert.equal(
    answer(cluster, follower.id, {
      type: "BeginQuorumEpochRequest",
      clusterId: null,
      voterId: follower.id,
      leaderId: leader.id,
      leaderEpoch: stale,
    }, leader.id),
    ErrorCode.FENCED_LEADER_EPOCH,
  );
  assert.equal(
    answer(cluster, leader.id, {
      type: "FetchRequest",
      clusterId: null,
      replicaId: follower.id,
      maxWaitMs: 0,
      maxBytes: 1000,
      currentLeaderEpoch: stale,
      fetchOffset: 0,
      lastFetchedEpoch: 0,
      logStartOffset: 0,
      highWatermark: -1,
    }, follower.id),
    ErrorCode.FENCED_LEADER_EPOCH,
  );
});

Deno.test("a fetch with a forged replica id cannot move the high watermark", () => {
  const cluster = settledCluster();
  const leader = cluster.leader()!;
  const follower = [...cluster.nodes.values()].find((entry) => !entry.node.isLeader)!;
  const proposal = leader.node.propose([new Uint8Array([1])], cluster.nowMs);
  assert.equal(proposal.errorCode, 0);
  const fetch = (replicaId: number): RaftRequest => ({
    type: "FetchRequest",
    clusterId: null,
    replicaId,
    maxWaitMs: 0,
    maxBytes: 1000,
    currentLeaderEpoch: leader.node.epoch,
    fetchOffset: leader.node.state().logEndOffset,
    lastFetchedEpoch: leader.node.epoch,
    logStartOffset: 0,
    highWatermark: -1,
  });
  assert.equal(
    answer(cluster, leader.id, fetch(follower.id)),
    ErrorCode.INVALID_REQUEST,
    "another voter's id",
  );
  assert.equal(
    answer(cluster, leader.id, fetch(leader.id)),
    ErrorCode.INVALID_REQUEST,
    "the leader's own id",
  );
});

Deno.test("malformed fetches are refused with INVALID_REQUEST, a foreign cluster with INCONSISTENT_CLUSTER_ID", () => {
  const cluster = settledCluster();
  const leader = cluster.leader()!;
  const base = {
    type: "FetchRequest" as const,
    clusterId: null,
    replicaId: -1,
    maxWaitMs: 0,
    maxBytes: 1000,
    currentLeaderEpoch: leader.node.epoch,
    fetchOffset: 0,
    lastFetchedEpoch: 0,
    logStartOffset: 0,
    highWatermark: -1,
  };
  assert.equal(answer(cluster, leader.id, { ...base, fetchOffset: -1 }), ErrorCode.INVALID_REQUEST);
  assert.equal(
    answer(cluster, leader.id, { ...base, lastFetchedEpoch: leader.node.epoch + 1 }),
    ErrorCode.INVALID_REQUEST,
  );
  assert.equal(answer(cluster, leader.id, { ...base, maxWaitMs: -5 }), ErrorCode.INVALID_REQUEST);
  assert.equal(
    answer(cluster, leader.id, { ...base, clusterId: "elsewhere" }),
    ErrorCode.INCONSISTENT_CLUSTER_ID,
  );
  assert.equal(
    answer(cluster, leader.id, { ...base, currentLeaderEpoch: leader.node.epoch + 3 }),
    ErrorCode.UNKNOWN_LEADER_EPOCH,
  );
});

Deno.test("fetches to a follower are answered NOT_LEADER_OR_FOLLOWER with the leader it knows", () => {
  const cluster = settledCluster();
  const follower = [...cluster.nodes.values()].find((entry) => !entry.node.isLeader)!;
  assert.equal(
    answer(cluster, follower.id, {
      type: "FetchRequest",
      clusterId: null,
      replicaId: -1,
      maxWaitMs: 0,
      maxBytes: 1000,
      currentLeaderEpoch: follower.node.epoch,
      fetchOffset: 0,
      lastFetchedEpoch: 0,
      logStartOffset: 0,
      highWatermark: -1,
    }),
    ErrorCode.NOT_LEADER_OR_FOLLOWER,
  );
});

Deno.test("snapshot requests for a missing snapshot or a bad position get Kafka's errors", () => {
  const cluster = settledCluster();
  const leader = cluster.leader()!;
  const request = (snapshotId: { endOffset: number; epoch: number }, position: number): RaftRequest => ({
    type: "FetchSnapshotRequest",
    clusterId: null,
    replicaId: -1,
    maxBytes: 100,
    currentLeaderEpoch: leader.node.epoch,
    snapshotId,
    position,
  });
  assert.equal(
    answer(cluster, leader.id, request({ endOffset: 5, epoch: 1 }, 0)),
    ErrorCode.SNAPSHOT_NOT_FOUND,
  );
  const applied = leader.node.state().appliedOffset;
  const epoch =
    leader.node.batches.find((batch) => batch.baseOffset + batch.records.length === applied)!.epoch;
  const snapshot = { id: { endOffset: applied, epoch }, bytes: new Uint8Array(10) };
  leader.node.recordSnapshot(snapshot);
  assert.equal(answer(cluster, leader.id, request(snapshot.id, 10)), ErrorCode.POSITION_OUT_OF_RANGE);
  assert.equal(answer(cluster, leader.id, request(snapshot.id, -1)), ErrorCode.POSITION_OUT_OF_RANGE);
  assert.equal(answer(cluster, leader.id, request(snapshot.id, 0)), ErrorCode.NONE);
});

Deno.test("EndQuorumEpoch and BeginQuorumEpoch from a non-voter change nothing", () => {
  const cluster = settledCluster();
  const follower = [...cluster.nodes.values()].find((entry) => !entry.node.isLeader)!;
  const epoch = follower.node.epoch;
  assert.equal(
    answer(cluster, follower.id, {
      type: "EndQuorumEpochRequest",
      clusterId: null,
      leaderId: STRANGER,
      leaderEpoch: epoch + 1,
      preferredCandidates: [],
    }),
    ErrorCode.INCONSISTENT_VOTER_SET,
  );
  assert.equal(
    answer(cluster, follower.id, {
      type: "BeginQuorumEpochRequest",
      clusterId: null,
      voterId: -1,
      leaderId: STRANGER,
      leaderEpoch: epoch + 1,
    }),
    ErrorCode.INCONSISTENT_VOTER_SET,
  );
});

Deno.test("a vote request with an impossible log is refused with INVALID_REQUEST", () => {
  const cluster = settledCluster();
  const follower = [...cluster.nodes.values()].find((entry) => !entry.node.isLeader)!;
  const voter = [...cluster.nodes.values()].find((entry) => entry.id !== follower.id)!;
  const epoch = follower.node.epoch;
  const errorCode = answer(cluster, follower.id, {
    type: "VoteRequest",
    clusterId: null,
    voterId: follower.id,
    replicaId: voter.id,
    replicaEpoch: epoch + 1,
    lastOffsetEpoch: epoch + 1,
    lastOffset: 5,
    preVote: false,
  }, voter.id);
  assert.equal(errorCode, ErrorCode.INVALID_REQUEST, "the last epoch cannot reach the candidate's epoch");
});
