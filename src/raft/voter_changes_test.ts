import assert from "node:assert/strict";
import { appliedValues, TestCluster } from "./_raft_test_support.ts";
import { RaftNode, type RaftNodeOptions } from "./raft_node.ts";
import type { VoterInfo } from "./types.ts";
import { ErrorCode } from "../protocol/mod.ts";

function assertEquals(actual: unknown, expected: unknown, message?: string): void {
  if (message === undefined) assert.deepEqual(actual, expected);
  else assert.deepEqual(actual, expected, message);
}

/** The bootstrap server's id as the joining nodes know it (Kafka numbers them from -2). */
const BOOTSTRAP = -2;

function voterInfo(id: number): VoterInfo {
  return {
    voterId: id,
    directoryId: `dir-${id}-AAAAAAAAAAAAAAAAA`.slice(0, 22),
    endpoints: [{ name: "CONTROLLER", host: "127.0.0.1", port: 9000 + id }],
    kraftVersionMin: 0,
    kraftVersionMax: 1,
  };
}

/** Node 1 formatted standalone (the only bootstrap voter); the others join with no voters. */
function dynamicOptions(id: number): Partial<RaftNodeOptions> {
  const self = voterInfo(id);
  return {
    dynamic: {
      directoryId: self.directoryId!,
      endpoints: self.endpoints,
      bootstrapVoters: id === 1 ? [self] : [],
      bootstrapServers: id === 1 ? [] : [BOOTSTRAP],
    },
  };
}

function growingCluster(nodes: number[] = [1, 2, 3]): TestCluster {
  return new TestCluster([], {
    observers: nodes,
    perNode: dynamicOptions,
    aliases: new Map([[BOOTSTRAP, 1]]),
  });
}

function leaderOf(cluster: TestCluster) {
  const leader = cluster.leader();
  if (leader === undefined) throw new Error("no leader");
  return leader;
}

/** Adds `id` on the leader and runs until the change is committed there. */
function addAndCommit(cluster: TestCluster, id: number): void {
  const leader = leaderOf(cluster);
  const result = leader.node.addVoter(
    { voterId: id, directoryId: voterInfo(id).directoryId, endpoints: voterInfo(id).endpoints },
    cluster.nowMs,
  );
  assertEquals(result.errorCode, ErrorCode.NONE, JSON.stringify(result));
  if (!("baseOffset" in result)) throw new Error("no offset");
  cluster.drain(leader.id);
  assert(cluster.runUntil(() => leader.node.highWatermark > result.lastOffset, 5_000), `add ${id} committed`);
}

Deno.test("a standalone voter writes its bootstrap voter set into the log and observers follow it", () => {
  const cluster = growingCluster();
  assert(cluster.runUntil(() => cluster.get(1).node.isLeader && cluster.get(1).node.highWatermark > 0));
  const leader = cluster.get(1).node;
  assertEquals(leader.kraftVersion, 1);
  assertEquals(leader.voters.map((voter) => voter.voterId), [1]);
  const first = leader.batches[0]!;
  assertEquals(first.records.map((record) => record.type), ["leaderChange", "kraftVersion", "voters"]);
  cluster.commit("a");
  // The joining nodes found the leader through the bootstrap server and replicated its log.
  assert(cluster.runUntil(() => [2, 3].every((id) => appliedValues(cluster.get(id).applied).includes("a"))));
  for (const id of [2, 3]) {
    const node = cluster.get(id).node;
    assertEquals(node.role, "Follower");
    assertEquals(node.leaderId, 1);
    assertEquals(node.voters.map((voter) => voter.voterId), [1]);
  }
  assertEquals(leader.state().leader!.observers.map((progress) => progress.replicaId).sort(), [2, 3]);
});

Deno.test("AddRaftVoter grows the quorum one voter at a time, and the new voters elect without the first", () => {
  const cluster = growingCluster();
  assert(cluster.runUntil(() => cluster.get(1).node.highWatermark > 0));
  cluster.commit("before");
  assert(cluster.runUntil(() => appliedValues(cluster.get(3).applied).includes("before")));
  addAndCommit(cluster, 2);
  // One change at a time: a second change waits until the first commits (checked right after appending).
  const leader = cluster.get(1).node;
  const pending = leader.addVoter(
    { voterId: 3, directoryId: null, endpoints: voterInfo(3).endpoints },
    cluster.nowMs,
  );
  assertEquals(pending.errorCode, ErrorCode.NONE);
  const again = leader.removeVoter(2, null, cluster.nowMs);
  assertEquals(again.errorCode, ErrorCode.REQUEST_TIMED_OUT);
  cluster.drain(1);
  assert(cluster.runUntil(() => [1, 2, 3].every((id) => cluster.get(id).node.voters.length === 3)));
  assertEquals(leader.state().leader!.voters.map((progress) => progress.replicaId), [1, 2, 3]);
  cluster.commit("three voters");
  // The first node goes away: the two it added elect a leader among themselves and commit.
  cluster.stop(1);
  assert(cluster.runUntil(() => cluster.leader()?.id !== undefined && cluster.leader()!.id !== 1, 10_000));
  cluster.commit("after");
  const next = leaderOf(cluster);
  assert([2, 3].includes(next.id));
  for (const id of [2, 3]) {
    assert(cluster.runUntil(() => appliedValues(cluster.get(id).applied).includes("after")));
    assertEquals(appliedValues(cluster.get(id).applied).filter((value) => value !== ""), [
      "before",
      "three voters",
      "after",
    ]);
  }
});

