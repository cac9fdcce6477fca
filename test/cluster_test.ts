/**
 * Three Dafka nodes on one machine form one cluster: a Raft quorum of
 * three controllers (each node also a broker), partitions placed across
 * the brokers, controller requests accepted by any broker, and kcat
 * producing and consuming through every leader. Then kill -9 of the active
 * controller: another is elected within the election timeout, the topics
 * created just before and just after are all there, and the killed node
 * catches up when it comes back.
 */
import assert from "node:assert/strict";
import type { Message } from "../src/protocol/codec.ts";
import { freePort, NodeProcess, run, waitFor } from "./support/node_process.ts";
import { connectClient, createTopics } from "./support/raw_kafka.ts";

const CLUSTER_ID = "q1Sh2dX0TvqZc3bYVnzVJA";
const DESCRIBE_QUORUM = 55;
const METADATA = 3;

interface ClusterNode {
  id: number;
  process: NodeProcess;
  controllerPort: number;
}

function startCluster(): ClusterNode[] {
  const ids = [1, 2, 3];
  const ports = ids.map(() => ({ client: freePort(), controller: freePort() }));
  const voters = ids.map((id, index) => `${id}@127.0.0.1:${ports[index]!.controller}`).join(",");
  return ids.map((id, index) => {
    const { client, controller } = ports[index]!;
    return {
      id,
      controllerPort: controller,
      process: new NodeProcess({
        port: client,
        overrides: {
          "node.id": String(id),
          "cluster.id": CLUSTER_ID,
          "process.roles": "broker,controller",
          "listeners": `PLAINTEXT://127.0.0.1:${client},CONTROLLER://127.0.0.1:${controller}`,
          "advertised.listeners": `PLAINTEXT://127.0.0.1:${client}`,
          "controller.listener.names": "CONTROLLER",
          "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
          "controller.quorum.voters": voters,
          "broker.session.timeout.ms": "3000",
          "broker.heartbeat.interval.ms": "500",
        },
      }),
    };
  });
}

/** The quorum's leader as DescribeQuorum reports it through one node (-1 if none). */
async function quorumLeader(node: ClusterNode): Promise<number> {
  const client = await connectClient(node.process.port);
  try {
    const response = await client.request(DESCRIBE_QUORUM, 2, {
      topics: [{ topicName: "__cluster_metadata", partitions: [{ partitionIndex: 0 }] }],
    });
    const partition = (response.topics as Message[])[0]?.partitions[0];
    return partition?.errorCode === 0 ? partition.leaderId : -1;
  } finally {
    client.close();
  }
}

/** Metadata for all topics through one node. */
async function metadataOf(node: ClusterNode): Promise<Message> {
  const client = await connectClient(node.process.port);
  try {
    return await client.request(METADATA, 12, {
      topics: null,
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
  } finally {
    client.close();
  }
}

async function topicNames(node: ClusterNode): Promise<string[]> {
  const response = await metadataOf(node);
  return (response.topics as Message[]).map((topic) => topic.name as string).sort();
}

Deno.test("three nodes form one cluster and survive kill -9 of the active controller", async () => {
  const nodes = startCluster();
  try {
    await Promise.all(nodes.map((node) => node.process.start()));
    // Each node opens its client listener once unfenced; its image shows the others as they unfence too.
    for (const node of nodes) {
      await waitFor(
        async () => {
          const brokers = ((await metadataOf(node)).brokers as Message[]).map((broker) => broker.nodeId);
          return brokers.sort().join() === "1,2,3";
        },
        10000,
        `three brokers through node ${node.id}`,
      );
    }

    const controllerId = await quorumLeader(nodes[0]!);
    assert.ok([1, 2, 3].includes(controllerId), `a controller leads (got ${controllerId})`);
    const controller = nodes.find((node) => node.id === controllerId)!;
    const others = nodes.filter((node) => node !== controller);

    // A broker that is not the controller forwards CreateTopics; partitions land on all three brokers.
    const client = await connectClient(others[0]!.process.port);
    const created = await createTopics(client, [{ name: "spread", partitions: 6 }, { name: "before" }]);
    client.close();
    assert.deepEqual([...created.values()], [0, 0]);
    await waitFor(
      async () => (await topicNames(others[1]!)).includes("spread"),
      10000,
      "the topic everywhere",
    );
    const spread = ((await metadataOf(others[1]!)).topics as Message[]).find((topic) =>
      topic.name === "spread"
    )!;
    const leaders = new Set((spread.partitions as Message[]).map((partition) => partition.leaderId));
    assert.deepEqual([...leaders].sort(), [1, 2, 3]);

    // kcat produces to every leader and reads everything back through one bootstrap broker.
    const bootstrap = nodes.map((node) => node.process.bootstrap).join(",");
    const lines = Array.from({ length: 60 }, (_, index) => `record-${index}`);
    await run("kcat", ["-P", "-b", bootstrap, "-t", "spread", "-K", ":"], {
      stdin: lines.map((line) => `${line}:${line}`).join("\n") + "\n",
    });
    const consumed = await run("kcat", [
      "-C",
      "-b",
      others[0]!.process.bootstrap,
      "-t",
      "spread",
      "-e",
      "-o",
      "beginning",
      "-f",
      "%s\n",
    ]);
    assert.deepEqual(consumed.trim().split("\n").sort(), [...lines].sort());

    // kill -9 the active controller: a survivor is elected within the election timeout (1 s, plus backoff).
    await controller.process.kill();
    const killedAtMs = performance.now();
    let newLeader = -1;
    await waitFor(
      async () => {
        newLeader = await quorumLeader(others[0]!).catch(() => -1);
        return newLeader >= 0 && newLeader !== controllerId;
      },
      15000,
      "a new active controller",
    );
    const electionMs = performance.now() - killedAtMs;
    assert.ok(others.some((node) => node.id === newLeader));
    console.log(`new controller ${newLeader} elected ${Math.round(electionMs)} ms after the kill`);

    const survivor = await connectClient(others[1]!.process.port);
    const after = await createTopics(survivor, [{ name: "after" }]);
    survivor.close();
    assert.equal(after.get("after"), 0);
    for (const node of others) {
      await waitFor(
        async () => {
          const names = await topicNames(node);
          return ["after", "before", "spread"].every((name) => names.includes(name));
        },
        10000,
        `every topic through node ${node.id}`,
      );
    }

    // The killed node comes back, catches up, and serves its partitions again.
    await controller.process.start();
    await waitFor(
      async () => {
        const names = await topicNames(controller);
        return ["after", "before", "spread"].every((name) => names.includes(name));
      },
      20000,
      "the restarted node to catch up",
    );
    await waitFor(
      async () => {
        const brokers = ((await metadataOf(controller)).brokers as Message[]).map((broker) => broker.nodeId);
        return brokers.length === 3;
      },
      20000,
      "all three brokers unfenced",
    );
    const again = await run("kcat", [
      "-C",
      "-b",
      controller.process.bootstrap,
      "-t",
      "spread",
      "-e",
      "-o",
      "beginning",
      "-f",
      "%s\n",
    ]);
    assert.deepEqual(again.trim().split("\n").sort(), [...lines].sort());
  } finally {
    for (const node of nodes) await node.process.dispose();
  }
});
