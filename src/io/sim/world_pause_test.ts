import assert from "node:assert/strict";
import type { Connection } from "../types.ts";
import { SimCluster } from "./world.ts";

/** A cluster with `node-1` listening and `client` connected to it; returns both ends. */
async function connected(seed: number) {
  const cluster = new SimCluster({ seed, net: { maxChunkBytes: 2 } });
  const node = cluster.start("node-1");
  const client = cluster.start("client");
  const listener = await node.net.listen({ host: "0.0.0.0", port: 9092 });
  const accepted = listener.accept();
  const clientEnd = await cluster.scheduler.runUntilSettled(
    client.net.connect({ host: "node-1", port: 9092 }),
    { maxVirtualMs: 50 },
  );
  const serverEnd = (await cluster.scheduler.runUntilSettled(accepted, { maxVirtualMs: 50 }))!;
  return { cluster, node, client, listener, clientEnd, serverEnd };
}

/** Reads from `connection` into `received` until end of stream. */
async function readAll(connection: Connection, received: number[]): Promise<void> {
  const buffer = new Uint8Array(3);
  for (let count = await connection.read(buffer); count !== null; count = await connection.read(buffer)) {
    received.push(...buffer.subarray(0, count));
  }
}

Deno.test("a paused host's timers fire only after it resumes, in their order, while others' run on", async () => {
  const cluster = new SimCluster({ seed: 1 });
  const node = cluster.start("node-1");
  const peer = cluster.start("node-2");
  const fired: string[] = [];
  const at = (label: string) => () => fired.push(`${label}@${cluster.scheduler.nowMs}`);
  node.clock.setTimer(30, at("b"));
  node.clock.setTimer(10, at("a"));
  node.clock.sleep(50).then(at("c"));
  node.clock.setTimer(40, at("cancelled")).cancel();
  node.clock.setTimer(500, at("late"));
  peer.clock.setTimer(20, at("peer"));
  await cluster.scheduler.runFor(5);
  cluster.pause("node-1");
  assert.equal(cluster.host("node-1").paused, true);
  await cluster.scheduler.runFor(195);
  assert.deepEqual(fired, ["peer@20"]);
  assert.equal(cluster.scheduler.pendingEvents, 4);
  cluster.resume("node-1");
  await cluster.scheduler.runFor(1000);
  assert.deepEqual(fired, ["peer@20", "a@200", "b@200", "c@200", "late@500"]);
});

Deno.test("bytes sent to a paused host wait in order and arrive when it resumes; it still accepts after", async () => {
  const { cluster, client, listener, clientEnd, serverEnd } = await connected(2);
  const received: number[] = [];
  const reading = readAll(serverEnd, received);
  const accepted = listener.accept();
  const pausedAtMs = cluster.scheduler.nowMs;
  cluster.pause("node-1", 300);
  const sent = Array.from({ length: 40 }, (_, index) => index);
  for (let index = 0; index < sent.length; index += 4) {
    await clientEnd.write(new Uint8Array(sent.slice(index, index + 4)));
    await cluster.scheduler.runFor(5);
  }
  const second = client.net.connect({ host: "node-1", port: 9092 });
  await cluster.scheduler.runFor(200);
  assert.deepEqual(received, []);
  // The kernel completes the handshake for a stopped process; only accept() waits.
  assert.ok(await cluster.scheduler.runUntilSettled(second, { maxVirtualMs: 1 }));
  let acceptedAtMs = -1;
  accepted.then(() => acceptedAtMs = cluster.scheduler.nowMs);
  clientEnd.close();
  await cluster.scheduler.runUntilSettled(reading, { maxVirtualMs: 200 });
  assert.deepEqual(received, sent);
  assert.equal(acceptedAtMs, pausedAtMs + 300);
  assert.equal(cluster.host("node-1").paused, false);
});

Deno.test("a reset of a paused host's connection reaches its reads when it resumes", async () => {
  const { cluster, serverEnd } = await connected(3);
  let endedAtMs = -1;
  serverEnd.read(new Uint8Array(1)).then((result) =>
    endedAtMs = result === null ? cluster.scheduler.nowMs : -2
  );
  cluster.pause("node-1");
  const pausedAtMs = cluster.scheduler.nowMs;
  cluster.net.resetConnectionsBetween("client", "node-1");
  await cluster.scheduler.runFor(100);
  assert.equal(endedAtMs, -1);
  cluster.resume("node-1");
  await cluster.scheduler.runFor(1);
  assert.equal(endedAtMs, pausedAtMs + 100);
});

Deno.test("a paused host can crash: what waited for it is dropped, and the next start runs normally", async () => {
  const { cluster, clientEnd } = await connected(4);
  const host = cluster.host("node-1");
  const events: string[] = [];
  host.world!.clock.setTimer(10, () => events.push("old timer"));
  host.pause(1000);
  await clientEnd.write(new Uint8Array([1, 2, 3]));
  await cluster.scheduler.runFor(50);
  host.crash();
  assert.equal(host.paused, false);
  assert.equal(cluster.scheduler.pendingEvents, 2); // The FIN to the client, and the timed resume.
  const world = host.start();
  world.clock.setTimer(10, () => events.push("new timer"));
  host.pause();
  await cluster.scheduler.runFor(2000);
  // The first pause's timed resume does not end the second pause.
  assert.deepEqual(events, []);
  host.resume();
  await cluster.scheduler.runFor(1);
  assert.deepEqual(events, ["new timer"]);
  assert.equal(
    await cluster.scheduler.runUntilSettled(clientEnd.read(new Uint8Array(1)), { maxVirtualMs: 1 }),
    null,
  );
  assert.equal(cluster.scheduler.pendingEvents, 0);
});
