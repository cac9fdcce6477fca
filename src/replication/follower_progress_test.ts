import assert from "node:assert/strict";
import { FollowerProgress, UNKNOWN_OFFSET } from "./follower_progress.ts";

const LAG_MS = 30_000;

Deno.test("a follower the leader has not heard from has an unknown log end and broker epoch", () => {
  const progress = new FollowerProgress(2, 1_000);
  assert.equal(progress.logEndOffset, UNKNOWN_OFFSET);
  assert.equal(progress.brokerEpoch, -1);
  assert.equal(progress.lastCaughtUpTimeMs, 1_000);
});

Deno.test("a fetch at the leader's log end catches the follower up at the fetch's time", () => {
  const progress = new FollowerProgress(2, Number.NEGATIVE_INFINITY);
  progress.onFetch(10, 7, 5_000, 10);
  assert.equal(progress.lastCaughtUpTimeMs, 5_000);
  assert.equal(progress.logEndOffset, 10);
  assert.equal(progress.brokerEpoch, 7);
});

Deno.test("a fetch behind the leader's end but past its end at the previous fetch catches up at that fetch's time", async (t) => {
  // Kafka's ReplicaState rule: under a steady stream of small produces the
  // follower never equals the leader's end, yet it has everything the leader
  // had when it last asked, so it was caught up then.
  await t.step("reaching the previous end counts from the previous fetch", () => {
    const progress = new FollowerProgress(2, Number.NEGATIVE_INFINITY);
    progress.onFetch(0, 1, 1_000, 10); // behind: the leader ends at 10
    assert.equal(progress.lastCaughtUpTimeMs, Number.NEGATIVE_INFINITY);
    progress.onFetch(10, 1, 2_000, 15); // has the 10 of the previous fetch, not the 15 of now
    assert.equal(progress.lastCaughtUpTimeMs, 1_000);
    progress.onFetch(15, 1, 3_000, 22);
    assert.equal(progress.lastCaughtUpTimeMs, 2_000);
  });
  await t.step("falling short of the previous end leaves the last catch-up as it was", () => {
    const progress = new FollowerProgress(2, Number.NEGATIVE_INFINITY);
    progress.onFetch(10, 1, 1_000, 10);
    progress.onFetch(12, 1, 2_000, 20);
    assert.equal(progress.lastCaughtUpTimeMs, 1_000, "12 >= 10, the leader's end at the previous fetch");
    progress.onFetch(15, 1, 3_000, 30);
    assert.equal(progress.lastCaughtUpTimeMs, 1_000, "15 < 20: not caught up with the previous fetch");
  });
  await t.step("the first fetch after the leader started has no previous fetch to compare with", () => {
    const progress = new FollowerProgress(2, Number.NEGATIVE_INFINITY);
    progress.onFetch(3, 1, 1_000, 10);
    assert.equal(progress.lastCaughtUpTimeMs, Number.NEGATIVE_INFINITY);
  });
});

Deno.test("the last catch-up time never goes back", () => {
  // An ISR member starts with the leader's start time; a fetch whose previous
  // fetch predates it must not move it back.
  const progress = new FollowerProgress(2, 10_000);
  progress.onFetch(5, 1, 10_500, 5);
  progress.onFetch(5, 1, 11_000, 8);
  assert.equal(progress.lastCaughtUpTimeMs, 10_500);
  const isrMember = new FollowerProgress(3, 10_000);
  isrMember.onFetch(0, 1, 9_000, 10); // a clock that stepped back
  isrMember.onFetch(10, 1, 9_500, 12);
  assert.equal(isrMember.lastCaughtUpTimeMs, 10_000);
});

Deno.test("a follower is caught up at the leader's end whatever the time, else within the lag", () => {
  const progress = new FollowerProgress(2, Number.NEGATIVE_INFINITY);
  progress.onFetch(10, 1, 1_000, 10);
  assert.equal(progress.isCaughtUp(10, 1_000 + 10 * LAG_MS, LAG_MS), true, "same end as the leader");
  assert.equal(progress.isCaughtUp(11, 1_000 + LAG_MS, LAG_MS), true, "exactly the lag: still in sync");
  assert.equal(progress.isCaughtUp(11, 1_000 + LAG_MS + 1, LAG_MS), false);
});

Deno.test("a follower never caught up is not caught up, however small the lag", () => {
  const progress = new FollowerProgress(2, Number.NEGATIVE_INFINITY);
  assert.equal(progress.isCaughtUp(0, 0, LAG_MS), false, "an unknown end is not the leader's end");
  progress.onFetch(4, 1, 0, 10);
  assert.equal(progress.isCaughtUp(10, 0, LAG_MS), false);
});
