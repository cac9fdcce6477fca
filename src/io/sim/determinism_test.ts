/**
 * The simulator's core promise: a seed fixes everything. A small chatty
 * program runs on three hosts with latency, chunking, crashes, restarts,
 * partitions, clock jumps and torn writes; two runs of one seed must produce
 * the same trace, and another seed a different one.
 */
import assert from "node:assert/strict";
import type { Connection, World } from "../types.ts";
import { SimCluster } from "./world.ts";

const HOSTS = ["node-1", "node-2", "node-3"];
const PORT = 9092;

/** Reads 4-byte length-prefixed messages and answers each with its length and the local time. */
async function answerPeer(world: World, connection: Connection): Promise<void> {
  const buffer = new Uint8Array(5);
  let pending = new Uint8Array(0);
  for (let count = await connection.read(buffer); count !== null; count = await connection.read(buffer)) {
    const joined = new Uint8Array(pending.length + count);
    joined.set(pending);
    joined.set(buffer.subarray(0, count), pending.length);
    pending = joined;
    while (pending.length >= 4) {
      const size = new DataView(pending.buffer, pending.byteOffset).getUint32(0);
      if (pending.length < 4 + size) break;
      world.log(`received ${size} bytes from ${connection.remote} at ${world.clock.nowMs()}`);
      pending = pending.slice(4 + size);
      await connection.write(new Uint8Array([size & 0xff])).catch(() => world.log("answer failed"));
    }
  }
  world.log(`peer ${connection.remote} went away`);
}

/** A toy node: accepts peers, talks to random peers, appends to a log file and sometimes syncs it. */
async function startToyNode(world: World, name: string): Promise<void> {
  world.disk.mkdirs("/data");
  const recovered = world.disk.readFile("/data/log")?.length ?? 0;
  world.log(`recovered ${recovered} log bytes, monotonic ${world.clock.monotonicMs()}`);
  const log = world.disk.open("/data/log", { create: true });
  const listener = await world.net.listen({ host: "0.0.0.0", port: PORT });
  (async () => {
    for (let connection = await listener.accept(); connection; connection = await listener.accept()) {
      void answerPeer(world, connection);
    }
  })();
  for (let round = 0;; round++) {
    await world.clock.sleep(world.random.int(40));
    const peer = HOSTS.filter((host) => host !== name)[world.random.int(HOSTS.length - 1)]!;
    try {
      const connection = await world.net.connect({ host: peer, port: PORT });
      const size = world.random.int(300);
      const message = new Uint8Array(4 + size);
      new DataView(message.buffer).setUint32(0, size);
      world.random.fill(message.subarray(4));
      await connection.write(message);
      const answer = await connection.read(new Uint8Array(1));
      world.log(`round ${round}: ${peer} answered ${answer}`);
      connection.close();
      log.append(message.subarray(0, 4 + (size % 17)));
      if (world.random.int(3) === 0) log.sync();
    } catch (error) {
      world.log(`round ${round}: ${peer} failed: ${(error as Error).message}`);
    }
  }
}

async function runScenario(seed: number): Promise<string[]> {
  const cluster = new SimCluster({
    seed,
    net: { minLatencyMs: 0, maxLatencyMs: 7, maxChunkBytes: 64 },
    disk: { tornWriteProbability: 0.5, garbageProbability: 0.3 },
    clockSkewMaxMs: 20,
  });
  for (const host of HOSTS) void startToyNode(cluster.start(host), host);
  const chaos = cluster.random.fork("chaos");
  for (let step = 0; step < 40; step++) {
    await cluster.scheduler.runFor(chaos.range(10, 60));
    const host = chaos.pick(HOSTS);
    const fault = chaos.int(5);
    if (fault === 0 && cluster.host(host).running) {
      cluster.crash(host);
      cluster.log.add(`[chaos] crash ${host}`);
    } else if (fault === 1 && !cluster.host(host).running) {
      void startToyNode(cluster.host(host).start(), host);
    } else if (fault === 2) {
      cluster.net.partition(host, chaos.pick(HOSTS));
    } else if (fault === 3) {
      cluster.net.healAll();
    } else {
      cluster.host(host).wallClock.jump(chaos.range(-5000, 5000));
    }
  }
  for (const host of HOSTS) {
    if (!cluster.host(host).running) void startToyNode(cluster.host(host).start(), host);
  }
  cluster.net.healAll();
  await cluster.scheduler.runFor(500);
  const disks = HOSTS.map((host) =>
    `${host} disk ${cluster.host(host).disk.view(null).readFile("/data/log")}`
  );
  return [
    ...cluster.log.lines(),
    ...disks,
    `fingerprint ${cluster.scheduler.fingerprint} after ${cluster.scheduler.eventsRun} events`,
  ];
}

Deno.test("two runs of one seed produce the same trace, another seed a different one", async () => {
  const first = await runScenario(1234);
  const second = await runScenario(1234);
  assert.ok(first.length > 200, `a busy run (${first.length} lines)`);
  assert.ok(first.some((line) => line.includes("[sim] crash")), "crashes happened");
  assert.ok(
    first.some((line) => line.includes("answered 1") || line.includes("answered")),
    "messages flowed",
  );
  assert.deepEqual(second, first);
  const other = await runScenario(4321);
  assert.notDeepEqual(other, first);
});
