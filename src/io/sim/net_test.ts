import assert from "node:assert/strict";
import type { Connection } from "../types.ts";
import { Incarnation } from "./incarnation.ts";
import { SimNet, type SimNetOptions } from "./net.ts";
import { NetError } from "./net_connection.ts";
import { SeededRandom } from "./random.ts";
import { Scheduler } from "./scheduler.ts";

function setup(options: Partial<SimNetOptions> = {}) {
  const scheduler = new Scheduler();
  const net = new SimNet(scheduler, new SeededRandom(1).fork("net"), options);
  return { scheduler, net };
}

function simulate<T>(scheduler: Scheduler, work: Promise<T>): Promise<T> {
  return scheduler.runUntilSettled(work, { maxVirtualMs: 60_000 });
}

async function readAll(
  connection: Connection,
  bufferBytes: number,
  sizes: number[] = [],
): Promise<Uint8Array> {
  const parts: number[] = [];
  const buffer = new Uint8Array(bufferBytes);
  for (let count = await connection.read(buffer); count !== null; count = await connection.read(buffer)) {
    sizes.push(count);
    parts.push(...buffer.subarray(0, count));
  }
  return new Uint8Array(parts);
}

Deno.test("bytes arrive in order, late and in partial reads, then end of stream on close", async () => {
  const { scheduler, net } = setup({ minLatencyMs: 2, maxLatencyMs: 9, maxChunkBytes: 50 });
  const server = net.forHost("server", null);
  const client = net.forHost("client", null);
  const listener = await server.listen({ host: "0.0.0.0", port: 9092 });
  const sent = new Uint8Array(5000).map((_, index) => (index * 7) & 0xff);
  const readSizes: number[] = [];
  let firstByteAtMs = -1;
  const serverSide = (async () => {
    const connection = await listener.accept();
    assert.ok(connection);
    const first = new Uint8Array(1);
    assert.equal(await connection.read(first), 1);
    firstByteAtMs = scheduler.nowMs;
    return [first[0]!, ...await readAll(connection, 64, readSizes)];
  })();
  const clientSide = (async () => {
    const connection = await client.connect({ host: "server", port: 9092 });
    assert.match(connection.remote, /^server:9092$/);
    const writtenAtMs = scheduler.nowMs;
    for (let offset = 0; offset < sent.length; offset += 700) {
      await connection.write(sent.subarray(offset, offset + 700));
    }
    connection.close();
    return writtenAtMs;
  })();
  const writtenAtMs = await simulate(scheduler, clientSide);
  const received = await simulate(scheduler, serverSide);
  assert.deepEqual(new Uint8Array(received), sent);
  assert.ok(firstByteAtMs >= writtenAtMs + 2, "latency applies");
  assert.ok(readSizes.some((size) => size < 64), "some reads are partial");
});

Deno.test("after the peer closes, reads end and writes are rejected", async () => {
  const { scheduler, net } = setup();
  const listener = await net.forHost("server", null).listen({ host: "server", port: 1 });
  const client = await simulate(scheduler, net.forHost("client", null).connect({ host: "server", port: 1 }));
  const server = await simulate(scheduler, listener.accept());
  assert.ok(server);
  server.close();
  assert.equal(await simulate(scheduler, client.read(new Uint8Array(10))), null);
  await assert.rejects(client.write(new Uint8Array([1])), (error: NetError) => error.code === "ECONNRESET");
  await assert.rejects(server.write(new Uint8Array([1])), (error: NetError) => error.code === "EPIPE");
  assert.equal(await server.read(new Uint8Array(1)), null);
});

