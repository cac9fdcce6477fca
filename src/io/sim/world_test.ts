import assert from "node:assert/strict";
import { SIMULATION_EPOCH_MS } from "./clock.ts";
import { SimCluster } from "./world.ts";

Deno.test("a crash closes the host's connections for peers and silences its timers and reads", async () => {
  const cluster = new SimCluster({ seed: 1 });
  const node = cluster.start("node-1");
  const client = cluster.start("client");
  const listener = await node.net.listen({ host: "0.0.0.0", port: 9092 });
  const events: string[] = [];
  node.clock.setTimer(100, () => events.push("timer"));
  node.clock.sleep(100).then(() => events.push("sleep"));
  listener.accept().then(async (connection) => {
    events.push("accepted");
    await connection!.read(new Uint8Array(10));
    events.push("read after crash");
  });
  const connection = await cluster.scheduler.runUntilSettled(
    client.net.connect({ host: "node-1", port: 9092 }),
    { maxVirtualMs: 50 },
  );
  await cluster.scheduler.runFor(10);
  assert.deepEqual(events, ["accepted"]);
  cluster.crash("node-1");
  await connection.write(new Uint8Array([1]));
  assert.equal(
    await cluster.scheduler.runUntilSettled(connection.read(new Uint8Array(1)), { maxVirtualMs: 50 }),
    null,
  );
  await cluster.scheduler.runFor(1000);
  assert.deepEqual(events, ["accepted"]);
  assert.equal(cluster.scheduler.pendingEvents, 0);
});

Deno.test("a restarted host gets a fresh world over what was durable on its disk", async () => {
  const cluster = new SimCluster({ seed: 2 });
  const host = cluster.host("node-1");
  const first = host.start();
  first.disk.mkdirs("/data");
  const file = first.disk.open("/data/log", { create: true });
  file.append(new Uint8Array([1, 2]));
  file.sync();
  file.append(new Uint8Array([3]));
  first.log("written");
  const firstRandom = first.random.next();
  const second = cluster.restart("node-1");
  assert.equal(host.incarnation?.number, 2);
  assert.deepEqual(second.disk.readFile("/data/log"), new Uint8Array([1, 2]));
  assert.notEqual(second.random.next(), firstRandom);
  assert.throws(() => first.disk.readFile("/data/log"), /dead incarnation/);
  first.log("ignored: the old incarnation is dead");
  // The old incarnation's port is free for the new one.
  await second.net.listen({ host: "0.0.0.0", port: 9092 });
  const lines = cluster.log.lines();
  assert.equal(lines.filter((line) => line.includes("ignored")).length, 0);
  assert.ok(lines.some((line) => line.includes("node-1#1 written")));
  assert.ok(lines.some((line) => line.includes("node-1#1 [sim] crash (power-loss)")));
});

Deno.test("clocks: wall time starts near the epoch, monotonic restarts near zero on each start, jumps persist", async () => {
  const cluster = new SimCluster({ seed: 3 });
  assert.ok(cluster.epochMs >= SIMULATION_EPOCH_MS && cluster.epochMs < SIMULATION_EPOCH_MS + 1_000_000_000);
  const host = cluster.host("node-1");
  const first = host.start();
  assert.equal(first.clock.nowMs(), cluster.epochMs);
  await cluster.scheduler.runFor(5000);
  assert.ok(first.clock.monotonicMs() >= 5000);
  host.wallClock.jump(-10_000);
  const second = host.restart();
  assert.ok(second.clock.monotonicMs() < 1000);
  assert.equal(second.clock.nowMs(), cluster.epochMs + 5000 - 10_000);
});

Deno.test("the log ring keeps the newest lines and says how many were dropped", () => {
  const cluster = new SimCluster({ seed: 4, logCapacity: 3 });
  const world = cluster.start("node-1");
  for (let index = 0; index < 5; index++) world.log(`line ${index}`);
  const printed: string[] = [];
  cluster.printLog((line) => printed.push(line));
  assert.match(printed[0]!, /^seed 4/);
  assert.match(printed[1]!, /3 earlier log lines dropped/);
  assert.deepEqual(printed.slice(2).map((line) => line.split(" ").slice(-2).join(" ")), [
    "line 2",
    "line 3",
    "line 4",
  ]);
});

Deno.test("a process crash keeps unsynced writes, a power loss does not", () => {
  const cluster = new SimCluster({ seed: 5 });
  const first = cluster.start("node-1");
  first.disk.open("/log", { create: true }).append(new Uint8Array([1, 2, 3]));
  const second = cluster.restart("node-1", "process");
  assert.deepEqual(second.disk.readFile("/log"), new Uint8Array([1, 2, 3]));
  const third = cluster.restart("node-1");
  assert.deepEqual(third.disk.readFile("/log"), new Uint8Array());
});
