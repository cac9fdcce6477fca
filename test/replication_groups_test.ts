/**
 * A consumer group whose coordinator dies: three real nodes,
 * `__consumer_offsets` with three replicas, a librdkafka group member reading a
 * replicated topic and committing. The node leading the group's
 * `__consumer_offsets` partition (its coordinator, as FindCoordinator names
 * it) is killed with kill -9 once the group has committed everything so far.
 * The group must find the new coordinator and read on; the commits must
 * survive: OffsetFetch through the new coordinator never answers less than
 * what was committed before the kill, and no record below those commits is
 * read a second time (the group does not start again from the beginning).
 * The same with SIGSTOP instead of kill -9: the stopped node holds its
 * connections open without answering. When the old node is back (restarted,
 * or resumed still believing it leads), the group goes on committing, and
 * the old node answers OffsetFetch with NOT_COORDINATOR or, if it leads
 * again, with the latest commits.
 */
import assert from "node:assert/strict";
import kafkajs from "kafkajs";
import { partitionForGroup } from "../src/group/mod.ts";
import { type ClusterNode, clusterNodes, disposeAll, metadataOf, startAll } from "./support/cluster.ts";
import { waitFor } from "./support/node_process.ts";
import { PYTHON } from "./support/python_client.ts";
import {
  aliveNode,
  committedOffsets,
  createReplicatedTopic,
  groupCoordinator,
  nodeById,
  partitionState,
  waitForNewLeader,
} from "./support/replicated.ts";

const { Kafka, logLevel } = kafkajs;
const PARTITIONS = 2;
const OFFSETS_TOPIC = "__consumer_offsets";
const NOT_COORDINATOR = 16;

/**
 * Runs test/clients/group_consumer.py (librdkafka, commits what it has
 * processed every 200 ms) as a group member; calls `onRecord` per record.
 * `close` sends SIGTERM (commit, leave) and returns what it printed.
 */
function startGroupMember(
  config: Record<string, unknown>,
  onRecord: (partition: number, offset: number) => void,
) {
  const child = new Deno.Command(PYTHON, {
    args: [new URL("./clients/group_consumer.py", import.meta.url).pathname, JSON.stringify(config)],
    stdout: "piped",
    stderr: "piped",
    env: { PYTHONDONTWRITEBYTECODE: "1" },
  }).spawn();
  const events: string[] = [];
  const stderr = new Response(child.stderr).text();
  const reading = (async () => {
    let buffered = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        const parsed = JSON.parse(line);
        if (parsed.event) events.push(line);
        else onRecord(parsed.p, parsed.o);
      }
    }
  })();
  return {
    events,
    async close(): Promise<string> {
      try {
        child.kill("SIGTERM");
      } catch {
        // It has exited already.
      }
      await child.status;
      await reading;
      return await stderr;
    },
  };
}

/** Sends `count` values from `first` on, in batches of 10 alternating between the partitions, acks=-1. */
async function produceValues(producer: kafkajs.Producer, topic: string, first: number, count: number) {
  for (let start = first; start < first + count; start += 10) {
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: 10 }, (_, index) => ({
        value: String(start + index),
        partition: (start / 10) % PARTITIONS,
      })),
    });
  }
}

/** The committed offsets of the group through its current coordinator, as asked of a live node. */
async function committedNow(nodes: readonly ClusterNode[], group: string, topic: string, avoid = -1) {
  const asked = aliveNode(nodes.filter((node) => node.id !== avoid));
  const coordinatorId = await groupCoordinator(asked, group).catch(() => -1);
  const coordinator = nodes.find((node) =>
    node.id === coordinatorId && node.id !== avoid && node.process.running
  );
  if (!coordinator) return null;
  const answer = await committedOffsets(coordinator, group, topic, PARTITIONS).catch(() => null);
  return answer && answer.errorCode === 0 ? { coordinatorId, offsets: answer.offsets } : null;
}

