/**
 * Configuration APIs against a real three-node cluster, driven by real clients: a broker's own dynamic
 * configs changed through that broker while another node is the active controller (@platformatic/kafka's
 * IncrementalAlterConfigs, librdkafka's legacy AlterConfigs, both with validateOnly), DescribeConfigs
 * sources and synonyms (kafkajs), Kafka's broker and topic keys that Dafka stores without acting on them,
 * and the authorized operations Metadata and DescribeCluster report without an authorizer.
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import {
  Admin,
  ConfigResourceTypes,
  Connection,
  describeClusterV1,
  IncrementalAlterConfigOperationTypes,
  metadataV12,
} from "@platformatic/kafka";
import { type ClusterNode, clusterNodes, disposeAll, quorumLeader, startAll } from "./support/cluster.ts";
import { waitFor } from "./support/node_process.ts";
import { runPythonClient } from "./support/python_client.ts";

/** DescribeConfigs ConfigSource codes. */
const DYNAMIC_BROKER_CONFIG = 2;

interface DescribedEntry {
  value: string | null;
  source: number;
  readOnly: boolean;
}

/** One broker's entries for `keys`, as @platformatic/kafka's DescribeConfigs (sent to that broker) reports them. */
async function brokerEntries(
  admin: Admin,
  brokerId: number,
  keys: string[],
): Promise<Map<string, DescribedEntry>> {
  const described = await admin.describeConfigs({
    resources: [{
      resourceType: ConfigResourceTypes.BROKER,
      resourceName: String(brokerId),
      configurationKeys: keys,
    }],
  });
  return new Map(
    described[0]!.configs.map((entry) => [entry.name, {
      value: entry.value ?? null,
      source: entry.configSource as number,
      readOnly: entry.readOnly,
    }]),
  );
}

interface ConfluentAlterAnswer {
  results: ({ code: number; name: string; str: string } | null)[];
}

Deno.test({
  name: "real clients change and describe configs through any node of a three-node cluster",
  // The clients keep sockets and timers of their own until close settles.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const nodes = clusterNodes();
    const admins: Admin[] = [];
    try {
      await startAll(nodes);
      const controllerId = await quorumLeader(nodes[0]!);
      const others = nodes.filter((node) => node.id !== controllerId);
      ok(others.length === 2, `a controller leads (got ${controllerId})`);
      const bootstrapBrokers = nodes.map((node) => node.process.bootstrap);
      const admin = new Admin({
        clientId: "dafka-configs-test",
        bootstrapBrokers,
        retries: 2,
        timeout: 15000,
      });
      admins.push(admin);

      await t.step(
        "IncrementalAlterConfigs on a broker that is not the controller, validateOnly first",
        async () => {
          const target = others[0]!;
          const change = (validateOnly: boolean) =>
            admin.incrementalAlterConfigs({
              validateOnly,
              resources: [{
                resourceType: ConfigResourceTypes.BROKER,
                resourceName: String(target.id),
                configs: [{
                  name: "log.retention.bytes",
                  configOperation: IncrementalAlterConfigOperationTypes.SET,
                  value: "123456789",
                }],
              }],
            });
          await change(true);
          deepStrictEqual(
            (await brokerEntries(admin, target.id, ["log.retention.bytes"])).get("log.retention.bytes")
              ?.value,
            "-1",
          );
          await change(false);
          await waitForBrokerValue(admin, target, "log.retention.bytes", "123456789");
          const entry = (await brokerEntries(admin, target.id, ["log.retention.bytes"])).get(
            "log.retention.bytes",
          )!;
          deepStrictEqual(entry.source, DYNAMIC_BROKER_CONFIG);
          // Another broker keeps its own value.
          deepStrictEqual(
            (await brokerEntries(admin, others[1]!.id, ["log.retention.bytes"])).get("log.retention.bytes")
              ?.value,
            "-1",
          );
        },
      );

      await t.step("librdkafka's legacy AlterConfigs on a broker that is not the controller", async () => {
        const target = others[1]!;
        const alter = (validateOnly: boolean) =>
          runPythonClient<ConfluentAlterAnswer>("confluent_client.py", {
            command: "alter_configs",
            bootstrap: target.process.bootstrap,
            validate_only: validateOnly,
            resources: [{
              type: "BROKER",
              name: String(target.id),
              set: { "log.retention.bytes": "987654321" },
            }],
          });
        deepStrictEqual((await alter(true)).results, [null]);
        deepStrictEqual(
          (await brokerEntries(admin, target.id, ["log.retention.bytes"])).get("log.retention.bytes")?.value,
          "-1",
        );
        deepStrictEqual((await alter(false)).results, [null]);
        await waitForBrokerValue(admin, target, "log.retention.bytes", "987654321");
      });

      await t.step(
        "Metadata and DescribeCluster report every operation when asked, as Kafka without an authorizer",
        async () => {
          await admin.createTopics({ topics: ["ops-topic"], partitions: 1, replicas: 1 });
          const connection = new Connection("dafka-configs-test");
          try {
            const node = others[0]!;
            await connection.connect("127.0.0.1", node.process.port);
            // The topic reaches this node's image on its own time.
            let asked: metadataV12.MetadataResponse | null = null;
            await waitFor(
              async () => {
                asked = await metadataV12.api.async(connection, ["ops-topic"], false, true).catch(() => null);
                return asked !== null;
              },
              10000,
              "ops-topic on the node",
            );
            // READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS.
            deepStrictEqual(asked!.topics.map((topic) => [topic.name, topic.topicAuthorizedOperations]), [
              ["ops-topic", 3576],
            ]);
            // A topic that does not exist is answered with the same operations (the client reports the error).
            const missing = await metadataV12.api.async(connection, ["no-such-topic"], false, true).then(
              () => null,
              (error: { response?: metadataV12.MetadataResponse }) => error.response ?? null,
            );
            deepStrictEqual(
              missing?.topics.map((topic) => [topic.errorCode, topic.topicAuthorizedOperations]),
              [
                [3, 3576],
              ],
            );
            const notAsked = await metadataV12.api.async(connection, ["ops-topic"], false, false);
            deepStrictEqual(notAsked.topics[0]!.topicAuthorizedOperations, -2147483648);
            // CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE.
            deepStrictEqual(
              (await describeClusterV1.api.async(connection, true, 1)).clusterAuthorizedOperations,
              8096,
            );
            deepStrictEqual(
              (await describeClusterV1.api.async(connection, false, 1)).clusterAuthorizedOperations,
              -2147483648,
            );
          } finally {
            await connection.close();
          }
        },
      );
    } finally {
      for (const admin of admins) await admin.close().catch(() => {});
      await disposeAll(nodes);
    }
  },
});

/** Waits until `node` reports `value` for its broker key (the change reaches each node's image on its own time). */
async function waitForBrokerValue(
  admin: Admin,
  node: ClusterNode,
  key: string,
  value: string,
): Promise<void> {
  await waitFor(
    async () => (await brokerEntries(admin, node.id, [key])).get(key)?.value === value,
    10000,
    `${key}=${value} on broker ${node.id}`,
  );
}
