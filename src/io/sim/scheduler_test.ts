import assert from "node:assert/strict";
import { Incarnation } from "./incarnation.ts";
import { Scheduler } from "./scheduler.ts";

Deno.test("timers fire in time order at their virtual times, ties in scheduling order", async () => {
  const scheduler = new Scheduler();
  const fired: string[] = [];
  const note = (name: string) => () => fired.push(`${name}@${scheduler.nowMs}`);
  scheduler.schedule(30, note("c"));
  scheduler.schedule(10, note("a"));
  scheduler.schedule(10, note("b"));
  scheduler.schedule(0, note("zero"));
  scheduler.schedule(2.5, note("rounded-up"));
  await scheduler.runFor(100);
  assert.deepEqual(fired, ["zero@0", "rounded-up@3", "a@10", "b@10", "c@30"]);
  assert.equal(scheduler.nowMs, 100);
});

Deno.test("a cancelled timer never fires and a timer of a dead incarnation is dropped", async () => {
  const scheduler = new Scheduler();
  const incarnation = new Incarnation("node-1", 1);
  const fired: string[] = [];
  scheduler.schedule(5, () => fired.push("cancelled")).cancel();
  scheduler.schedule(5, () => fired.push("dead"), incarnation);
  scheduler.schedule(5, () => fired.push("alive"));
  assert.equal(scheduler.pendingEvents, 2);
  incarnation.kill();
  assert.equal(scheduler.pendingEvents, 1);
  await scheduler.runFor(10);
  assert.deepEqual(fired, ["alive"]);
});

Deno.test("runUntil lets promise chains settle between events and stops when the predicate holds", async () => {
  const scheduler = new Scheduler();
  const sleep = (delayMs: number) => new Promise<void>((resolve) => scheduler.schedule(delayMs, resolve));
  const steps: number[] = [];
  let done = false;
  (async () => {
    for (let index = 0; index < 5; index++) {
      await sleep(7);
      // A deep chain of continuations inside one step must finish before the next timer.
      for (let depth = 0; depth < 1000; depth++) await null;
      steps.push(scheduler.nowMs);
    }
    done = true;
  })();
  assert.equal(await scheduler.runUntil(() => done, { maxVirtualMs: 1000 }), true);
  assert.deepEqual(steps, [7, 14, 21, 28, 35]);
  assert.equal(scheduler.nowMs, 35);
});

Deno.test("runUntil gives up at the deadline with time advanced to it", async () => {
  const scheduler = new Scheduler();
  let fired = false;
  scheduler.schedule(500, () => fired = true);
  assert.equal(await scheduler.runUntil(() => fired, { maxVirtualMs: 100 }), false);
  assert.equal(scheduler.nowMs, 100);
  assert.equal(await scheduler.runUntil(() => fired, { maxVirtualMs: 1000 }), true);
  assert.equal(scheduler.nowMs, 500);
});

Deno.test("a zero-delay timer loop is caught by the event bound", async () => {
  const scheduler = new Scheduler();
  const loop = () => void scheduler.schedule(0, loop);
  loop();
  await assert.rejects(scheduler.runFor(10, 1000), /livelock/);
});

Deno.test("an exception in a timer callback ends the run", async () => {
  const scheduler = new Scheduler();
  scheduler.schedule(1, () => {
    throw new Error("boom");
  });
  await assert.rejects(scheduler.runFor(10), /boom/);
});

Deno.test("runUntilSettled returns the work's value or throws its error", async () => {
  const scheduler = new Scheduler();
  const later = <T>(delayMs: number, action: () => T) =>
    new Promise<T>((resolve, reject) =>
      scheduler.schedule(delayMs, () => {
        try {
          resolve(action());
        } catch (error) {
          reject(error);
        }
      })
    );
  assert.equal(await scheduler.runUntilSettled(later(10, () => 42), { maxVirtualMs: 100 }), 42);
  await assert.rejects(
    scheduler.runUntilSettled(
      later(10, () => {
        throw new Error("failed work");
      }),
      { maxVirtualMs: 100 },
    ),
    /failed work/,
  );
  await assert.rejects(
    scheduler.runUntilSettled(later(500, () => 1), { maxVirtualMs: 100 }),
    /did not settle/,
  );
});

Deno.test("advance runs the timers due on the way synchronously, in order, skipping cancelled and dead ones", () => {
  const scheduler = new Scheduler();
  const fired: string[] = [];
  const note = (name: string) => () => fired.push(`${name}@${scheduler.nowMs}`);
  const dead = new Incarnation("node", 1);
  scheduler.schedule(20, note("b"));
  scheduler.schedule(5, () => {
    note("a")();
    // A timer set by a timer, due within the advance, fires in the same advance.
    scheduler.schedule(10, note("a2"));
  });
  scheduler.schedule(12, note("cancelled")).cancel();
  scheduler.schedule(13, note("dead"), dead);
  dead.kill();
  scheduler.schedule(40, note("later"));
  scheduler.advance(30);
  assert.deepEqual(fired, ["a@5", "a2@15", "b@20"]);
  assert.equal(scheduler.nowMs, 30);
  assert.equal(scheduler.pendingEvents, 1);
});
