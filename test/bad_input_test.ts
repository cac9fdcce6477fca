/**
 * Malformed and hostile input against a real node. Kafka closes a connection
 * whose bytes it cannot parse as a request (bad size, unknown API, version it
 * does not speak, truncated body); it answers errors it can express in the
 * protocol (UNSUPPORTED_VERSION for ApiVersions, CORRUPT_MESSAGE,
 * INVALID_TOPIC_EXCEPTION). Either way the node stays up, other connections
 * keep working, and data already written is untouched.
 *
 * The fuzz step sends seeded random and mutated frames over a fixed number of
 * connections; set DAFKA_FUZZ_SEED to replay a seed it printed.
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import {
  buildBatch,
  decodeResponse,
  encodeRequest,
  ErrorCode,
  type RecordInput,
} from "../src/protocol/mod.ts";
import { NodeProcess } from "./support/node_process.ts";
import {
  connectClient,
  createTopics,
  fetchAll,
  type FetchedRecord,
  produceBatch,
  RawConnection,
  textRecords,
} from "./support/raw_kafka.ts";
import { SeededBytes } from "./support/record_json.ts";

// Deno leaves the resource and op sanitizers off unless asked (since 2.8): a connection, timer or child
// process this file's tests leave behind fails them.
Deno.test.sanitizer({ ops: true, resources: true });

const CLOSE_TIMEOUT_MS = 5000;
/** Fuzz connections per run: a count, not a duration, so that a seed sends the same frames on any machine. */
const FUZZ_CONNECTIONS = 2000;

function frameOf(body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(4 + body.length);
  new DataView(frame.buffer).setInt32(0, body.length);
  frame.set(body, 4);
  return frame;
}

/** A request header v1 (key, version, correlation id, client id) followed by `rest`. */
function headerThen(apiKey: number, version: number, rest: number[]): Uint8Array {
  const clientId = new TextEncoder().encode("bad");
  const bytes = new Uint8Array(10 + clientId.length + rest.length);
  const view = new DataView(bytes.buffer);
  view.setInt16(0, apiKey);
  view.setInt16(2, version);
  view.setInt32(4, 77);
  view.setInt16(8, clientId.length);
  bytes.set(clientId, 10);
  bytes.set(rest, 10 + clientId.length);
  return frameOf(bytes);
}

/** Sends `bytes` on a fresh connection and expects the node to close it without answering. */
async function expectClosed(port: number, bytes: Uint8Array, what: string): Promise<void> {
  const connection = await RawConnection.open(port);
  try {
    await connection.write(bytes);
    const outcome = await connection.read(CLOSE_TIMEOUT_MS);
    deepStrictEqual(outcome.kind, "closed", `${what}: the node should close the connection`);
  } finally {
    await connection.close();
  }
}

function apiVersionsFrame(version: number, correlationId: number): Uint8Array {
  return encodeRequest(
    { apiKey: 18, apiVersion: version, correlationId, clientId: "bad-input" },
    { clientSoftwareName: "dafka-test", clientSoftwareVersion: "1.0" },
  );
}

