/**
 * A cluster grows (KIP-853): one node starts the metadata quorum alone, as
 * Kafka's quickstart for a dynamic quorum does (`controller.quorum.bootstrap.servers`
 * naming its own controller listener, `kafka-storage format --standalone`);
 * two more start with only the bootstrap server, find the leader through it
 * and follow the metadata log as observers; AddRaftVoter makes them voters
 * (once through the leader, once through another broker, which forwards
 * it). DescribeQuorum then shows three voters with their directory ids and
 * listeners; after kill -9 of the first node the other two elect a leader
 * and serve metadata.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../src/protocol/mod.ts";
import { uuidFromString } from "../src/protocol/mod.ts";
import { CLUSTER_ID } from "./support/cluster.ts";
import { freePort, NodeProcess, waitFor } from "./support/node_process.ts";
import { connectClient, createTopics, fetchAll, produceBatch, textRecords } from "./support/raw_kafka.ts";

const ADD_RAFT_VOTER = 80;
const REMOVE_RAFT_VOTER = 81;
const CREATE_TOPICS = 19;
const ALTER_PARTITION_REASSIGNMENTS = 45;
const DESCRIBE_QUORUM = 55;
const METADATA = 3;

interface GrowingNode {
  id: number;
  controllerPort: number;
  process: NodeProcess;
}

function growingNode(
  id: number,
  bootstrapControllerPort: number | null,
  extra: Record<string, string> = {},
): GrowingNode {
  const client = freePort();
  const controllerPort = bootstrapControllerPort === null || id !== 1 ? freePort() : bootstrapControllerPort;
  const bootstrap = bootstrapControllerPort ?? controllerPort;
  return {
    id,
    controllerPort,
    process: new NodeProcess({
      port: client,
      overrides: {
        "node.id": String(id),
        "cluster.id": CLUSTER_ID,
        "process.roles": "broker,controller",
        "listeners": `PLAINTEXT://127.0.0.1:${client},CONTROLLER://127.0.0.1:${controllerPort}`,
        "advertised.listeners": `PLAINTEXT://127.0.0.1:${client}`,
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "controller.quorum.bootstrap.servers": `127.0.0.1:${bootstrap}`,
        "broker.session.timeout.ms": "3000",
        "broker.heartbeat.interval.ms": "500",
        ...extra,
      },
    }),
  };
}

/**
 * A snapshot after every metadata batch: the joining nodes start from the leader's snapshot
 * (FetchSnapshot), which must carry the voter set, and so must every node's own after a restart.
 */
const SNAPSHOT_OFTEN = { "metadata.log.max.record.bytes.between.snapshots": "1" };

/** The node's `directory.id` from its meta.properties (what `add-controller` reads). */
function directoryIdOf(node: GrowingNode): Uint8Array {
  const text = Deno.readTextFileSync(`${node.process.logDir}/meta.properties`);
  const match = /^directory\.id=(.+)$/m.exec(text);
  assert.ok(match, "meta.properties has a directory.id");
  return uuidFromString(match[1]!.trim())!;
}

interface QuorumPartition {
  errorCode: number;
  leaderId: number;
  currentVoters: { replicaId: number; replicaDirectoryId: Uint8Array }[];
  observers: { replicaId: number }[];
}

async function describeQuorum(
  node: GrowingNode,
): Promise<
  { partition: QuorumPartition | undefined; nodes: { nodeId: number; listeners: { port: number }[] }[] }
> {
  const client = await connectClient(node.process.port);
  try {
    const response = await client.request(DESCRIBE_QUORUM, 2, {
      topics: [{ topicName: "__cluster_metadata", partitions: [{ partitionIndex: 0 }] }],
    });
    return { partition: response.topics[0]?.partitions[0], nodes: response.nodes };
  } catch {
    return { partition: undefined, nodes: [] };
  } finally {
    client.close();
  }
}

async function voterIds(node: GrowingNode): Promise<number[]> {
  const { partition } = await describeQuorum(node);
  if (partition === undefined || partition.errorCode !== ErrorCode.NONE) return [];
  return partition.currentVoters.map((voter) => voter.replicaId).sort();
}

