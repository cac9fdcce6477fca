/**
 * A real three-node Dafka cluster on 127.0.0.1 for tests: every node a
 * broker and a controller (KRaft combined mode) with its own client and
 * controller ports, the three controllers forming the metadata quorum.
 * Helpers ask any node's client listener for the quorum (DescribeQuorum)
 * and the metadata, and wait, with a bound, until all brokers are in.
 */
import type { ResponseOf } from "../../src/protocol/mod.ts";
import type { metadata } from "../../src/protocol/messages/mod.ts";
import { freePort, NodeProcess, waitFor } from "./node_process.ts";
import { connectClient } from "./raw_kafka.ts";

export const CLUSTER_ID = "q1Sh2dX0TvqZc3bYVnzVJA";
const DESCRIBE_QUORUM = 55;
const METADATA = 3;

export interface ClusterNode {
  id: number;
  process: NodeProcess;
  controllerPort: number;
}

/** Three nodes on free ports, not started yet. */
export function clusterNodes(): ClusterNode[] {
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
          // Three nodes hold Kafka's default of three copies (the embedded default says 1).
          "offsets.topic.replication.factor": "3",
        },
      }),
    };
  });
}

/**
 * Starts every node and waits until each one's metadata shows all of
 * them (a node opens its client listener once unfenced; its image shows
 * the others as they unfence too).
 */
export async function startAll(nodes: readonly ClusterNode[], timeoutMs = 10000): Promise<void> {
  await Promise.all(nodes.map((node) => node.process.start()));
  const all = nodes.map((node) => node.id).sort(byNumber).join();
  for (const node of nodes) {
    await waitFor(
      async () => (await brokerIds(node)).join() === all,
      timeoutMs,
      `every broker through node ${node.id}`,
    );
  }
}

/** Kills every node and deletes its folder. */
export async function disposeAll(nodes: readonly ClusterNode[]): Promise<void> {
  for (const node of nodes) await node.process.dispose();
}

/** The metadata partition as DescribeQuorum (v2) reports it through one node's client listener. */
export interface QuorumView {
  errorCode: number;
  leaderId: number;
  leaderEpoch: number;
  highWatermark: number;
  voterIds: number[];
}

export async function describeQuorum(node: ClusterNode): Promise<QuorumView> {
  const client = await connectClient(node.process.port, node.process.host);
  try {
    const response = await client.request(DESCRIBE_QUORUM, 2, {
      topics: [{ topicName: "__cluster_metadata", partitions: [{ partitionIndex: 0 }] }],
    });
    const partition = response.topics[0]?.partitions[0];
    return {
      errorCode: partition?.errorCode ?? response.errorCode,
      leaderId: partition?.leaderId ?? -1,
      leaderEpoch: partition?.leaderEpoch ?? -1,
      highWatermark: partition?.highWatermark ?? -1,
      voterIds: (partition?.currentVoters ?? []).map((voter) => voter.replicaId).sort(byNumber),
    };
  } finally {
    client.close();
  }
}

/** The quorum's leader as DescribeQuorum reports it through one node (-1 if none). */
export async function quorumLeader(node: ClusterNode): Promise<number> {
  const view = await describeQuorum(node);
  return view.errorCode === 0 ? view.leaderId : -1;
}

/** Metadata (v12) for all topics through one node. */
export async function metadataOf(node: ClusterNode): Promise<ResponseOf<typeof metadata>> {
  const client = await connectClient(node.process.port, node.process.host);
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

export async function topicNames(node: ClusterNode): Promise<string[]> {
  const response = await metadataOf(node);
  return response.topics.map((topic) => topic.name ?? "").sort();
}

/** The ids of the brokers one node's metadata lists, sorted. */
export async function brokerIds(node: ClusterNode): Promise<number[]> {
  const response = await metadataOf(node);
  return response.brokers.map((broker) => broker.nodeId).sort(byNumber);
}

function byNumber(left: number, right: number): number {
  return left - right;
}
