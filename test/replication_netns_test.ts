/**
 * A network partition, not a crash: three nodes, each in a network
 * namespace of its own joined by veth pairs to a bridge, listening and
 * forming the controller quorum on the namespaces' addresses. While an
 * idempotent acks=all librdkafka producer runs, the leader of partition 0
 * loses its only link (the process keeps running, its connections just go
 * silent). The other two must elect new leaders and the producer must finish
 * with every value acknowledged once; then the link comes back, the node
 * re-joins the ISR, and a group consumer reads every acknowledged value
 * exactly once, at the offset its acknowledgement named.
 *
 * Needs root (or CAP_NET_ADMIN) for `ip netns`; without it the test is
 * ignored and says why.
 */
import assert from "node:assert/strict";
import { CLUSTER_ID, type ClusterNode, disposeAll, startAll } from "./support/cluster.ts";
import { NamespaceNet, probeNamespaces } from "./support/netns.ts";
import { NodeProcess } from "./support/node_process.ts";
import { runPythonClient } from "./support/python_client.ts";
import {
  createReplicatedTopic,
  type Delivered,
  partitionState,
  startStreamingClient,
  waitForIsr,
  waitForNewLeader,
} from "./support/replicated.ts";

const COUNT = 6000;
const PARTITIONS = 2;
const TOPIC = "netns-partition";
// Each node has its namespace's port space to itself.
const CLIENT_PORT = 9092;
const CONTROLLER_PORT = 9093;

const probe = await probeNamespaces();
if (!probe.available) {
  console.warn(
    `replication_netns_test is ignored: this machine does not allow network namespaces (${probe.reason})`,
  );
}

/** Node i+1 in namespace i, its listeners and the quorum on the namespaces' addresses. */
function namespacedNodes(net: NamespaceNet): ClusterNode[] {
  const voters = net.namespaces.map((namespace, index) =>
    `${index + 1}@${namespace.address}:${CONTROLLER_PORT}`
  )
    .join(",");
  return net.namespaces.map((namespace, index) => ({
    id: index + 1,
    controllerPort: CONTROLLER_PORT,
    process: new NodeProcess({
      host: namespace.address,
      port: CLIENT_PORT,
      commandPrefix: net.execPrefix(index),
      overrides: {
        "node.id": String(index + 1),
        "cluster.id": CLUSTER_ID,
        "process.roles": "broker,controller",
        "listeners":
          `PLAINTEXT://${namespace.address}:${CLIENT_PORT},CONTROLLER://${namespace.address}:${CONTROLLER_PORT}`,
        "advertised.listeners": `PLAINTEXT://${namespace.address}:${CLIENT_PORT}`,
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "controller.quorum.voters": voters,
        "broker.session.timeout.ms": "3000",
        "broker.heartbeat.interval.ms": "500",
        "offsets.topic.replication.factor": "3",
      },
    }),
  }));
}

/** The producer script (test/clients/replicated_workload.py) sending COUNT values to TOPIC. */
function startProducer(bootstrap: string) {
  return startStreamingClient("replicated_workload.py", {
    command: "produce",
    bootstrap,
    topic: TOPIC,
    count: COUNT,
    // A cut-off leader answers nothing, not even a reset: give up on its requests (and
    // retry them, same sequence numbers, at the new leader) well within the test's time.
    config: { "request.timeout.ms": 5000, "socket.timeout.ms": 5000 },
  });
}

Deno.test({
  name:
    "a partition's leader cut off the network: the others take over, records survive once each, it re-joins",
  ignore: !probe.available,
  async fn() {
    const net = await NamespaceNet.create(3);
    const nodes = namespacedNodes(net);
    let producer: ReturnType<typeof startProducer> | null = null;
    try {
      await startAll(nodes, 20000);
      const bootstrap = nodes.map((node) => node.process.bootstrap).join(",");
      await createReplicatedTopic(nodes[0]!, TOPIC, {
        partitions: PARTITIONS,
        configs: { "min.insync.replicas": "2" },
      });

      producer = startProducer(bootstrap);
      await producer.progress(COUNT / 3);
      const leaderId = (await partitionState(nodes[0]!, TOPIC, 0))!.leader;
      const victim = nodes.findIndex((node) => node.id === leaderId);
      const survivor = nodes.find((node) => node.id !== leaderId)!;
      await net.cut(victim);
      await waitForNewLeader(survivor, TOPIC, 0, leaderId, 20000);

      // All of it goes through the two nodes still connected: the cut node is still out.
      const produced = await producer.done;
      assert.deepEqual(produced.failed, []);
      assert.equal(produced.acked.length, COUNT);
      assert.equal(
        new Set(produced.acked.map((record) => record.value)).size,
        COUNT,
        "each value acked once",
      );
      assert.ok(nodes[victim]!.process.running, "the cut-off node kept running");

      await net.restore(victim);
      await waitForIsr(survivor, TOPIC, PARTITIONS, 3, 30000);

      const consumed = await runPythonClient<{ records: Delivered[] }>(
        "replicated_workload.py",
        {
          command: "consume",
          bootstrap,
          topic: TOPIC,
          group: `${TOPIC}-readers`,
          expect: COUNT,
          timeout_s: 60,
        },
        90000,
      );
      assert.equal(consumed.records.length, COUNT, "every record read once");
      const read = new Map(
        consumed.records.map((record) => [`${record.partition}:${record.offset}`, record.value]),
      );
      for (const record of produced.acked) {
        assert.equal(
          read.get(`${record.partition}:${record.offset}`),
          record.value,
          `the record at ${record.partition}:${record.offset}`,
        );
      }
    } finally {
      if (producer) {
        producer.kill();
        await producer.done.catch(() => {});
      }
      try {
        await disposeAll(nodes);
      } finally {
        await net.dispose();
      }
    }
  },
});