Deno.test("a reset ends both sides at once and drops data in flight", async () => {
  const { scheduler, net } = setup({ minLatencyMs: 5, maxLatencyMs: 5 });
  const listener = await net.forHost("server", null).listen({ host: "", port: 1 });
  const client = await simulate(scheduler, net.forHost("client", null).connect({ host: "server", port: 1 }));
  const server = await simulate(scheduler, listener.accept());
  assert.ok(server);
  const pendingRead = server.read(new Uint8Array(10));
  await client.write(new Uint8Array([1, 2, 3]));
  assert.equal(net.connectionsOf("client").length, 1);
  net.resetConnectionsBetween("server", "client");
  assert.equal(await simulate(scheduler, pendingRead), null);
  await scheduler.runFor(20);
  assert.equal(await client.read(new Uint8Array(10)), null);
  await assert.rejects(client.write(new Uint8Array([1])), NetError);
  assert.equal(net.connectionsOf("client").length, 0);
});

Deno.test("connects are refused without a listener, and ports cannot be taken twice", async () => {
  const { scheduler, net } = setup();
  const client = net.forHost("client", null);
  await assert.rejects(
    simulate(scheduler, client.connect({ host: "server", port: 9092 })),
    (error: NetError) => error.code === "ECONNREFUSED",
  );
  const server = net.forHost("server", null);
  const listener = await server.listen({ host: "0.0.0.0", port: 9092 });
  await assert.rejects(
    server.listen({ host: "0.0.0.0", port: 9092 }),
    (error: NetError) => error.code === "EADDRINUSE",
  );
  await assert.rejects(
    server.listen({ host: "elsewhere", port: 1 }),
    (error: NetError) => error.code === "EADDRNOTAVAIL",
  );
  const accepted = listener.accept();
  listener.close();
  assert.equal(await accepted, null);
  await assert.rejects(simulate(scheduler, client.connect({ host: "server", port: 9092 })), NetError);
  // The port is free again.
  await server.listen({ host: "0.0.0.0", port: 9092 });
});

Deno.test("localhost is the connecting host itself", async () => {
  const { scheduler, net } = setup();
  const node = net.forHost("node", null);
  const listener = await node.listen({ host: "localhost", port: 5 });
  const connection = await simulate(scheduler, node.connect({ host: "127.0.0.1", port: 5 }));
  assert.match(connection.remote, /^node:5$/);
  assert.ok(await simulate(scheduler, listener.accept()));
});

Deno.test("a partition resets connections and makes connects time out until healed", async () => {
  const { scheduler, net } = setup({ connectTimeoutMs: 3000 });
  await net.forHost("server", null).listen({ host: "", port: 1 });
  const client = net.forHost("client", null);
  const connection = await simulate(scheduler, client.connect({ host: "server", port: 1 }));
  net.partition("client", "server");
  assert.equal(await connection.read(new Uint8Array(1)), null);
  const startMs = scheduler.nowMs;
  await assert.rejects(
    simulate(scheduler, client.connect({ host: "server", port: 1 })),
    (error: NetError) => error.code === "ETIMEDOUT",
  );
  assert.ok(scheduler.nowMs - startMs >= 3000);
  net.heal("server", "client");
  assert.ok(await simulate(scheduler, client.connect({ host: "server", port: 1 })));
});

Deno.test("a crashed host's connections end for its peers and its own promises never settle", async () => {
  const { scheduler, net } = setup();
  const incarnation = new Incarnation("server", 1);
  const listener = await net.forHost("server", incarnation).listen({ host: "", port: 1 });
  const client = await simulate(scheduler, net.forHost("client", null).connect({ host: "server", port: 1 }));
  const server = await simulate(scheduler, listener.accept());
  assert.ok(server);
  let serverReadSettled = false;
  server.read(new Uint8Array(1)).finally(() => serverReadSettled = true);
  let acceptSettled = false;
  listener.accept().finally(() => acceptSettled = true);
  incarnation.kill();
  net.crashHost("server");
  await client.write(new Uint8Array([1]));
  assert.equal(await simulate(scheduler, client.read(new Uint8Array(1))), null);
  await scheduler.runFor(100);
  assert.equal(serverReadSettled, false);
  assert.equal(acceptSettled, false);
  await assert.rejects(
    simulate(scheduler, net.forHost("client", null).connect({ host: "server", port: 1 })),
    (error: NetError) => error.code === "ECONNREFUSED",
  );
});
