import assert from "node:assert/strict";
import { SimCluster } from "../io/sim/mod.ts";
import { MetadataWaiters } from "./metadata_waiters.ts";

function setUp() {
  const cluster = new SimCluster({ seed: 3 });
  const world = cluster.start("node");
  return { cluster, waiters: new MetadataWaiters(world.clock) };
}

Deno.test("a condition that holds already is met at once", async () => {
  const { waiters } = setUp();
  assert.equal(await waiters.wait(() => true, 0), true);
});

Deno.test("a waiter is met when a change makes its condition hold, and only then", async () => {
  const { cluster, waiters } = setUp();
  let applied = 0;
  let met: boolean | null = null;
  waiters.wait(() => applied >= 2, 1000).then((value) => met = value);
  applied = 1;
  waiters.notify();
  await cluster.scheduler.runFor(10);
  assert.equal(met, null);
  applied = 2;
  waiters.notify();
  await cluster.scheduler.runFor(0);
  assert.equal(met, true);
});

Deno.test("a waiter gives up after its timeout, answering the condition as it then stands", async () => {
  const { cluster, waiters } = setUp();
  let value = false;
  const startMs = cluster.scheduler.nowMs;
  assert.equal(
    await cluster.scheduler.runUntilSettled(waiters.wait(() => value, 500), { maxVirtualMs: 1000 }),
    false,
  );
  assert.equal(cluster.scheduler.nowMs - startMs, 500);
  // A change nobody announced still counts when the timer fires.
  const late = waiters.wait(() => value, 500);
  value = true;
  assert.equal(await cluster.scheduler.runUntilSettled(late, { maxVirtualMs: 1000 }), true);
});

Deno.test("without a timeout a waiter waits until notified, and shutting down wakes everyone", async () => {
  const { cluster, waiters } = setUp();
  let met: boolean | null = null;
  waiters.wait(() => false, Infinity).then((value) => met = value);
  await cluster.scheduler.runFor(1_000_000);
  assert.equal(met, null);
  waiters.wakeAll();
  await cluster.scheduler.runFor(0);
  assert.equal(met, false);
});