async function coordinatorFailover(how: "kill" | "stop"): Promise<void> {
  const nodes = clusterNodes();
  const topic = `coordinator-${how}`;
  const group = `coordinator-${how}-readers`;
  const FIRST = 500;
  const LAST = 200;
  try {
    await startAll(nodes, 20000);
    await createReplicatedTopic(nodes[0]!, topic, { partitions: PARTITIONS });
    const kafka = new Kafka({
      clientId: "group-failover",
      brokers: nodes.map((node) => node.process.bootstrap),
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      requestTimeout: 5000,
      retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 30 },
    });
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    await produceValues(producer, topic, 0, FIRST);

    // The group's offsets partition, fully replicated before the group commits into it.
    let coordinatorId = -1;
    await waitFor(
      async () => (coordinatorId = await groupCoordinator(nodes[0]!, group).catch(() => -1)) >= 0,
      15000,
      "a coordinator for the group",
    );
    const offsetsPartitions = (await metadataOf(nodes[0]!)).topics
      .find((candidate) => candidate.name === OFFSETS_TOPIC)!.partitions.length;
    const offsetsPartition = partitionForGroup(group, offsetsPartitions);
    await waitFor(
      async () => {
        const state = await partitionState(nodes[0]!, OFFSETS_TOPIC, offsetsPartition);
        return state !== null && state.isr.length === 3 && state.leader === coordinatorId;
      },
      15000,
      `${OFFSETS_TOPIC}-${offsetsPartition} led by the coordinator with three in sync`,
    );

    const reads = new Map<string, number>();
    let total = 0;
    const consumer = startGroupMember(
      {
        bootstrap: nodes.map((node) => node.process.bootstrap).join(","),
        topic,
        group,
        session_timeout_ms: 6000,
        // A stopped coordinator never answers: a request to it fails after this, and the member looks again.
        librdkafka: { "socket.timeout.ms": 5000 },
      },
      (partition, offset) => {
        const key = `${partition}:${offset}`;
        reads.set(key, (reads.get(key) ?? 0) + 1);
        total++;
      },
    );
    try {
      const perPartition = FIRST / PARTITIONS;
      await waitFor(
        async () => {
          if (reads.size < FIRST) return false;
          const committed = await committedNow(nodes, group, topic);
          return committed !== null &&
            [...Array(PARTITIONS).keys()].every((index) => committed.offsets.get(index) === perPartition);
        },
        30000,
        `the first ${FIRST} records read and committed`,
      );
      const readBeforeKill = total;

      const victim = nodeById(nodes, coordinatorId);
      if (how === "kill") await victim.process.kill();
      else Deno.kill(victim.process.pid!, "SIGSTOP");
      let sender = producer;
      if (how === "stop") {
        // kafkajs keeps resending to a stopped leader (its requests time out rather than fail, and a
        // timeout refreshes no metadata): produce the next records through a producer that starts once
        // the survivors lead every partition, as a client with fresh metadata would. The group under test
        // is the consumer's.
        const survivor = aliveNode(nodes.filter((node) => node.id !== victim.id));
        for (let index = 0; index < PARTITIONS; index++) {
          const state = await partitionState(survivor, topic, index).catch(() => null);
          if (state?.leader === victim.id) await waitForNewLeader(survivor, topic, index, victim.id, 30000);
        }
        // Bootstrapped from the survivors: a stopped node accepts connections and never answers.
        const survivors = new Kafka({
          clientId: "group-failover-after-stop",
          brokers: nodes.filter((node) => node.id !== victim.id).map((node) => node.process.bootstrap),
          logLevel: logLevel.NOTHING,
          connectionTimeout: 1000,
          requestTimeout: 5000,
          retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 30 },
        });
        sender = survivors.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: false,
        });
        await sender.connect();
      }
      await produceValues(sender, topic, FIRST, FIRST);
      await waitFor(() => reads.size >= 2 * FIRST, 40000, `all ${2 * FIRST} records read after the kill`);

      let after: Awaited<ReturnType<typeof committedNow>> = null;
      await waitFor(
        async () => {
          after = await committedNow(nodes, group, topic, victim.id);
          if (after === null) return false;
          for (let index = 0; index < PARTITIONS; index++) {
            // Never below what was committed before the kill.
            assert.ok(
              (after.offsets.get(index) ?? -1) >= perPartition,
              `committed offset of partition ${index} after the failover: ${after.offsets.get(index)}`,
            );
          }
          return [...Array(PARTITIONS).keys()].every((index) =>
            after!.offsets.get(index) === 2 * perPartition
          );
        },
        30000,
        "every record committed through the new coordinator",
      );
      assert.notEqual(after!.coordinatorId, coordinatorId, "a new coordinator");

      // Nothing below the pre-kill commits is read again; above them Kafka allows a re-read (at least once).
      for (const [key, count] of reads) {
        const offset = Number(key.split(":")[1]);
        if (offset < perPartition) assert.equal(count, 1, `record ${key} read ${count} times`);
      }
      assert.ok(total >= readBeforeKill + FIRST);

      // The old coordinator comes back: restarted, or resumed still believing it leads (a zombie). The
      // group goes on; what the old node answers is NOT_COORDINATOR or, if it leads again, the latest commits.
      if (how === "kill") await victim.process.start();
      else Deno.kill(victim.process.pid!, "SIGCONT");
      await produceValues(sender, topic, 2 * FIRST, LAST);
      if (sender !== producer) await sender.disconnect();
      const final = (2 * FIRST + LAST) / PARTITIONS;
      await waitFor(() => reads.size >= 2 * FIRST + LAST, 30000, "the last records read");
      await waitFor(
        async () => {
          const committed = await committedNow(nodes, group, topic);
          return committed !== null &&
            [...Array(PARTITIONS).keys()].every((index) => committed.offsets.get(index) === final);
        },
        30000,
        "the last records committed",
      );
      let fromVictim: Awaited<ReturnType<typeof committedOffsets>> | null = null;
      await waitFor(
        async () => {
          fromVictim = await committedOffsets(victim, group, topic, PARTITIONS).catch(() => null);
          if (fromVictim === null) return false;
          if (fromVictim.errorCode === NOT_COORDINATOR) return true;
          return fromVictim.errorCode === 0 &&
            [...Array(PARTITIONS).keys()].every((index) => fromVictim!.offsets.get(index) === final);
        },
        20000,
        "the old coordinator answering NOT_COORDINATOR or the latest commits",
      );
    } finally {
      await consumer.close();
      await producer.disconnect();
    }
  } finally {
    await disposeAll(nodes);
  }
}

Deno.test("kill -9 of a group's coordinator: the group moves to the new one and its commits survive", async () => {
  await coordinatorFailover("kill");
});

Deno.test("SIGSTOP of a group's coordinator: the group moves on, and the resumed node hands the group over", async () => {
  await coordinatorFailover("stop");
});
