/**
 * `deno run --allow-all bench/compaction.ts`: how fast Dafka's log cleaner
 * compacts, and what it does to produce and fetch latency while it runs.
 *
 * 1. A node is started; a topic with 16 MiB segments is filled by kcat with
 *    `--megabytes` of 1 KiB updates of `--keys` keys, under
 *    cleanup.policy=delete so that nothing is cleaned yet.
 * 2. A probe produces one small record (acks=all) then fetches it, one
 *    request at a time, to another topic, for `--idle-seconds`: the idle
 *    baseline.
 * 3. The topic is switched to cleanup.policy=compact (IncrementalAlterConfigs)
 *    and the probe runs on until `cleaner-offset-checkpoint` shows the round
 *    done: the latency during cleaning.
 * 4. The node's own log line for the round gives the cleaner's MiB/s (bytes
 *    of log read, for the offset map and for cleaning, per second busy and
 *    per second of wall time), its step count and longest step.
 *
 * kcat batches up to `--batch-bytes` (16384 by default, the Java client's
 * batch.size; librdkafka's own default is 1000000). A step of the cleaner
 * always finishes the batch it is on, so the batch size bounds how short a
 * step can be.
 *
 *   deno run --allow-all bench/compaction.ts [--megabytes 256] [--keys 20000] [--idle-seconds 5]
 *     [--batch-bytes 16384] [--codec none|gzip|snappy|lz4|zstd]
 */
import { connectClient, createTopics, expectErrorCode } from "../test/support/raw_kafka.ts";
import { NodeProcess, run, waitFor } from "../test/support/node_process.ts";
import type { KafkaClient } from "../sim/clients/kafka_client.ts";
import { buildBatch } from "../src/protocol/mod.ts";

function argument(name: string, fallback: number): number {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 ? Number(Deno.args[index + 1]) : fallback;
}

const MEGABYTES = argument("megabytes", 256);
const KEYS = argument("keys", 20000);
const IDLE_SECONDS = argument("idle-seconds", 5);
const BATCH_BYTES = argument("batch-bytes", 16384);
const codecIndex = Deno.args.indexOf("--codec");
const CODEC = codecIndex >= 0 ? Deno.args[codecIndex + 1]! : "none";
const VALUE_BYTES = 1000;
const TOPIC = "compaction-bench";
const PROBE_TOPIC = "latency-probe";
const SEGMENT_BYTES = 16 * 1024 * 1024;

/**
 * Lines `key:value` for kcat, values of letters drawn from a fixed
 * pseudo-random sequence, so that they compress about as much as text does
 * and not to nothing.
 */
function fillFile(directory: string): { path: string; records: number } {
  const path = `${directory}/updates.txt`;
  const records = Math.ceil((MEGABYTES * 1024 * 1024) / (VALUE_BYTES + 12));
  const file = Deno.openSync(path, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  let state = 0x2545f491;
  const letter = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return String.fromCharCode(97 + ((state >>> 0) % 26));
  };
  const chunk: string[] = [];
  for (let index = 0; index < records; index++) {
    const value = Array.from({ length: VALUE_BYTES - 12 }, letter).join("");
    chunk.push(`key-${index % KEYS}:${String(index).padStart(11, "0")}-${value}\n`);
    if (chunk.length === 10000 || index === records - 1) {
      file.writeSync(encoder.encode(chunk.join("")));
      chunk.length = 0;
    }
  }
  file.close();
  return { path, records };
}

interface Latencies {
  produce: number[];
  fetch: number[];
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? NaN;
}

function summary(values: number[]): string {
  const sorted = [...values].sort((left, right) => left - right);
  return `n=${sorted.length} p50=${percentile(sorted, 0.5).toFixed(2)} ms p99=${
    percentile(sorted, 0.99).toFixed(2)
  } ms max=${(sorted.at(-1) ?? NaN).toFixed(2)} ms`;
}

/** Produces then fetches one small record at a time until `until()` holds. */
async function probe(client: KafkaClient, until: () => boolean): Promise<Latencies> {
  const latencies: Latencies = { produce: [], fetch: [] };
  const encoder = new TextEncoder();
  while (!until()) {
    const batch = buildBatch({
      records: [{
        timestamp: Date.now(),
        key: encoder.encode("probe"),
        value: encoder.encode("x".repeat(100)),
      }],
    });
    let started = performance.now();
    const produced = await client.request(0, 9, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 10000,
      topicData: [{ name: PROBE_TOPIC, partitionData: [{ index: 0, records: batch }] }],
    });
    latencies.produce.push(performance.now() - started);
    const partition = produced.responses[0]!.partitionResponses[0]!;
    expectErrorCode(partition.errorCode, 0, "probe produce");
    started = performance.now();
    await client.request(1, 12, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1024 * 1024,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{
        topic: PROBE_TOPIC,
        partitions: [{ partition: 0, fetchOffset: partition.baseOffset, partitionMaxBytes: 65536 }],
      }],
      forgottenTopicsData: [],
      rackId: "",
    });
    latencies.fetch.push(performance.now() - started);
  }
  return latencies;
}