Deno.test("a node survives malformed requests and keeps its data", async (t) => {
  const node = await new NodeProcess().start();
  const port = node.port;
  const firstTimestampMs = Date.now() - 60_000;
  const intact: RecordInput[] = textRecords("intact", 20, firstTimestampMs);
  let expected: FetchedRecord[] = [];

  /** A fresh connection answers ApiVersions and reads back exactly the records written at the start. */
  async function assertHealthy(what: string): Promise<void> {
    ok(node.running, `${what}: the node process exited`);
    const client = await connectClient(port);
    try {
      const versions = await client.request(18, 3, {
        clientSoftwareName: "dafka-test",
        clientSoftwareVersion: "1.0",
      });
      deepStrictEqual(versions.errorCode, 0, `${what}: ApiVersions`);
      const log = await fetchAll(client, "intact");
      deepStrictEqual(log.highWatermark, intact.length, `${what}: high watermark`);
      deepStrictEqual(log.records, expected, `${what}: records`);
    } finally {
      client.close();
    }
  }

  try {
    const setup = await connectClient(port);
    deepStrictEqual(
      await createTopics(setup, [{ name: "intact" }, { name: "fuzz-target" }]),
      new Map([["intact", 0], ["fuzz-target", 0]]),
    );
    const written = await produceBatch(setup, { topic: "intact", records: intact });
    deepStrictEqual([written.errorCode, written.baseOffset], [0, 0]);
    expected = (await fetchAll(setup, "intact")).records;
    deepStrictEqual(expected.length, intact.length);
    setup.close();

    await t.step("garbage bytes (an HTTP request) close the connection", async () => {
      await expectClosed(
        port,
        new TextEncoder().encode("GET / HTTP/1.1\r\nHost: dafka\r\n\r\n"),
        "HTTP request",
      );
      await assertHealthy("after garbage");
    });

    await t.step(
      "a frame larger than socket.request.max.bytes, or of negative size, closes the connection",
      async () => {
        const huge = new Uint8Array(16);
        new DataView(huge.buffer).setInt32(0, 200 * 1024 * 1024);
        await expectClosed(port, huge, "frame of 200 MiB");
        const negative = new Uint8Array(16);
        new DataView(negative.buffer).setInt32(0, -5);
        await expectClosed(port, negative, "frame of negative size");
        await assertHealthy("after oversized frames");
      },
    );

    await t.step("a string length beyond the end of the frame closes the connection", async () => {
      // Metadata v1: topics array of one, whose name claims 30000 bytes.
      await expectClosed(
        port,
        headerThen(3, 1, [0, 0, 0, 1, 0x75, 0x30, 0x61, 0x62]),
        "topic name past the frame",
      );
      // A client id that claims more bytes than the frame holds.
      const frame = headerThen(18, 0, []);
      new DataView(frame.buffer).setInt16(12, 1000);
      await expectClosed(port, frame, "client id past the frame");
      await assertHealthy("after strings past the frame");
    });

    await t.step("a truncated request closes the connection; a half-sent one does not hurt", async () => {
      const produceTo = (topic: string) =>
        encodeRequest({ apiKey: 0, apiVersion: 9, correlationId: 5, clientId: "bad" }, {
          transactionalId: null,
          acks: -1,
          timeoutMs: 1000,
          topicData: [{
            name: topic,
            partitionData: [{
              index: 0,
              records: buildBatch({ records: textRecords("cut", 3, firstTimestampMs) }),
            }],
          }],
        });
      const produce = produceTo("intact");
      const cut = produce.slice(0, Math.floor(produce.length / 2));
      new DataView(cut.buffer).setInt32(0, cut.length - 4);
      await expectClosed(port, cut, "truncated Produce");
      // A frame whose size promises more than is sent: the node waits, neither answering nor closing. The rest
      // of the frame then gets its answer, which shows the silence was waiting even if a slow node had not
      // read the first part within the 200 ms. (To fuzz-target: "intact" keeps its records.)
      const halfSent = await RawConnection.open(port);
      try {
        const whole = produceTo("fuzz-target");
        ok(await halfSent.write(whole.slice(0, whole.length - 10)));
        deepStrictEqual((await halfSent.read(200)).kind, "timeout");
        ok(await halfSent.write(whole.slice(whole.length - 10)), "the node closed a half-sent request");
        const answer = await halfSent.read(CLOSE_TIMEOUT_MS);
        if (answer.kind !== "frame") throw new Error(`the completed request got no answer: ${answer.kind}`);
        const partition = decodeResponse(0, 9, answer.frame).body.responses[0]!.partitionResponses[0]!;
        deepStrictEqual([partition.errorCode, partition.baseOffset], [0, 0]);
      } finally {
        await halfSent.close();
      }
      await assertHealthy("after truncated requests");
    });

    await t.step("an unknown API key closes the connection", async () => {
      await expectClosed(port, headerThen(999, 0, []), "API key 999");
      await expectClosed(port, headerThen(-1, 0, []), "API key -1");
      await assertHealthy("after unknown API keys");
    });

    await t.step("an unsupported version of another API closes the connection", async () => {
      await expectClosed(port, headerThen(3, 99, [0, 0, 0, 0]), "Metadata v99");
      await assertHealthy("after Metadata v99");
    });

    await t.step(
      "ApiVersions v99 gets UNSUPPORTED_VERSION with the supported list, and the connection stays",
      async () => {
        const connection = await RawConnection.open(port);
        try {
          await connection.write(headerThen(18, 99, [1, 2, 3, 4]));
          const outcome = await connection.read(CLOSE_TIMEOUT_MS);
          ok(outcome.kind === "frame", `ApiVersions v99: ${outcome.kind}`);
          const answer = decodeResponse(18, 0, outcome.frame);
          deepStrictEqual(answer.correlationId, 77);
          deepStrictEqual(answer.body.errorCode, ErrorCode.UNSUPPORTED_VERSION);
          const keys = new Map(answer.body.apiKeys.map((key) => [key.apiKey, key]));
          for (const apiKey of [0, 1, 2, 3, 18]) ok(keys.has(apiKey), `ApiVersions lists API ${apiKey}`);
          deepStrictEqual(keys.get(18)?.minVersion, 0);
          // KIP-511: the client retries with a version the node speaks, on the same connection.
          await connection.write(apiVersionsFrame(3, 78));
          const retry = await connection.read(CLOSE_TIMEOUT_MS);
          ok(retry.kind === "frame", `ApiVersions v3 retry: ${retry.kind}`);
          const retried = decodeResponse(18, 3, retry.frame);
          deepStrictEqual([retried.correlationId, retried.body.errorCode], [78, 0]);
        } finally {
          await connection.close();
        }
      },
    );

    await t.step("a batch with a corrupted CRC gets CORRUPT_MESSAGE and is not appended", async () => {
      const client = await connectClient(port);
      try {
        const corrupted = await produceBatch(client, {
          topic: "intact",
          records: textRecords("corrupt", 4, firstTimestampMs),
          mutate: (batch) => (batch[batch.length - 1]! ^= 0x01),
        });
        deepStrictEqual(corrupted.errorCode, ErrorCode.CORRUPT_MESSAGE);
        const badCrcField = await produceBatch(client, {
          topic: "intact",
          records: textRecords("corrupt", 4, firstTimestampMs),
          mutate: (batch) => (batch[17]! ^= 0xff),
        });
        deepStrictEqual(badCrcField.errorCode, ErrorCode.CORRUPT_MESSAGE);
      } finally {
        client.close();
      }
      await assertHealthy("after corrupted batches");
    });

    await t.step("invalid topic names get INVALID_TOPIC_EXCEPTION", async () => {
      const client = await connectClient(port);
      try {
        const names = ["bad name!", "a/b", ".", "..", "x".repeat(250), "tab\there", ""];
        const created = await createTopics(client, names.map((name) => ({ name })));
        for (const name of names) {
          deepStrictEqual(created.get(name), ErrorCode.INVALID_TOPIC_EXCEPTION, `CreateTopics "${name}"`);
        }
        const metadata = await client.request(3, 12, {
          topics: [{ name: "bad$topic" }],
          allowAutoTopicCreation: true,
          includeTopicAuthorizedOperations: false,
        });
        const topic = metadata.topics[0]!;
        deepStrictEqual(
          topic.errorCode,
          ErrorCode.INVALID_TOPIC_EXCEPTION,
          "Metadata auto-creation of bad$topic",
        );
        const produced = await produceBatch(client, {
          topic: "bad name!",
          records: textRecords("bad", 1, firstTimestampMs),
        });
        ok(
          produced.errorCode === ErrorCode.INVALID_TOPIC_EXCEPTION ||
            produced.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          `Produce to "bad name!": error ${produced.errorCode}`,
        );
      } finally {
        client.close();
      }
      await assertHealthy("after invalid topic names");
    });

    await t.step(
      "seeded fuzzing with random and mutated frames leaves the node up and the data intact",
      async () => {
        const seed = Number(Deno.env.get("DAFKA_FUZZ_SEED") ?? 20240607);
        try {
          const outcomes = await fuzz(port, seed, firstTimestampMs);
          console.log(`fuzz seed ${seed}: ${JSON.stringify(outcomes)}`);
          // Both ways of meeting bad input happened: answers (to the valid frames) and closed connections.
          ok(outcomes.frames > 0 && outcomes.closed > 0, JSON.stringify(outcomes));
          await assertHealthy("after fuzzing");
        } catch (error) {
          throw new Error(`fuzzing with DAFKA_FUZZ_SEED=${seed} failed: ${(error as Error).message}`, {
            cause: error,
          });
        }
      },
    );
  } finally {
    const stderr = await node.dispose();
    // The node logs every connection it closes; keep the log for a look when asked.
    const dump = Deno.env.get("DAFKA_NODE_STDERR");
    if (dump) Deno.writeTextFileSync(dump, stderr);
  }
});