/** AddRaftVoter through `via`, retried while the observer is still catching up (REQUEST_TIMED_OUT). */
async function addVoter(via: GrowingNode, voter: GrowingNode): Promise<void> {
  let last = -1;
  await waitFor(
    async () => {
      const client = await connectClient(via.process.port);
      try {
        const response = await client.request(ADD_RAFT_VOTER, 1, {
          clusterId: CLUSTER_ID,
          timeoutMs: 5000,
          voterId: voter.id,
          voterDirectoryId: directoryIdOf(voter),
          listeners: [{ name: "CONTROLLER", host: "127.0.0.1", port: voter.controllerPort }],
          ackWhenCommitted: true,
        });
        last = response.errorCode;
        if (last !== ErrorCode.NONE && last !== ErrorCode.REQUEST_TIMED_OUT) {
          throw new Error(`AddRaftVoter ${voter.id}: error ${last} ${response.errorMessage}`);
        }
        return last === ErrorCode.NONE;
      } finally {
        client.close();
      }
    },
    20000,
    `node ${voter.id} added as a voter (last error ${last})`,
  );
}

async function removeVoter(via: GrowingNode, voter: GrowingNode): Promise<number> {
  const client = await connectClient(via.process.port);
  try {
    const response = await client.request(REMOVE_RAFT_VOTER, 0, {
      clusterId: CLUSTER_ID,
      voterId: voter.id,
      voterDirectoryId: directoryIdOf(voter),
    });
    return response.errorCode;
  } finally {
    client.close();
  }
}

/** Starts the first node alone, then the others as observers, and adds them as voters. */
async function growToThree(nodes: GrowingNode[]): Promise<void> {
  await nodes[0]!.process.start();
  await Promise.all(nodes.slice(1).map((node) => node.process.start()));
  await addVoter(nodes[0]!, nodes[1]!);
  await addVoter(nodes[0]!, nodes[2]!);
  await waitFor(async () => (await voterIds(nodes[2]!)).join() === "1,2,3", 10000, "three voters");
}

