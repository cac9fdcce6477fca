import assert from "node:assert/strict";
import { SimClock, SIMULATION_EPOCH_MS, WallClock } from "./clock.ts";
import { Incarnation } from "./incarnation.ts";
import { Scheduler } from "./scheduler.ts";

Deno.test("wall clock starts at the given time and advances with virtual time", async () => {
  const scheduler = new Scheduler();
  const clock = new SimClock(scheduler, new WallClock(scheduler, SIMULATION_EPOCH_MS + 5), null, 1000);
  assert.equal(clock.nowMs(), SIMULATION_EPOCH_MS + 5);
  assert.equal(clock.monotonicMs(), 1000);
  await scheduler.runFor(250);
  assert.equal(clock.nowMs(), SIMULATION_EPOCH_MS + 255);
  assert.equal(clock.monotonicMs(), 1250);
});

Deno.test("wall clock jumps move nowMs both ways while monotonic time and timers keep going", async () => {
  const scheduler = new Scheduler();
  const wallClock = new WallClock(scheduler, SIMULATION_EPOCH_MS);
  const clock = new SimClock(scheduler, wallClock, null);
  const fired: number[] = [];
  clock.setTimer(100, () => fired.push(clock.monotonicMs()));
  await scheduler.runFor(50);
  wallClock.jump(-60_000);
  assert.equal(clock.nowMs(), SIMULATION_EPOCH_MS + 50 - 60_000);
  assert.equal(clock.monotonicMs(), 50);
  await scheduler.runFor(50);
  assert.deepEqual(fired, [100]);
  wallClock.jump(3_600_000);
  assert.equal(clock.nowMs(), SIMULATION_EPOCH_MS + 100 - 60_000 + 3_600_000);
});

Deno.test("sleep resolves at the virtual time, and never for a dead incarnation", async () => {
  const scheduler = new Scheduler();
  const incarnation = new Incarnation("node-1", 1);
  const clock = new SimClock(scheduler, new WallClock(scheduler, SIMULATION_EPOCH_MS), incarnation);
  let wokeAtMs = -1;
  clock.sleep(40).then(() => wokeAtMs = scheduler.nowMs);
  let deadWoke = false;
  clock.sleep(80).then(() => deadWoke = true);
  await scheduler.runFor(50);
  assert.equal(wokeAtMs, 40);
  incarnation.kill();
  clock.sleep(1).then(() => deadWoke = true);
  await scheduler.runFor(100);
  assert.equal(deadWoke, false);
});
