/**
 * Helpers for the replication tests on a real three-node cluster: a
 * partition's leader and ISR as a node's metadata shows them, waiting for an
 * ISR or a new leader with a bound, the group coordinator and its committed
 * offsets (FindCoordinator, OffsetFetch), and a byte-for-byte comparison of
 * the replicas' logs once the nodes are stopped.
 */
import assert from "node:assert/strict";
import { batchSize, LOG_OVERHEAD, readBatchHeader } from "../../src/protocol/mod.ts";
import { type ClusterNode, metadataOf } from "./cluster.ts";
import { waitFor } from "./node_process.ts";
import { PYTHON } from "./python_client.ts";
import { connectClient, createTopics } from "./raw_kafka.ts";

const FIND_COORDINATOR = 10;
const OFFSET_FETCH = 9;

export interface PartitionState {
  leader: number;
  leaderEpoch: number;
  isr: number[];
  replicas: number[];
}

/** Partition `index` of `topic` as one node's metadata shows it (null if unknown or in error). */
export async function partitionState(
  node: ClusterNode,
  topic: string,
  index: number,
): Promise<PartitionState | null> {
  const response = await metadataOf(node);
  const partition = response.topics.find((candidate) => candidate.name === topic)?.partitions
    .find((candidate) => candidate.partitionIndex === index);
  return partition && partition.errorCode === 0
    ? {
      leader: partition.leaderId,
      leaderEpoch: partition.leaderEpoch,
      isr: [...partition.isrNodes].sort(),
      replicas: [...partition.replicaNodes].sort(),
    }
    : null;
}

/** The first node that is running (a node to ask). */
export function aliveNode(nodes: readonly ClusterNode[]): ClusterNode {
  const node = nodes.find((candidate) => candidate.process.running);
  if (!node) throw new Error("no node is running");
  return node;
}

export function nodeById(nodes: readonly ClusterNode[], id: number): ClusterNode {
  const node = nodes.find((candidate) => candidate.id === id);
  if (!node) throw new Error(`no node ${id}`);
  return node;
}

/** Creates a topic through `node` and waits until every partition has a leader and `isrSize` in sync. */
export async function createReplicatedTopic(
  node: ClusterNode,
  topic: string,
  options: { partitions: number; replicationFactor?: number; configs?: Record<string, string> },
): Promise<void> {
  const admin = await connectClient(node.process.port, node.process.host);
  try {
    const created = await createTopics(admin, [{
      name: topic,
      partitions: options.partitions,
      replicationFactor: options.replicationFactor ?? 3,
      configs: options.configs,
    }]);
    assert.equal(created.get(topic), 0, `CreateTopics ${topic}`);
  } finally {
    admin.close();
  }
  await waitForIsr(node, topic, options.partitions, options.replicationFactor ?? 3, 15000);
}

/** Waits until each of `partitions` partitions shows a leader and an ISR of `size` through `node`. */
export async function waitForIsr(
  node: ClusterNode,
  topic: string,
  partitions: number,
  size: number,
  timeoutMs: number,
): Promise<void> {
  for (let index = 0; index < partitions; index++) {
    let last: PartitionState | null = null;
    await waitFor(
      async () => {
        const state = last = await partitionState(node, topic, index).catch(() => null);
        return state !== null && state.leader >= 0 && state.isr.length === size;
      },
      timeoutMs,
      `an ISR of ${size} for ${topic}-${index}`,
    ).catch((error: Error) => {
      throw new Error(`${error.message} (last seen through node ${node.id}: ${JSON.stringify(last)})`);
    });
  }
}

/** Waits until `node` shows a leader for the partition other than `formerLeader`; returns it. */
export async function waitForNewLeader(
  node: ClusterNode,
  topic: string,
  index: number,
  formerLeader: number,
  timeoutMs: number,
): Promise<number> {
  let leader = -1;
  await waitFor(
    async () => {
      const state = await partitionState(node, topic, index).catch(() => null);
      leader = state?.leader ?? -1;
      return leader >= 0 && leader !== formerLeader;
    },
    timeoutMs,
    `a leader other than ${formerLeader} for ${topic}-${index}`,
  );
  return leader;
}

/** The coordinator of `group` as FindCoordinator (v3) through `node` names it; -1 while there is none. */
export async function groupCoordinator(node: ClusterNode, group: string): Promise<number> {
  const client = await connectClient(node.process.port, node.process.host);
  try {
    const response = await client.request(FIND_COORDINATOR, 3, { key: group, keyType: 0 });
    return response.errorCode === 0 ? response.nodeId : -1;
  } finally {
    client.close();
  }
}

/**
 * The committed offsets of `group` for `topic` (OffsetFetch v7, asked of
 * the coordinator node): partition -> offset (-1 when none), or the error
 * code when the answer is an error (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS).
 */
export async function committedOffsets(
  coordinator: ClusterNode,
  group: string,
  topic: string,
  partitions: number,
): Promise<{ errorCode: number; offsets: Map<number, number> }> {
  const client = await connectClient(coordinator.process.port);
  try {
    const response = await client.request(OFFSET_FETCH, 7, {
      groupId: group,
      topics: [{ name: topic, partitionIndexes: Array.from({ length: partitions }, (_, index) => index) }],
      requireStable: false,
    });
    const offsets = new Map<number, number>();
    let errorCode = response.errorCode;
    for (const partition of response.topics[0]?.partitions ?? []) {
      if (partition.errorCode !== 0) errorCode ||= partition.errorCode;
      offsets.set(partition.partitionIndex, partition.committedOffset);
    }
    return { errorCode, offsets };
  } finally {
    client.close();
  }
}

