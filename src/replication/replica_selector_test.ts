import assert from "node:assert/strict";
import { LEADER_SELECTOR, preferredReadReplica, RACK_AWARE_REPLICA_SELECTOR } from "./replica_selector.ts";

const leader = { brokerId: 1, rack: "a", logEndOffset: 100, timeSinceLastCaughtUpMs: 0 };
const view = (brokerId: number, rack: string | null, logEndOffset = 100, timeSinceLastCaughtUpMs = 0) => ({
  brokerId,
  rack,
  logEndOffset,
  timeSinceLastCaughtUpMs,
});

Deno.test("rack-aware: a consumer on a follower's rack is sent there", () => {
  assert.equal(
    preferredReadReplica(RACK_AWARE_REPLICA_SELECTOR, "b", leader, [view(2, "b"), view(3, "c")]),
    2,
  );
});

Deno.test("rack-aware: the leader's own rack, no rack, or no replica on the rack read from the leader", () => {
  const followers = [view(2, "b"), view(3, "c")];
  assert.equal(
    preferredReadReplica(RACK_AWARE_REPLICA_SELECTOR, "a", leader, [...followers, view(4, "a")]),
    -1,
  );
  assert.equal(preferredReadReplica(RACK_AWARE_REPLICA_SELECTOR, "", leader, followers), -1);
  assert.equal(preferredReadReplica(RACK_AWARE_REPLICA_SELECTOR, "z", leader, followers), -1);
  assert.equal(
    preferredReadReplica(RACK_AWARE_REPLICA_SELECTOR, "b", { ...leader, rack: null }, followers),
    2,
  );
});

Deno.test("rack-aware: among replicas on the rack, the most caught-up (log end, then recency, then id)", () => {
  const select = (followers: ReturnType<typeof view>[]) =>
    preferredReadReplica(RACK_AWARE_REPLICA_SELECTOR, "b", leader, followers);
  assert.equal(select([view(2, "b", 90), view(3, "b", 95)]), 3);
  assert.equal(select([view(2, "b", 95, 10), view(3, "b", 95, 500)]), 2);
  assert.equal(select([view(2, "b", 95, 10), view(3, "b", 95, 10)]), 3);
});

Deno.test("no selector, or Kafka's LeaderSelector, always reads from the leader", () => {
  assert.equal(preferredReadReplica(null, "b", leader, [view(2, "b")]), -1);
  assert.equal(preferredReadReplica(LEADER_SELECTOR, "b", leader, [view(2, "b")]), -1);
});