/** Valid requests to mutate: reads, produce to a scratch topic, producer ids. Never topic creation. */
function seedFrames(firstTimestampMs: number): Uint8Array[] {
  const header = (apiKey: number, apiVersion: number) => ({
    apiKey,
    apiVersion,
    correlationId: 9,
    clientId: "fuzz",
  });
  const batch = buildBatch({ records: textRecords("fuzz", 3, firstTimestampMs) });
  const produce = (version: number) =>
    encodeRequest(header(0, version), {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topicData: [{ name: "fuzz-target", partitionData: [{ index: 0, records: batch }] }],
    });
  const fetch = (version: number) =>
    encodeRequest(header(1, version), {
      maxWaitMs: 10,
      minBytes: 0,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{
        topic: "intact",
        partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }],
      }],
      forgottenTopicsData: [],
      rackId: "",
    });
  const metadata = (version: number) =>
    encodeRequest(header(3, version), {
      topics: [{ name: "intact" }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
  const listOffsets = (version: number) =>
    encodeRequest(header(2, version), {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: "intact", partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
    });
  return [
    apiVersionsFrame(0, 9),
    apiVersionsFrame(3, 9),
    metadata(1),
    metadata(9),
    metadata(12),
    produce(3),
    produce(9),
    fetch(4),
    fetch(12),
    listOffsets(1),
    listOffsets(7),
    encodeRequest(header(22, 4), {
      transactionalId: null,
      transactionTimeoutMs: 1000,
      producerId: -1,
      producerEpoch: -1,
    }),
  ];
}

/** Key, version, correlation id, and the client id "fuzz" with its length, plus a tagged-field count. */
const REQUEST_HEADER_BYTES = 2 + 2 + 4 + 2 + 4 + 1;

function mutate(random: SeededBytes, original: Uint8Array): Uint8Array {
  let bytes: Uint8Array = original.slice();
  switch (random.int(6)) {
    case 0: // Change a few bytes anywhere after the size prefix.
    case 1: { // Or only past the request header, to reach the handlers.
      const from = random.int(2) === 0 ? 4 : Math.min(bytes.length - 1, 4 + REQUEST_HEADER_BYTES);
      for (let flips = 1 + random.int(4); flips > 0; flips--) {
        bytes[from + random.int(bytes.length - from)] = random.int(256);
      }
      break;
    }
    case 2: { // Cut the body short and fix the size prefix.
      bytes = bytes.slice(0, 4 + random.int(bytes.length - 4));
      new DataView(bytes.buffer).setInt32(0, bytes.length - 4);
      break;
    }
    case 3: { // Append junk and fix the size prefix.
      const longer = new Uint8Array(bytes.length + 1 + random.int(64));
      longer.set(bytes);
      longer.set(random.bytes(longer.length - bytes.length), bytes.length);
      new DataView(longer.buffer).setInt32(0, longer.length - 4);
      bytes = longer;
      break;
    }
    case 4: { // Set a short run to an extreme value (lengths, counts, ids).
      const start = 4 + random.int(bytes.length - 4);
      bytes.fill(random.int(2) === 0 ? 0xff : 0x7f, start, start + 1 + random.int(8));
      break;
    }
    default: { // Entirely random body with a matching size.
      bytes = frameOf(random.bytes(random.int(200)));
    }
  }
  return bytes;
}

/** Sends fuzz frames on FUZZ_CONNECTIONS connections; returns how the node reacted. */
async function fuzz(port: number, seed: number, firstTimestampMs: number) {
  const random = new SeededBytes(seed);
  const corpus = seedFrames(firstTimestampMs);
  const outcomes = { connections: 0, frames: 0, closed: 0, silent: 0 };
  for (let count = 0; count < FUZZ_CONNECTIONS; count++) {
    // Drawn before sending, so that the frames depend on the seed alone, not on when the node closes.
    const frames = Array.from({ length: 1 + random.int(3) }, () => {
      const original = corpus[random.int(corpus.length)]!;
      // Now and then a valid frame, so that a mutated one may follow a good one on the connection.
      return random.int(4) === 0 ? original : mutate(random, original);
    });
    const connection = await RawConnection.open(port);
    outcomes.connections++;
    try {
      const sent = frames.length;
      for (const frame of frames) if (!await connection.write(frame)) break;
      for (let read = 0; read < sent; read++) {
        const outcome = await connection.read(150);
        if (outcome.kind === "frame") outcomes.frames++;
        else {
          if (outcome.kind === "closed") outcomes.closed++;
          else outcomes.silent++;
          break;
        }
      }
    } finally {
      await connection.close();
    }
  }
  return outcomes;
}