function checkpointOffset(logDir: string, topic: string): number | null {
  try {
    const lines = Deno.readTextFileSync(`${logDir}/cleaner-offset-checkpoint`).split("\n");
    const line = lines.find((candidate) => candidate.startsWith(`${topic} 0 `));
    return line === undefined ? null : Number(line.split(" ")[2]);
  } catch {
    return null;
  }
}

function logBytes(logDir: string, topic: string): number {
  let total = 0;
  for (const entry of Deno.readDirSync(`${logDir}/${topic}-0`)) {
    if (entry.name.endsWith(".log")) total += Deno.statSync(`${logDir}/${topic}-0/${entry.name}`).size;
  }
  return total;
}

/** The 1-minute load average: the machine is shared, and a loaded one inflates every latency. */
function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ")[0]!;
  } catch {
    return "?";
  }
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const directory = Deno.makeTempDirSync({ prefix: "dafka-compaction-bench-" });
  const fill = fillFile(directory);
  const node = new NodeProcess({
    logDir: `${directory}/dafka`,
    overrides: { "log.cleaner.backoff.ms": "200" },
  });
  await node.start();
  const client = await connectClient(node.port);
  try {
    const created = await createTopics(client, [
      { name: TOPIC, configs: { "cleanup.policy": "delete", "segment.bytes": `${SEGMENT_BYTES}` } },
      { name: PROBE_TOPIC, configs: { "cleanup.policy": "delete" } },
    ]);
    for (const code of created.values()) expectErrorCode(code, 0, "create topics");
    const fillStarted = performance.now();
    await run("kcat", [
      "-P",
      "-b",
      node.bootstrap,
      "-t",
      TOPIC,
      "-p",
      "0",
      "-K:",
      "-l",
      "-X",
      "linger.ms=5",
      "-X",
      `batch.size=${BATCH_BYTES}`,
      "-z",
      CODEC,
      fill.path,
    ], { timeoutMs: 600000 });
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    // A last record rolls nothing by itself; the active segment stays uncleaned, as in Kafka.
    const before = logBytes(node.logDir, TOPIC);

    const idleUntil = performance.now() + IDLE_SECONDS * 1000;
    const idle = await probe(client, () => performance.now() > idleUntil);

    const altered = await client.request(44, 0, {
      resources: [{
        resourceType: 2,
        resourceName: TOPIC,
        configs: [{ name: "cleanup.policy", configOperation: 0, value: "compact" }],
      }],
      validateOnly: false,
    });
    expectErrorCode(altered.responses[0]!.errorCode, 0, "alter cleanup.policy");
    const cleaningStarted = performance.now();
    let cleaningSeconds = 0;
    const giveUp = performance.now() + 600_000;
    const during = await probe(client, () => {
      if (performance.now() > giveUp) throw new Error("the cleaner did not finish within 10 minutes");
      const done = (checkpointOffset(node.logDir, TOPIC) ?? 0) > 0;
      if (done && cleaningSeconds === 0) cleaningSeconds = (performance.now() - cleaningStarted) / 1000;
      return done;
    });
    await waitFor(() => checkpointOffset(node.logDir, TOPIC) !== null, 1000, "the checkpoint");
    const after = logBytes(node.logDir, TOPIC);
    client.close();
    const stderr = await node.stop();
    const round = stderr.split("\n").find((line) => line.includes(`cleaned ${TOPIC}-0`)) ??
      "(no cleaner line)";

    console.log(
      `fill: ${fill.records} records of ${VALUE_BYTES} B (${MEGABYTES} MiB), ${KEYS} keys, ` +
        `batches up to ${BATCH_BYTES} B in ${CODEC}, ${(MEGABYTES / fillSeconds).toFixed(1)} MiB/s with kcat`,
    );
    console.log(`load average before and after: ${loadBefore} / ${loadAverage()}`);
    console.log(
      `log before: ${(before / 1048576).toFixed(1)} MiB, after: ${(after / 1048576).toFixed(1)} MiB`,
    );
    console.log(
      `cleaning took ${cleaningSeconds.toFixed(2)} s of wall time from the config change ` +
        `(back-off 200 ms included): ${
          (before / 1048576 / cleaningSeconds).toFixed(1)
        } MiB of log per second`,
    );
    console.log(`node: ${round.slice(round.indexOf("cleaned"))}`);
    console.log(`| probe | idle | during cleaning |`);
    console.log(`|---|---|---|`);
    console.log(`| produce (acks=all) | ${summary(idle.produce)} | ${summary(during.produce)} |`);
    console.log(`| fetch | ${summary(idle.fetch)} | ${summary(during.fetch)} |`);
  } finally {
    await node.kill();
    Deno.removeSync(directory, { recursive: true });
  }
}

await main();
