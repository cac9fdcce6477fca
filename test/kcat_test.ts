/**
 * kcat (librdkafka's command-line client) against a real Dafka node:
 * metadata listing, produce with every codec (keys, null keys, null values,
 * headers, auto-created topics, the idempotent producer), consume with the
 * JSON envelope, and offset lookup by timestamp.
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import { NodeProcess, run } from "./support/node_process.ts";

const CODECS = ["none", "gzip", "snappy", "lz4", "zstd"];

interface KcatMessage {
  topic: string;
  partition: number;
  offset: number;
  tstype: string;
  ts: number;
  headers?: string[] | Record<string, string>;
  key: string | null;
  payload: string | null;
}

/** What a line of kcat input means: its key (null without delimiter) and value (null when empty, with -Z). */
interface Line {
  key: string | null;
  value: string | null;
}

/** kcat skips empty lines, so a record never has both a null key and a null value. */
function sampleLines(prefix: string, count: number): Line[] {
  return Array.from({ length: count }, (_, index) => {
    const key = index % 7 === 3 ? null : `${prefix}-key-${index}`;
    const value = index % 11 === 5 && key !== null
      ? null
      : `${prefix}-value-${index}-${"x".repeat(index % 50)}`;
    return { key, value };
  });
}

function kcatInput(lines: Line[]): string {
  return lines.map((line) => (line.key === null ? `${line.value ?? ""}` : `${line.key}\t${line.value ?? ""}`))
    .join(
      "\n",
    ) + "\n";
}

function kcat(args: string[], stdin?: string): Promise<string> {
  return run("kcat", ["-X", "api.version.request=true", ...args], { stdin, timeoutMs: 30000 });
}

async function consumeAll(
  bootstrap: string,
  topic: string,
  partition = 0,
  offset = "beginning",
): Promise<KcatMessage[]> {
  const output = await kcat([
    "-C",
    "-b",
    bootstrap,
    "-t",
    topic,
    "-p",
    `${partition}`,
    "-o",
    offset,
    "-e",
    "-J",
    "-q",
  ]);
  return output.split("\n").filter((line) => line.trim() !== "").map((line) =>
    JSON.parse(line) as KcatMessage
  );
}

/** kcat prints headers as a flat [name, value, ...] list; turn it into pairs. */
function headerPairs(headers: KcatMessage["headers"]): [string, string][] {
  if (headers === undefined) return [];
  if (!Array.isArray(headers)) return Object.entries(headers);
  const pairs: [string, string][] = [];
  for (let index = 0; index + 1 < headers.length; index += 2) {
    pairs.push([headers[index]!, headers[index + 1]!]);
  }
  return pairs;
}

function assertLines(
  messages: KcatMessage[],
  lines: Line[],
  headers: [string, string][],
  what: string,
): void {
  deepStrictEqual(messages.length, lines.length, `${what}: message count`);
  messages.forEach((message, index) => {
    const line = lines[index]!;
    deepStrictEqual(
      {
        offset: message.offset,
        key: message.key,
        payload: message.payload,
        headers: headerPairs(message.headers),
      },
      { offset: index, key: line.key, payload: line.value, headers },
      `${what}: message ${index}`,
    );
  });
}

Deno.test("kcat works against a Dafka node", async (t) => {
  const node = await new NodeProcess().start();
  const bootstrap = node.bootstrap;
  try {
    await t.step("-L lists the broker", async () => {
      const listing = JSON.parse(await kcat(["-L", "-J", "-b", bootstrap])) as {
        brokers: { id: number; name: string }[];
      };
      deepStrictEqual(listing.brokers.length, 1);
      deepStrictEqual(listing.brokers[0]!.name, `127.0.0.1:${node.port}`);
    });

    for (const codec of CODECS) {
      await t.step(`produce with ${codec} to an auto-created topic, consume it back`, async () => {
        const topic = `kcat-${codec}`;
        const lines = sampleLines(codec, 120);
        const headers: [string, string][] = [["source", "kcat"], ["codec", codec]];
        const producerArgs = [
          "-P",
          "-b",
          bootstrap,
          "-t",
          topic,
          "-p",
          "0",
          "-K",
          "\t",
          "-Z",
          "-X",
          `compression.codec=${codec}`,
          "-X",
          "enable.idempotence=true",
        ];
        await kcat(
          [...producerArgs, ...headers.flatMap(([name, value]) => ["-H", `${name}=${value}`])],
          kcatInput(lines),
        );
        const messages = await consumeAll(bootstrap, topic);
        assertLines(messages, lines, headers, codec);
        for (const message of messages) deepStrictEqual(message.tstype, "create");
        // A second producer run continues at the next offset.
        const more = sampleLines(`${codec}-more`, 10);
        await kcat(producerArgs, kcatInput(more));
        const tail = await consumeAll(bootstrap, topic, 0, "120");
        deepStrictEqual(tail.map((message) => message.offset), more.map((_, index) => 120 + index));
        deepStrictEqual(
          tail.map((message) => [message.key, message.payload]),
          more.map((line) => [line.key, line.value]),
        );
      });
    }

    await t.step("-Q finds offsets by timestamp (ListOffsets)", async () => {
      const messages = await consumeAll(bootstrap, "kcat-none");
      const target = messages[60]!;
      const answer = JSON.parse(
        await kcat(["-Q", "-J", "-b", bootstrap, "-t", `kcat-none:0:${target.ts}`]),
      ) as Record<string, Record<string, { offset: number }>>;
      const found = answer["kcat-none"]?.["0"]?.offset;
      ok(found !== undefined, JSON.stringify(answer));
      // Several records may share a millisecond: the answer is the first with that timestamp.
      deepStrictEqual(found, messages.findIndex((message) => message.ts >= target.ts));
      const first = JSON.parse(
        await kcat(["-Q", "-J", "-b", bootstrap, "-t", `kcat-none:0:${messages[0]!.ts - 1}`]),
      );
      deepStrictEqual(first["kcat-none"]["0"].offset, 0);
    });

    await t.step("-L -t shows an auto-created topic's partition led by the broker", async () => {
      const listing = JSON.parse(await kcat(["-L", "-J", "-b", bootstrap, "-t", "kcat-gzip"])) as {
        brokers: { id: number }[];
        topics: { topic: string; partitions: { partition: number; leader: number }[] }[];
      };
      const topic = listing.topics.find((candidate) => candidate.topic === "kcat-gzip");
      ok(topic, JSON.stringify(listing));
      deepStrictEqual(topic.partitions.map((partition) => [partition.partition, partition.leader]), [[
        0,
        listing.brokers[0]!.id,
      ]]);
    });
  } finally {
    await node.dispose();
  }
});
