/**
 * The replication part of `deno task bench`: kcat producing 100 B records
 * with acks=all to a topic of replication factor 3 (min.insync.replicas=2)
 * on three local nodes, against the same on one node (replication factor
 * 1) in the same run, three partitions each; then end-to-end latency (produce to consume) on the
 * replicated topic at half the replicated produce rate, p50 and p99
 * (bench/e2e_latency.py, librdkafka, one producer and one consumer).
 *
 *   deno task bench --replication-only [--records 300000]
 */
import { clusterNodes, disposeAll, startAll } from "../test/support/cluster.ts";
import { NodeProcess } from "../test/support/node_process.ts";
import { connectClient, createTopics } from "../test/support/raw_kafka.ts";

/**
 * Partitions of every bench topic, on both targets: three spread the replicated topic's leaders over the
 * three nodes as a Kafka deployment does (one partition would put all leader work on one node of a
 * two-core machine); the single node gets the same three.
 */
const PARTITIONS = 3;
/** The most records per second the latency probe (bench/e2e_latency.py) sends on time. */
const LATENCY_RATE_MAX = 20_000;

export interface ReplicationBench {
  records: number;
  singleNodeRate: number;
  replicatedRate: number;
  latency: { rate: number; p50Ms: number; p99Ms: number; count: number };
}

async function produceSeconds(bootstrap: string, topic: string, file: string): Promise<number> {
  const start = performance.now();
  const output = await new Deno.Command("kcat", {
    args: [
      "-P",
      "-b",
      bootstrap,
      "-t",
      topic,
      "-l",
      "-X",
      "acks=all",
      "-X",
      "linger.ms=5",
      "-X",
      "batch.size=1000000",
      "-X",
      "queue.buffering.max.messages=1000000",
      "-X",
      "topic.metadata.refresh.interval.ms=600000",
      file,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!output.success) throw new Error(`kcat failed: ${new TextDecoder().decode(output.stderr)}`);
  return (performance.now() - start) / 1000;
}

async function create(port: number, name: string, replicationFactor: number): Promise<void> {
  const client = await connectClient(port);
  const created = await createTopics(client, [{
    name,
    partitions: PARTITIONS,
    replicationFactor,
    configs: replicationFactor > 1 ? { "min.insync.replicas": "2" } : {},
  }]);
  client.close();
  if (created.get(name) !== 0) throw new Error(`creating ${name}: error ${created.get(name)}`);
}

/** The fastest of `repeats` produce runs, as records per second. */
async function bestRate(
  bootstrap: string,
  port: number,
  prefix: string,
  factor: number,
  file: string,
  records: number,
  repeats: number,
): Promise<number> {
  let best = Infinity;
  for (let attempt = 0; attempt < repeats; attempt++) {
    const topic = `${prefix}-${attempt}`;
    await create(port, topic, factor);
    best = Math.min(best, await produceSeconds(bootstrap, topic, file));
  }
  return records / best;
}

export async function benchReplication(
  directory: string,
  file: string,
  records: number,
  repeats = 3,
): Promise<ReplicationBench> {
  const single = new NodeProcess({ logDir: `${directory}/single` });
  await single.start();
  const singleNodeRate = await bestRate(single.bootstrap, single.port, "single", 1, file, records, repeats);
  await single.dispose();

  const nodes = clusterNodes();
  try {
    await startAll(nodes, 20000);
    const bootstrap = nodes.map((node) => node.process.bootstrap).join(",");
    const port = nodes[0]!.process.port;
    const replicatedRate = await bestRate(bootstrap, port, "replicated", 3, file, records, repeats);
    await create(port, "latency", 3);
    // Half the replicated rate, but no more than one Python producer sends on time (it falls behind past
    // about 20,000 records/s, and then measures its own queue rather than Dafka).
    const rate = Math.max(1, Math.min(LATENCY_RATE_MAX, Math.round(replicatedRate / 2)));
    const seconds = 10;
    const output = await new Deno.Command("/usr/bin/python3", {
      args: [
        new URL("./e2e_latency.py", import.meta.url).pathname,
        bootstrap,
        "latency",
        String(rate),
        String(seconds),
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) throw new Error(`e2e_latency.py failed: ${new TextDecoder().decode(output.stderr)}`);
    const latency = JSON.parse(new TextDecoder().decode(output.stdout).trim().split("\n").at(-1)!);
    return { records, singleNodeRate, replicatedRate, latency: { rate, ...latency } };
  } finally {
    await disposeAll(nodes);
  }
}

export function printReplication(result: ReplicationBench): void {
  console.log(`replication (${result.records} records of 100 B, kcat, acks=all):`);
  console.log("| target | produce rec/s |");
  console.log("|---|---|");
  console.log(`| one node, replication factor 1 | ${Math.round(result.singleNodeRate)} |`);
  console.log(
    `| three nodes, replication factor 3, min.insync.replicas=2 | ${Math.round(result.replicatedRate)} |`,
  );
  console.log(`replicated / single = ${(result.replicatedRate / result.singleNodeRate).toFixed(2)}`);
  const latency = result.latency;
  console.log(
    `end-to-end latency at ${latency.rate} rec/s (half the replicated rate, at most ${LATENCY_RATE_MAX}), ` +
      `${latency.count} records: ` +
      `p50 ${latency.p50Ms.toFixed(1)} ms, p99 ${latency.p99Ms.toFixed(1)} ms`,
  );
}
