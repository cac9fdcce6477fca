import assert from "node:assert/strict";
import { appliedValues, TestCluster } from "./_raft_test_support.ts";

Deno.test("a lone voter leads at once and commits after its own write is durable", () => {
  const cluster = new TestCluster([1]);
  const node = cluster.get(1).node;
  assert.equal(node.role, "Leader");
  assert.equal(node.epoch, 1);
  assert.equal(cluster.get(1).disk.quorumState?.leaderId, 1);
  // The LeaderChange record at offset 0 is committed once persisted.
  assert.equal(node.highWatermark, 1);
  cluster.commit("a");
  assert.deepEqual(appliedValues(cluster.get(1).applied), ["a"]);
});

Deno.test("three voters elect one leader through pre-vote and vote", () => {
  const cluster = new TestCluster([1, 2, 3], { seed: 7 });
  assert.ok(cluster.runUntil(() => cluster.leader() !== undefined, 5_000));
  const leader = cluster.leader()!;
  assert.ok(
    cluster.runUntil(() =>
      [...cluster.nodes.values()].every((entry) =>
        entry.node.leaderId === leader.id && entry.node.epoch === leader.node.epoch
      )
    ),
  );
  for (const entry of cluster.nodes.values()) {
    if (entry.id !== leader.id) assert.equal(entry.node.role, "Follower");
    assert.equal(entry.disk.quorumState?.epoch, leader.node.epoch);
  }
});

Deno.test("committed records reach every voter in order", () => {
  const cluster = new TestCluster([1, 2, 3], { seed: 3 });
  assert.ok(cluster.runUntil(() => cluster.leader() !== undefined));
  for (const value of ["a", "b", "c"]) cluster.commit(value);
  assert.ok(
    cluster.runUntil(() =>
      [...cluster.nodes.values()].every((entry) => appliedValues(entry.applied).join() === "a,b,c")
    ),
  );
});

Deno.test("a follower that stops fetching is replaced: the others elect a new leader in a higher epoch", () => {
  const cluster = new TestCluster([1, 2, 3], { seed: 11 });
  assert.ok(cluster.runUntil(() => cluster.leader() !== undefined));
  const first = cluster.leader()!;
  cluster.commit("before");
  cluster.stop(first.id);
  assert.ok(
    cluster.runUntil(() => cluster.leader() !== undefined && cluster.leader()!.id !== first.id, 5_000),
  );
  const second = cluster.leader()!;
  assert.ok(second.node.epoch > first.node.epoch);
  cluster.commit("after");
  assert.ok(
    cluster.runUntil(() =>
      [...cluster.nodes.values()].filter((entry) => entry.up).every((entry) =>
        appliedValues(entry.applied).join() === "before,after"
      )
    ),
  );
});

Deno.test("a leader that loses touch with the majority resigns after the check-quorum timeout", () => {
  const cluster = new TestCluster([1, 2, 3], { seed: 5 });
  assert.ok(cluster.runUntil(() => cluster.leader() !== undefined));
  const leader = cluster.leader()!;
  for (const entry of cluster.nodes.values()) if (entry.id !== leader.id) cluster.stop(entry.id);
  assert.ok(cluster.runUntil(() => leader.node.role !== "Leader", 2_000));
  assert.ok(["Resigned", "Unattached", "Prospective"].includes(leader.node.role));
});

Deno.test("a restarted leader comes back resigned in its epoch and a new leader is elected", () => {
  const cluster = new TestCluster([1, 2, 3], { seed: 9 });
  assert.ok(cluster.runUntil(() => cluster.leader() !== undefined));
  const leader = cluster.leader()!;
  const epoch = leader.node.epoch;
  cluster.commit("x");
  cluster.stop(leader.id);
  cluster.start(leader.id);
  assert.equal(leader.node.role, "Resigned");
  assert.equal(leader.node.epoch, epoch);
  assert.ok(
    cluster.runUntil(() => cluster.leader() !== undefined && cluster.leader()!.node.epoch > epoch, 5_000),
  );
  cluster.commit("y");
  assert.ok(
    cluster.runUntil(() =>
      [...cluster.nodes.values()].every((entry) => appliedValues(entry.applied).join() === "x,y")
    ),
  );
});

Deno.test("an observer follows the leader and applies committed records without voting", () => {
  const cluster = new TestCluster([1, 2, 3], { seed: 4, observers: [10] });
  assert.ok(cluster.runUntil(() => cluster.leader() !== undefined));
  cluster.commit("seen");
  const observer = cluster.get(10);
  assert.ok(cluster.runUntil(() => appliedValues(observer.applied).join() === "seen"));
  assert.equal(observer.node.role, "Follower");
  const leaderState = cluster.leader()!.node.state();
  assert.ok(leaderState.leader!.observers.some((progress) => progress.replicaId === 10));
});

Deno.test("an observer that lost touch with the leader finds it again", () => {
  const cluster = new TestCluster([1, 2, 3], { seed: 8, observers: [10] });
  assert.ok(cluster.runUntil(() => cluster.leader() !== undefined));
  const observer = cluster.get(10);
  assert.ok(cluster.runUntil(() => observer.node.role === "Follower"));
  cluster.isolate(10);
  assert.ok(cluster.runUntil(() => observer.node.role === "Unattached", 2_000));
  assert.equal(observer.node.leaderId, cluster.leader()!.id, "it still knows who led");
  cluster.healAll();
  cluster.commit("again");
  assert.ok(cluster.runUntil(() => appliedValues(observer.applied).includes("again")));
  assert.equal(observer.node.role, "Follower");
});
