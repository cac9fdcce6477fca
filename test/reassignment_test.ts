/**
 * Partition reassignment (KIP-455) and preferred leader election (KIP-460)
 * on three real nodes, driven by kafkajs's admin client and raw requests,
 * while an idempotent librdkafka producer writes with acks=all: the
 * replication factor goes from 1 to 3 (the joining brokers catch up and the
 * leader's AlterPartition completes the reassignment), then the leader is
 * dropped (another replica takes over and the old leader deletes its copy),
 * then the remaining two are reordered and ElectLeaders moves leadership to
 * the new first replica. Every acknowledged record must be read back, once,
 * at its offset.
 */
import assert from "node:assert/strict";
import kafkajs from "kafkajs";
import { type ClusterNode, clusterNodes, disposeAll, metadataOf, startAll } from "./support/cluster.ts";
import { waitFor } from "./support/node_process.ts";
import { PYTHON, runPythonClient } from "./support/python_client.ts";
import { connectClient, createTopics } from "./support/raw_kafka.ts";

const { Kafka, logLevel } = kafkajs;
const TOPIC = "moving";
const COUNT = 9000;

interface Delivered {
  value: string;
  partition: number;
  offset: number;
}

async function partitionState(node: ClusterNode) {
  const response = await metadataOf(node);
  const partition = response.topics.find((topic) => topic.name === TOPIC)?.partitions
    .find((candidate) => candidate.partitionIndex === 0);
  return partition && partition.errorCode === 0
    ? {
      leader: partition.leaderId,
      replicas: [...partition.replicaNodes],
      isr: [...partition.isrNodes].sort(),
    }
    : null;
}

/** The producer script of the replication tests, at 1500 records a second; resolves `started` at 1500 acks. */
function startProducer(bootstrap: string) {
  const child = new Deno.Command(PYTHON, {
    args: [new URL("./clients/replicated_workload.py", import.meta.url).pathname],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { PYTHONDONTWRITEBYTECODE: "1" },
  }).spawn();
  const writer = child.stdin.getWriter();
  const request = { command: "produce", bootstrap, topic: TOPIC, count: COUNT, per_second: 1500 };
  void writer.write(new TextEncoder().encode(JSON.stringify(request))).then(() => writer.close());
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => markStarted = resolve);
  const done = (async () => {
    const lines: string[] = [];
    let buffered = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      const parts = buffered.split("\n");
      buffered = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (/^progress (\d+)$/.test(line) && Number(line.split(" ")[1]) >= 1500) markStarted();
      }
    }
    if (buffered) lines.push(buffered);
    const stderr = await new Response(child.stderr).text();
    await child.status;
    markStarted();
    try {
      return JSON.parse(lines.at(-1) ?? "") as {
        acked: Delivered[];
        failed: { value: string; error: string }[];
      };
    } catch {
      throw new Error(`the producer printed no answer:\n${lines.join("\n")}\n${stderr}`);
    }
  })();
  return { started, done };
}

function partitionFolderExists(node: ClusterNode): boolean {
  try {
    Deno.statSync(`${node.process.logDir}/${TOPIC}-0`);
    return true;
  } catch {
    return false;
  }
}

Deno.test("reassigning a partition 1 -> 3 replicas, then dropping its leader, loses no acks=all record", async () => {
  const nodes = clusterNodes();
  const kafka = new Kafka({
    clientId: "reassignment-test",
    brokers: nodes.map((node) => node.process.bootstrap),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await startAll(nodes, 20000);
    const raw = await connectClient(nodes[0]!.process.port);
    assert.equal(
      (await createTopics(raw, [{ name: TOPIC, partitions: 1, replicationFactor: 1 }])).get(TOPIC),
      0,
    );
    await waitFor(async () => (await partitionState(nodes[1]!)) !== null, 10000, "the new topic");
    const first = (await partitionState(nodes[1]!))!.leader;
    const others = nodes.map((node) => node.id).filter((id) => id !== first);
    await admin.connect();

    const producer = startProducer(nodes.map((node) => node.process.bootstrap).join(","));
    await producer.started;

    // 1 -> 3: the two new replicas join, and the ISR change that holds them completes the reassignment.
    await admin.alterPartitionReassignments({
      topics: [{ topic: TOPIC, partitionAssignment: [{ partition: 0, replicas: [first, ...others] }] }],
    });
    await waitFor(
      async () => {
        const state = await partitionState(nodes[1]!);
        const listed = await admin.listPartitionReassignments({});
        return state?.isr.length === 3 && state.replicas.length === 3 && listed.topics.length === 0;
      },
      30000,
      "three in-sync replicas and no reassignment listed",
    );

    // Drop the leader: one of the others leads, and the old leader deletes its copy.
    await admin.alterPartitionReassignments({
      topics: [{ topic: TOPIC, partitionAssignment: [{ partition: 0, replicas: others }] }],
    });
    const firstNode = nodes.find((node) => node.id === first)!;
    await waitFor(
      async () => {
        const state = await partitionState(nodes[1]!);
        return state !== null && state.replicas.join() === others.join() && state.leader === others[0] &&
          state.isr.length === 2 && !partitionFolderExists(firstNode);
      },
      30000,
      `replicas ${others}, led by ${others[0]}, and no folder left on node ${first}`,
    );

    // Reordering completes at once but keeps the leader; a preferred election moves it to the first replica.
    const reordered = [...others].reverse();
    await admin.alterPartitionReassignments({
      topics: [{ topic: TOPIC, partitionAssignment: [{ partition: 0, replicas: reordered }] }],
    });
    await waitFor(
      async () => (await partitionState(nodes[1]!))?.replicas.join() === reordered.join(),
      10000,
      "the reordered replicas",
    );
    assert.equal((await partitionState(nodes[1]!))!.leader, others[0]);
    const election = await raw.request(43, 2, {
      electionType: 0,
      topicPartitions: [{ topic: TOPIC, partitions: [0] }],
      timeoutMs: 10000,
    });
    assert.equal(election.errorCode, 0);
    assert.equal(election.replicaElectionResults[0]?.partitionResult[0]?.errorCode, 0);
    await waitFor(
      async () => (await partitionState(nodes[1]!))?.leader === reordered[0],
      10000,
      `leadership on the preferred replica ${reordered[0]}`,
    );
    const again = await raw.request(43, 2, {
      electionType: 0,
      topicPartitions: [{ topic: TOPIC, partitions: [0] }],
      timeoutMs: 10000,
    });
    assert.equal(again.replicaElectionResults[0]?.partitionResult[0]?.errorCode, 84, "ELECTION_NOT_NEEDED");
    raw.close();

    const produced = await producer.done;
    assert.deepEqual(produced.failed, []);
    assert.equal(produced.acked.length, COUNT);
    const bootstrap = nodes.map((node) => node.process.bootstrap).join(",");
    const consumed = await runPythonClient<{ records: Delivered[] }>(
      "replicated_workload.py",
      { command: "consume", bootstrap, topic: TOPIC, group: "moving-readers", expect: COUNT, timeout_s: 90 },
      120000,
    );
    assert.equal(consumed.records.length, COUNT, "every record read once");
    const read = new Map(consumed.records.map((record) => [record.offset, record.value]));
    for (const record of produced.acked) assert.equal(read.get(record.offset), record.value);
  } finally {
    await admin.disconnect();
    await disposeAll(nodes);
  }
});