/** The batches of one replica's partition folder, in offset order, as raw bytes. */
export function replicaBatches(logDir: string, topic: string, partition: number): Uint8Array[] {
  const folder = `${logDir}/${topic}-${partition}`;
  const segments = [...Deno.readDirSync(folder)]
    .map((entry) => entry.name)
    .filter((name) => name.endsWith(".log"))
    .sort();
  const batches: Uint8Array[] = [];
  for (const segment of segments) {
    const bytes = Deno.readFileSync(`${folder}/${segment}`);
    let position = 0;
    while (position + LOG_OVERHEAD <= bytes.length) {
      const header = readBatchHeader(bytes, position);
      // A preallocated or torn tail ends the segment.
      if (header.batchLength <= 0 || position + batchSize(header) > bytes.length) break;
      batches.push(bytes.subarray(position, position + batchSize(header)));
      position += batchSize(header);
    }
  }
  return batches;
}

/** The offset after the last batch (the log end offset) of a list of raw batches. */
export function endOffsetOf(batches: readonly Uint8Array[]): number {
  const last = batches.at(-1);
  if (!last) return 0;
  const header = readBatchHeader(last);
  return header.baseOffset + header.lastOffsetDelta + 1;
}

/**
 * Stops every node cleanly, then checks that the replicas of each partition
 * hold the same batches, byte for byte (offsets, leader epochs, producer
 * ids, CRCs), and that each holds at least `atLeast(partition)` offsets (the
 * acknowledged ones). Followers copy the leader's batches as they are, so a
 * replica that differs kept a tail it should have truncated, or lost one.
 */
export async function assertReplicasIdentical(
  nodes: readonly ClusterNode[],
  topic: string,
  partitions: number,
  atLeast: (partition: number) => number,
): Promise<void> {
  for (const node of nodes) await node.process.stop();
  for (let partition = 0; partition < partitions; partition++) {
    const logs = nodes.map((node) => ({
      id: node.id,
      batches: replicaBatches(node.process.logDir, topic, partition),
    }));
    const wanted = atLeast(partition);
    for (const log of logs) {
      assert.ok(
        endOffsetOf(log.batches) >= wanted,
        `node ${log.id}'s ${topic}-${partition} ends at ${endOffsetOf(log.batches)}, below ${wanted}`,
      );
    }
    const [first, ...others] = logs;
    for (const other of others) {
      assert.equal(
        other.batches.length,
        first!.batches.length,
        `batch count of node ${other.id} vs ${first!.id}`,
      );
      for (let index = 0; index < first!.batches.length; index++) {
        const header = readBatchHeader(first!.batches[index]!);
        assert.deepEqual(
          other.batches[index],
          first!.batches[index],
          `${topic}-${partition} batch at offset ${header.baseOffset}: node ${other.id} differs from node ${
            first!.id
          }`,
        );
      }
    }
  }
}

/** One acknowledged record: its value and where the broker said it was written. */
export interface Delivered {
  value: string;
  partition: number;
  offset: number;
}

/** What a producer script prints last: the acknowledged records and the failed ones. */
export interface ProduceOutcome {
  acked: Delivered[];
  failed: { value: string; error: string }[];
}

/**
 * Starts a Python producer script of test/clients/ that prints "progress N"
 * lines as acknowledgements arrive and one JSON answer at the end.
 * `progress(after)` resolves once N >= after (or when the script ends), so
 * that a test can break a node mid-way; `done` is the parsed answer.
 */
export function startStreamingClient<T = ProduceOutcome>(script: string, request: Record<string, unknown>) {
  const child = new Deno.Command(PYTHON, {
    args: [new URL(`../clients/${script}`, import.meta.url).pathname],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { PYTHONDONTWRITEBYTECODE: "1" },
  }).spawn();
  const writer = child.stdin.getWriter();
  void writer.write(new TextEncoder().encode(JSON.stringify(request))).then(() => writer.close());
  let reached = 0;
  let ended = false;
  const watchers: { after: number; resolve: () => void }[] = [];
  const notify = () => {
    for (const watcher of watchers.splice(0)) {
      if (ended || reached >= watcher.after) watcher.resolve();
      else watchers.push(watcher);
    }
  };
  const lines: string[] = [];
  const stderr = new Response(child.stderr).text();
  const done = (async () => {
    let buffered = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      const parts = buffered.split("\n");
      buffered = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        const progress = /^progress (\d+)$/.exec(line);
        if (progress) {
          reached = Number(progress[1]);
          notify();
        }
      }
    }
    if (buffered) lines.push(buffered);
    await child.status;
    ended = true;
    notify();
    const last = lines.at(-1) ?? "";
    try {
      return JSON.parse(last) as T;
    } catch {
      throw new Error(`${script} printed no answer:\n${lines.join("\n")}\n${await stderr}`);
    }
  })();
  return {
    done,
    /** Stops the script at once (kill -9; a test cleaning up after a failure). */
    kill(): void {
      try {
        child.kill("SIGKILL");
      } catch {
        // It has exited already.
      }
    },
    progress(after: number): Promise<void> {
      return new Promise<void>((resolve) => {
        watchers.push({ after, resolve });
        notify();
      });
    },
  };
}