/** The replicas, leader and ISR of `topic`-0 through `node`, or null while it has none. */
async function partitionOf(node: GrowingNode, topic: string) {
  const client = await connectClient(node.process.port);
  try {
    const response = await client.request(METADATA, 12, {
      topics: null,
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    const partition = response.topics.find((candidate) => candidate.name === topic)?.partitions[0];
    return partition === undefined || partition.errorCode !== ErrorCode.NONE ? null : {
      replicas: [...partition.replicaNodes].sort(),
      leader: partition.leaderId,
      isr: [...partition.isrNodes].sort(),
    };
  } finally {
    client.close();
  }
}

/** AlterPartitionReassignments (v0) of `kept`-0 through `via` (forwarded to the active controller). */
async function reassignKept(via: GrowingNode, replicas: number[]): Promise<void> {
  const client = await connectClient(via.process.port);
  try {
    const response = await client.request(ALTER_PARTITION_REASSIGNMENTS, 0, {
      timeoutMs: 10000,
      topics: [{ name: "kept", partitions: [{ partitionIndex: 0, replicas }] }],
    });
    assert.equal(response.errorCode, ErrorCode.NONE);
    assert.equal(response.responses[0]?.partitions[0]?.errorCode, ErrorCode.NONE);
  } finally {
    client.close();
  }
}

async function createTopic(node: GrowingNode, name: string): Promise<number> {
  const client = await connectClient(node.process.port);
  try {
    return [...(await createTopics(client, [{ name }])).values()][0] ?? -1;
  } finally {
    client.close();
  }
}

async function topicNames(node: GrowingNode): Promise<string[]> {
  const client = await connectClient(node.process.port);
  try {
    const response = await client.request(METADATA, 12, {
      topics: null,
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    return response.topics.map((topic) => topic.name ?? "");
  } finally {
    client.close();
  }
}

Deno.test("a standalone node grows into a three-voter quorum with AddRaftVoter and survives kill -9 of the first (snapshots after every batch)", async () => {
  const first = growingNode(1, null, SNAPSHOT_OFTEN);
  const nodes = [
    first,
    growingNode(2, first.controllerPort, SNAPSHOT_OFTEN),
    growingNode(3, first.controllerPort, SNAPSHOT_OFTEN),
  ];
  try {
    await first.process.start();
    assert.equal(await createTopic(first, "before"), ErrorCode.NONE);
    assert.deepEqual(await voterIds(first), [1]);

    // The joining nodes find the leader through the bootstrap server and follow as observers.
    await Promise.all(nodes.slice(1).map((node) => node.process.start()));
    await waitFor(
      async () => {
        const { partition } = await describeQuorum(first);
        const observers = (partition?.observers ?? []).map((observer) => observer.replicaId).sort();
        return observers.join() === "2,3";
      },
      20000,
      "nodes 2 and 3 observing",
    );
    assert.deepEqual(await voterIds(first), [1]);

    await addVoter(first, nodes[1]!);
    // Through a broker that does not lead: it forwards AddRaftVoter to the active controller.
    await addVoter(nodes[1]!, nodes[2]!);
    const { partition, nodes: endpoints } = await describeQuorum(nodes[2]!);
    assert.deepEqual(partition?.currentVoters.map((voter) => voter.replicaId).sort(), [1, 2, 3]);
    const directoryIds = new Map(
      partition!.currentVoters.map((voter) => [voter.replicaId, voter.replicaDirectoryId]),
    );
    assert.deepEqual(directoryIds.get(2), directoryIdOf(nodes[1]!));
    assert.deepEqual(directoryIds.get(3), directoryIdOf(nodes[2]!));
    assert.deepEqual(
      endpoints.map((node) => [node.nodeId, node.listeners[0]?.port]).sort(),
      nodes.map((node) => [node.id, node.controllerPort]),
    );

    const checkpoints = (node: GrowingNode) =>
      [...Deno.readDirSync(`${node.process.logDir}/__cluster_metadata-0`)]
        .filter((entry) => entry.name.endsWith(".checkpoint")).length;
    assert.ok(nodes.every((node) => checkpoints(node) > 0), "every node holds metadata snapshots");

    // The first node dies: the two voters it added elect a leader and take metadata changes.
    await first.process.kill();
    await waitFor(
      async () => {
        const { partition } = await describeQuorum(nodes[1]!);
        return partition?.errorCode === ErrorCode.NONE && [2, 3].includes(partition.leaderId);
      },
      20000,
      "a leader among nodes 2 and 3",
    );
    let created = -1;
    await waitFor(
      async () => {
        created = await createTopic(nodes[1]!, "after");
        return created === ErrorCode.NONE || created === ErrorCode.TOPIC_ALREADY_EXISTS;
      },
      20000,
      `CreateTopics after the first node died (last error ${created})`,
    );
    await waitFor(
      async () => {
        const names = await topicNames(nodes[2]!);
        return names.includes("before") && names.includes("after");
      },
      10000,
      "both topics through node 3",
    );

    // Node 3 restarts from its snapshot and log: it still knows the three voters and rejoins the two.
    await nodes[2]!.process.stop();
    await nodes[2]!.process.start();
    await waitFor(
      async () => {
        const { partition } = await describeQuorum(nodes[2]!);
        return partition?.errorCode === ErrorCode.NONE && [2, 3].includes(partition.leaderId) &&
          partition.currentVoters.map((voter) => voter.replicaId).sort().join() === "1,2,3";
      },
      20000,
      "the quorum of three (one dead) after node 3 restarts",
    );
    assert.equal(await createTopic(nodes[2]!, "after-restart"), ErrorCode.NONE);
  } finally {
    for (const node of nodes) await node.process.dispose();
  }
});

Deno.test("the first node's partition moves to the others, RemoveRaftVoter takes it out of the quorum, nothing is lost", async () => {
  const first = growingNode(1, null);
  const nodes = [first, growingNode(2, first.controllerPort), growingNode(3, first.controllerPort)];
  try {
    await growToThree(nodes);
    assert.equal(await createTopic(nodes[2]!, "before"), ErrorCode.NONE);

    // A partition held by the first node alone, with data, moves onto the two others (KIP-455).
    const client = await connectClient(first.process.port);
    try {
      const created = await client.request(CREATE_TOPICS, 7, {
        topics: [{
          name: "kept",
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [{ partitionIndex: 0, brokerIds: [1] }],
          configs: [],
        }],
        timeoutMs: 10000,
        validateOnly: false,
      });
      assert.equal(created.topics[0]?.errorCode, ErrorCode.NONE);
      await waitFor(
        async () => (await partitionOf(first, "kept"))?.leader === 1,
        10000,
        "kept led by node 1",
      );
      const produced = await produceBatch(client, { topic: "kept", records: textRecords("kept", 50, 1000) });
      assert.equal(produced.errorCode, ErrorCode.NONE);
    } finally {
      client.close();
    }
    // The replication factor goes 1 -> 3 (the added nodes catch up), then the first node's replica goes.
    await reassignKept(nodes[1]!, [1, 2, 3]);
    await waitFor(
      async () => {
        const state = await partitionOf(nodes[2]!, "kept");
        return state !== null && state.replicas.join() === "1,2,3" && state.isr.join() === "1,2,3";
      },
      30000,
      "kept on all three nodes, all in sync",
    );
    await reassignKept(nodes[2]!, [2, 3]);
    await waitFor(
      async () => {
        const state = await partitionOf(nodes[2]!, "kept");
        return state !== null && state.replicas.join() === "2,3" && state.isr.join() === "2,3" &&
          [2, 3].includes(state.leader);
      },
      30000,
      "kept on nodes 2 and 3 only",
    );
    // Through another broker, which forwards it to the active controller (node 1, removing itself).
    assert.equal(await removeVoter(nodes[1]!, first), ErrorCode.NONE);
    await waitFor(
      async () => {
        const { partition } = await describeQuorum(nodes[1]!);
        return partition?.errorCode === ErrorCode.NONE && [2, 3].includes(partition.leaderId) &&
          partition.currentVoters.map((voter) => voter.replicaId).sort().join() === "2,3";
      },
      20000,
      "nodes 2 and 3 the only voters, one of them leading",
    );
    // A second removal of the same voter is refused as Kafka refuses it.
    assert.equal(await removeVoter(nodes[2]!, first), ErrorCode.VOTER_NOT_FOUND);
    await first.process.stop();
    let created = -1;
    await waitFor(
      async () => {
        created = await createTopic(nodes[2]!, "after");
        return created === ErrorCode.NONE || created === ErrorCode.TOPIC_ALREADY_EXISTS;
      },
      20000,
      `CreateTopics after the first node left (last error ${created})`,
    );
    await waitFor(
      async () => {
        const names = await topicNames(nodes[1]!);
        return names.includes("before") && names.includes("after");
      },
      10000,
      "both topics through node 2",
    );
    // Nothing of the moved partition was lost with the first node.
    const leader = (await partitionOf(nodes[1]!, "kept"))!.leader;
    const reader = await connectClient(nodes.find((node) => node.id === leader)!.process.port);
    try {
      const fetched = await fetchAll(reader, "kept");
      assert.equal(fetched.errorCode, ErrorCode.NONE);
      const decoder = new TextDecoder();
      const expected = textRecords("kept", 50, 1000).map((record) =>
        record.value === null ? null : decoder.decode(record.value)
      );
      assert.deepEqual(fetched.records.map((record) => record.value), expected);
    } finally {
      reader.close();
    }
  } finally {
    for (const node of nodes) await node.process.dispose();
  }
});

Deno.test("the embedded single node, restarted with a controller listener, grows into a three-voter quorum", async () => {
  // First as `dafka` starts without a properties file: one static voter, no controller listener.
  const embedded = new NodeProcess();
  const controllerPort = freePort();
  const joining: GrowingNode[] = [];
  let grown: NodeProcess | null = null;
  try {
    await embedded.start();
    const lone: GrowingNode = { id: 1, controllerPort, process: embedded };
    assert.equal(await createTopic(lone, "from-the-embedded-node"), ErrorCode.NONE);
    await embedded.stop();
    // Its generated cluster id is the cluster's; the restart adds the controller listener and
    // names it as the only bootstrap server, which makes the node the dynamic quorum's first voter.
    const clusterId = /^cluster\.id=(.+)$/m.exec(
      Deno.readTextFileSync(`${embedded.logDir}/meta.properties`),
    )![1]!;
    grown = new NodeProcess({
      port: embedded.port,
      logDir: embedded.logDir,
      overrides: {
        "cluster.id": clusterId,
        "listeners": `PLAINTEXT://127.0.0.1:${embedded.port},CONTROLLER://127.0.0.1:${controllerPort}`,
        "advertised.listeners": `PLAINTEXT://127.0.0.1:${embedded.port}`,
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "controller.quorum.bootstrap.servers": `127.0.0.1:${controllerPort}`,
      },
    });
    const first: GrowingNode = { id: 1, controllerPort, process: grown };
    await grown.start();
    for (const id of [2, 3]) {
      const node = growingNode(id, controllerPort);
      node.process.overrides["cluster.id"] = clusterId;
      joining.push(node);
    }
    await Promise.all(joining.map((node) => node.process.start()));
    await addVoter(first, joining[0]!);
    // Asked of the joining node itself, which forwards it to the active controller.
    await addVoter(joining[1]!, joining[1]!);
    await waitFor(async () => (await voterIds(joining[0]!)).join() === "1,2,3", 10000, "three voters");
    assert.ok((await topicNames(joining[1]!)).includes("from-the-embedded-node"));
  } finally {
    await embedded.kill();
    await grown?.kill();
    for (const node of joining) await node.process.dispose();
    Deno.removeSync(embedded.logDir, { recursive: true });
  }
});
