/**
 * The leader answers held fetches as soon as a follower has something to
 * learn, the high watermark among it, even when the fetch does not say
 * which high watermark its sender knows (Fetch before v17, as Dafka's
 * voters speak it on the wire).
 */
import assert from "node:assert/strict";
import { appliedValues, TestCluster } from "./_raft_test_support.ts";
import type { RaftEnvelope } from "./messages.ts";
import { UNKNOWN_FETCHER_HIGH_WATERMARK } from "./wire_common.ts";

/** A message as Fetch v16 carries it: without the fetcher's high watermark. */
function asFetchV16(message: RaftEnvelope): RaftEnvelope {
  if (message.body.type !== "FetchRequest") return message;
  return { ...message, body: { ...message.body, highWatermark: UNKNOWN_FETCHER_HIGH_WATERMARK } };
}

Deno.test("followers learn a commit at once, without waiting out their held fetch", () => {
  const cluster = new TestCluster([1, 2, 3], { seed: 3 });
  cluster.rewrite = asFetchV16;
  assert.ok(cluster.runUntil(() => cluster.leader() !== undefined));
  cluster.commit("a");
  cluster.advanceTo(cluster.nowMs + 1000);
  const leader = cluster.leader()!;
  assert.equal(leader.node.state().leader!.parkedFetches, 2, "both followers wait on the leader");

  leader.node.propose([new TextEncoder().encode("b")], cluster.nowMs);
  cluster.drain(leader.id);
  // No time passes: the batch goes out, the followers' next fetches move the high watermark, and the
  // leader answers them with it at once instead of holding them for their wait.
  cluster.deliverAll();
  for (const entry of cluster.nodes.values()) {
    assert.deepEqual(appliedValues(entry.applied), ["a", "b"], `node ${entry.id} applied the commit`);
  }
  // Then they are held again (nothing new to learn), not answered over and over.
  assert.equal(cluster.network.length, 0);
  assert.equal(leader.node.state().leader!.parkedFetches, 2);
});

Deno.test("a fetch that says its sender's high watermark is answered at once only when the leader's is higher", () => {
  const cluster = new TestCluster([1, 2, 3], { seed: 3 });
  assert.ok(cluster.runUntil(() => cluster.leader() !== undefined));
  cluster.commit("a");
  cluster.advanceTo(cluster.nowMs + 1000);
  const leader = cluster.leader()!;
  leader.node.propose([new TextEncoder().encode("b")], cluster.nowMs);
  cluster.drain(leader.id);
  cluster.deliverAll();
  for (const entry of cluster.nodes.values()) assert.deepEqual(appliedValues(entry.applied), ["a", "b"]);
  assert.equal(cluster.network.length, 0);
  assert.equal(leader.node.state().leader!.parkedFetches, 2);
});