Deno.test("AddRaftVoter refusals: duplicate, lagging observer, static voters", () => {
  const cluster = growingCluster([1, 2]);
  assert(cluster.runUntil(() => cluster.get(1).node.highWatermark > 0));
  const leader = cluster.get(1).node;
  const duplicate = leader.addVoter(
    { voterId: 1, directoryId: null, endpoints: voterInfo(1).endpoints },
    cluster.nowMs,
  );
  assertEquals(duplicate.errorCode, ErrorCode.DUPLICATE_VOTER);
  const unknown = leader.addVoter(
    { voterId: 7, directoryId: null, endpoints: voterInfo(7).endpoints },
    cluster.nowMs,
  );
  assertEquals(unknown.errorCode, ErrorCode.REQUEST_TIMED_OUT);
  const noListener = leader.addVoter({ voterId: 2, directoryId: null, endpoints: [] }, cluster.nowMs);
  assertEquals(noListener.errorCode, ErrorCode.INVALID_REQUEST);
  assertEquals(
    cluster.get(2).node.addVoter({ voterId: 3, directoryId: null, endpoints: [] }, cluster.nowMs).errorCode,
    ErrorCode.NOT_LEADER_OR_FOLLOWER,
  );

  const staticCluster = new TestCluster([1, 2, 3]);
  assert(staticCluster.runUntil(() => staticCluster.leader()?.node.highWatermark! > 0));
  const staticLeader = leaderOf(staticCluster).node;
  assertEquals(staticLeader.kraftVersion, 0);
  assertEquals(
    staticLeader.removeVoter(3, null, staticCluster.nowMs).errorCode,
    ErrorCode.UNSUPPORTED_VERSION,
  );
});

Deno.test("RemoveRaftVoter: a removed follower becomes an observer; a leader that removes itself resigns once committed", () => {
  const cluster = growingCluster();
  assert(cluster.runUntil(() => cluster.get(1).node.highWatermark > 0));
  cluster.commit("x");
  assert(cluster.runUntil(() => [2, 3].every((id) => appliedValues(cluster.get(id).applied).includes("x"))));
  addAndCommit(cluster, 2);
  addAndCommit(cluster, 3);
  const leader = cluster.get(1).node;
  assertEquals(leader.removeVoter(9, null, cluster.nowMs).errorCode, ErrorCode.VOTER_NOT_FOUND);
  const removal = leader.removeVoter(1, voterInfo(1).directoryId, cluster.nowMs);
  assertEquals(removal.errorCode, ErrorCode.NONE);
  cluster.drain(1);
  // Node 1 leads until the new set {2, 3} commits the removal, then hands over.
  assert(cluster.runUntil(() => {
    const current = cluster.leader();
    return current !== undefined && current.id !== 1 && current.node.highWatermark > 0;
  }, 10_000));
  cluster.commit("without 1");
  const next = leaderOf(cluster);
  assertEquals(next.node.voters.map((voter) => voter.voterId), [2, 3]);
  // Node 1 keeps following as an observer.
  assert(cluster.runUntil(() => appliedValues(cluster.get(1).applied).includes("without 1")));
  assertEquals(cluster.get(1).node.role, "Follower");
  assertEquals(next.node.state().leader!.observers.map((progress) => progress.replicaId), [1]);
  // A removed follower stops counting too: remove 3, and 2 alone commits.
  const removeFollower = next.node.removeVoter(next.id === 2 ? 3 : 2, null, cluster.nowMs);
  assertEquals(removeFollower.errorCode, ErrorCode.NONE);
  cluster.drain(next.id);
  assert(
    cluster.runUntil(() =>
      next.node.voters.length === 1 &&
      next.node.highWatermark > (removeFollower as { lastOffset: number }).lastOffset
    ),
  );
  const other = next.id === 2 ? 3 : 2;
  cluster.stop(other);
  cluster.commit("alone");
});

