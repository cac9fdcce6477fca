import assert from "node:assert/strict";
import type { Connection, World } from "../io/mod.ts";
import { API_SCHEMAS, decodeRequest, encodeResponse, type Message } from "../protocol/mod.ts";
import { FrameReader } from "./frame_reader.ts";
import { KafkaClient } from "./kafka_client.ts";
import { SimCluster } from "../io/sim/mod.ts";

const API_VERSIONS = 18;

/** Reads requests off `connection` and hands each to `answer`, in arrival order. */
async function serve(
  world: World,
  connection: Connection,
  answer: (request: ReturnType<typeof decodeRequest>) => Promise<Uint8Array[] | null>,
): Promise<void> {
  const frames = new FrameReader(1 << 20);
  const buffer = new Uint8Array(7);
  for (let count = await connection.read(buffer); count !== null; count = await connection.read(buffer)) {
    frames.push(buffer.subarray(0, count));
    for (let frame = frames.next(); frame !== null; frame = frames.next()) {
      const response = await answer(decodeRequest(frame));
      if (response === null) return connection.close();
      for (const chunk of response) await connection.write(chunk);
    }
  }
  world.log("client went away");
}

/** An ApiVersions answer that echoes the correlation id in maxVersion, after a seed-chosen delay. */
function echo(world: World): (request: ReturnType<typeof decodeRequest>) => Promise<Uint8Array[]> {
  return async ({ header }) => {
    await world.clock.sleep(world.random.int(5));
    const body: Message = {
      errorCode: 0,
      apiKeys: [{ apiKey: API_VERSIONS, minVersion: 0, maxVersion: header.correlationId }],
      throttleTimeMs: 0,
    };
    return encodeResponse(API_SCHEMAS.get(API_VERSIONS)!, header.apiVersion, header.correlationId, body);
  };
}

async function startServer(
  cluster: SimCluster,
  makeAnswer: (world: World) => (request: ReturnType<typeof decodeRequest>) => Promise<Uint8Array[] | null>,
): Promise<void> {
  const world = cluster.start("broker");
  const listener = await world.net.listen({ host: "0.0.0.0", port: 9092 });
  (async () => {
    for (
      let connection = await listener.accept();
      connection !== null;
      connection = await listener.accept()
    ) {
      void serve(world, connection, makeAnswer(world));
    }
  })();
}

async function connectClient(cluster: SimCluster): Promise<KafkaClient> {
  const world = cluster.start("client");
  return await cluster.scheduler.runUntilSettled(KafkaClient.connect(world.net, "broker", 9092), {
    maxVirtualMs: 100,
  });
}

Deno.test("pipelined requests each resolve with their own response", async () => {
  const cluster = new SimCluster({ seed: 5, net: { minLatencyMs: 1, maxLatencyMs: 4, maxChunkBytes: 16 } });
  await startServer(cluster, echo);
  const client = await connectClient(cluster);
  const requests = Array.from({ length: 50 }, (_, index) => {
    const version = index % 5;
    const body = version >= 3 ? { clientSoftwareName: "sim", clientSoftwareVersion: "1" } : {};
    return client.request(API_VERSIONS, version, body);
  });
  assert.equal(client.inFlightCount, 50);
  const responses = await cluster.scheduler.runUntilSettled(Promise.all(requests), { maxVirtualMs: 10_000 });
  assert.deepEqual(
    responses.map((body) => body.apiKeys[0]!.maxVersion),
    requests.map((_, index) => index + 1),
  );
  assert.equal(client.inFlightCount, 0);
});

Deno.test("a response out of request order fails every request in flight", async () => {
  const cluster = new SimCluster({ seed: 6 });
  await startServer(cluster, (world) => {
    const answer = echo(world);
    let held: Uint8Array[] | null = null;
    // Answers the first two requests swapped.
    return async (request) => {
      const response = await answer(request);
      if (request.header.correlationId === 1) {
        held = response;
        return [];
      }
      return request.header.correlationId === 2 ? [...response, ...held!] : response;
    };
  });
  const client = await connectClient(cluster);
  const first = client.request(API_VERSIONS, 0, {});
  const second = client.request(API_VERSIONS, 0, {});
  const outcome = Promise.allSettled([first, second]);
  const [firstResult, secondResult] = await cluster.scheduler.runUntilSettled(outcome, {
    maxVirtualMs: 1000,
  });
  assert.equal(firstResult.status, "rejected");
  assert.match(String((firstResult as PromiseRejectedResult).reason), /out of order/);
  assert.equal(secondResult.status, "rejected");
  await assert.rejects(client.request(API_VERSIONS, 0, {}), /out of order/);
});

Deno.test("requests in flight fail when the broker closes the connection", async () => {
  const cluster = new SimCluster({ seed: 7 });
  await startServer(cluster, (world) => {
    const answer = echo(world);
    return (request) => request.header.correlationId === 2 ? Promise.resolve(null) : answer(request);
  });
  const client = await connectClient(cluster);
  const requests = [1, 2, 3].map(() => client.request(API_VERSIONS, 1, {}));
  const results = await cluster.scheduler.runUntilSettled(Promise.allSettled(requests), {
    maxVirtualMs: 1000,
  });
  assert.deepEqual(results.map((result) => result.status), ["fulfilled", "rejected", "rejected"]);
  assert.match(String((results[1] as PromiseRejectedResult).reason), /closed by the broker/);
});

Deno.test("the client works against a broker that crashes and fails cleanly", async () => {
  const cluster = new SimCluster({ seed: 8 });
  await startServer(cluster, echo);
  const client = await connectClient(cluster);
  assert.equal(
    (await cluster.scheduler.runUntilSettled(client.request(API_VERSIONS, 2, {}), { maxVirtualMs: 1000 }))
      .errorCode,
    0,
  );
  const pending = client.request(API_VERSIONS, 2, {});
  cluster.crash("broker");
  await assert.rejects(
    cluster.scheduler.runUntilSettled(pending, { maxVirtualMs: 1000 }),
    /closed by the broker/,
  );
});