Deno.test("a restart reads the voter set from the log", () => {
  const cluster = growingCluster([1, 2]);
  assert(cluster.runUntil(() => cluster.get(1).node.highWatermark > 0));
  cluster.commit("a");
  assert(cluster.runUntil(() => appliedValues(cluster.get(2).applied).includes("a")));
  addAndCommit(cluster, 2);
  cluster.stop(1);
  cluster.stop(2);
  cluster.start(1);
  cluster.start(2);
  assertEquals(cluster.get(1).node.voters.map((voter) => voter.voterId), [1, 2]);
  assertEquals(cluster.get(2).node.voters.map((voter) => voter.voterId), [1, 2]);
  assert(cluster.runUntil(() => cluster.leader() !== undefined, 10_000));
  cluster.commit("after restart");
});

Deno.test("UpdateRaftVoter replaces a voter's listeners", () => {
  const cluster = growingCluster([1]);
  assert(cluster.runUntil(() => cluster.get(1).node.highWatermark > 0));
  const leader = cluster.get(1).node;
  const endpoints = [{ name: "CONTROLLER", host: "10.0.0.1", port: 19093 }];
  const result = leader.updateVoter(
    { voterId: 1, directoryId: voterInfo(1).directoryId, endpoints },
    cluster.nowMs,
  );
  assertEquals(result.errorCode, ErrorCode.NONE);
  cluster.drain(1);
  assertEquals(leader.voters[0]!.endpoints, endpoints);
  assertEquals(
    leader.updateVoter({ voterId: 4, directoryId: null, endpoints }, cluster.nowMs).errorCode,
    ErrorCode.VOTER_NOT_FOUND,
  );
});

Deno.test("a voter whose listeners changed sends UpdateRaftVoter and the leader records them", () => {
  let movedPort: number | null = null;
  const cluster = new TestCluster([], {
    observers: [1, 2],
    perNode: (id) => {
      const options = dynamicOptions(id);
      if (id !== 2 || movedPort === null) return options;
      const endpoints = [{ name: "CONTROLLER", host: "127.0.0.1", port: movedPort }];
      return { dynamic: { ...options.dynamic!, endpoints } };
    },
    aliases: new Map([[BOOTSTRAP, 1]]),
  });
  assert(cluster.runUntil(() => cluster.get(1).node.highWatermark > 0));
  cluster.commit("a");
  assert(cluster.runUntil(() => appliedValues(cluster.get(2).applied).includes("a")));
  addAndCommit(cluster, 2);
  const leader = cluster.get(1).node;
  const batchesBefore = leader.batches.length;
  // Nothing to update while the listeners match.
  cluster.advanceTo(cluster.nowMs + 1000);
  assertEquals(
    leader.batches.filter((batch) => batch.control).length,
    leader.batches.slice(0, batchesBefore).filter((batch) => batch.control).length,
  );
  // Node 2 restarts on another port: it tells the leader, which writes a new VotersRecord.
  movedPort = 19002;
  cluster.stop(2);
  cluster.start(2);
  const portOf = (id: number) => leader.voters.find((voter) => voter.voterId === id)?.endpoints[0]?.port;
  assert(cluster.runUntil(() => portOf(2) === 19002, 5_000), "the voter set has node 2's new port");
  assert(
    cluster.runUntil(() =>
      cluster.get(2).node.voters.find((voter) => voter.voterId === 2)?.endpoints[0]?.port === 19002
    ),
  );
  assertEquals(leader.voters.map((voter) => voter.voterId), [1, 2]);
  cluster.commit("after update");
});

Deno.test("a static quorum's log is not taken over by a lone bootstrap voter", () => {
  const cluster = new TestCluster([1, 2, 3]);
  assert(cluster.runUntil(() => cluster.leader()?.node.highWatermark! > 0));
  cluster.commit("static");
  const disk = cluster.get(1).disk;
  const start = (dynamic: boolean) =>
    new RaftNode({
      nodeId: 1,
      voters: [],
      dynamic: dynamic ? dynamicOptions(1).dynamic : null,
      random: cluster.random.fork("restart"),
      nowMs: cluster.nowMs,
      quorumState: disk.quorumState,
      batches: disk.batches,
    });
  assert.throws(() => start(true), /static voters 1,2,3/);
  // A single static voter's log may become the dynamic quorum's (the embedded node growing).
  const lone = new TestCluster([1]);
  assert(lone.runUntil(() => lone.get(1).node.highWatermark > 0));
  lone.commit("alone");
  const restarted = new RaftNode({
    nodeId: 1,
    voters: [],
    ...dynamicOptions(1),
    random: lone.random.fork("restart"),
    nowMs: lone.nowMs,
    quorumState: lone.get(1).disk.quorumState,
    batches: lone.get(1).disk.batches,
  });
  assertEquals(restarted.kraftVersion, 1);
  assertEquals(restarted.voters.map((voter) => voter.voterId), [1]);
});
