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
  describeConfigsV4,
  IncrementalAlterConfigOperationTypes,
  metadataV12,
} from "@platformatic/kafka";
import kafkajs from "kafkajs";
import { type ClusterNode, clusterNodes, disposeAll, quorumLeader, startAll } from "./support/cluster.ts";
import { waitFor } from "./support/node_process.ts";
import { runPythonClient } from "./support/python_client.ts";

const { Kafka, ConfigResourceTypes: KafkajsResourceTypes, logLevel } = kafkajs;

/** DescribeConfigs ConfigSource codes. */
const DYNAMIC_BROKER_CONFIG = 2;
const DYNAMIC_DEFAULT_BROKER_CONFIG = 3;
const DEFAULT_CONFIG = 5;

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
      source: entry.configSource,
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
    const closers: (() => Promise<unknown>)[] = [];
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
      closers.push(() => admin.close());

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

      const kafka = new Kafka({
        clientId: "dafka-configs-kafkajs",
        brokers: bootstrapBrokers,
        logLevel: logLevel.NOTHING,
        retry: { retries: 3 },
      });
      const kafkajsAdmin = kafka.admin();
      await kafkajsAdmin.connect();
      closers.push(() => kafkajsAdmin.disconnect());

      await t.step("DescribeConfigs names synonyms after the broker keys, in Kafka's order", async () => {
        // Cluster-wide defaults (broker resource ""), under the per-broker value set above on others[0].
        // @platformatic/kafka sends resource "" to a broker 0 and librdkafka refuses it; kafka-python sends it.
        deepStrictEqual(
          await alterClusterDefaults(bootstrapBrokers[0]!, {
            "log.retention.bytes": "1000000",
            "background.threads": "12",
          }),
          [{ code: 0, message: null }],
        );
        await kafkajsAdmin.createTopics({
          topics: [{ topic: "syn-topic", configEntries: [{ name: "retention.ms", value: "3600000" }] }],
        });
        const describeTopic = async () => {
          const described = await kafkajsAdmin.describeConfigs({
            includeSynonyms: true,
            resources: [{ type: KafkajsResourceTypes.TOPIC, name: "syn-topic" }],
          });
          return new Map(described.resources[0]!.configEntries.map((entry) => [entry.configName, entry]));
        };
        // kafkajs sends a topic's DescribeConfigs to the broker Metadata names as controller, which in
        // KRaft is any live broker (Kafka names a random one, Dafka the answering one), and a broker
        // resolves a topic's keys against its own broker config: retention.bytes is checked per node below.
        let topic = await describeTopic();
        await waitFor(
          async () => {
            topic = await describeTopic();
            return topic.get("retention.bytes")?.configSynonyms.some((synonym) =>
              synonym.configValue === "1000000" && synonym.configSource === DYNAMIC_DEFAULT_BROKER_CONFIG
            ) ?? false;
          },
          10000,
          "the cluster default on the broker kafkajs asks",
        );
        const synonymsOf = (name: string) =>
          topic.get(name)!.configSynonyms.map((
            synonym,
          ) => [synonym.configName, synonym.configValue, synonym.configSource]);
        deepStrictEqual([topic.get("retention.ms")!.configValue, topic.get("retention.ms")!.configSource], [
          "3600000",
          1,
        ]);
        deepStrictEqual(synonymsOf("retention.ms"), [["retention.ms", "3600000", 1]]);
        // Each node's own value (set in the steps above) comes before the cluster default; the controller
        // has none, so the cluster default is its topic's value.
        const ownValues = new Map([[others[0]!.id, "123456789"], [others[1]!.id, "987654321"]]);
        for (const node of nodes) {
          const own = ownValues.get(node.id);
          deepStrictEqual(await topicRetentionBytesOn(node, "syn-topic"), {
            value: own ?? "1000000",
            source: own ? DYNAMIC_BROKER_CONFIG : DYNAMIC_DEFAULT_BROKER_CONFIG,
            synonyms: [
              ...(own ? [["log.retention.bytes", own, DYNAMIC_BROKER_CONFIG]] : []),
              ["log.retention.bytes", "1000000", DYNAMIC_DEFAULT_BROKER_CONFIG],
              ["log.retention.bytes", "-1", DEFAULT_CONFIG],
            ],
          }, `retention.bytes of syn-topic on node ${node.id}`);
        }
        deepStrictEqual(synonymsOf("segment.bytes"), [["log.segment.bytes", "1073741824", 5]]);
        deepStrictEqual(synonymsOf("max.message.bytes"), [["message.max.bytes", "1048588", 5]]);
        // log.roll.ms has no default and log.roll.hours is a different key: Kafka gives no synonym at all.
        deepStrictEqual([topic.get("segment.ms")!.configValue, synonymsOf("segment.ms")], ["604800000", []]);
        // Kafka 4 still lists the throttled-replica lists, which have no broker synonym.
        deepStrictEqual(synonymsOf("leader.replication.throttled.replicas"), []);
        ok(topic.has("follower.replication.throttled.replicas"));

        // A broker's own value first, then the cluster default, then Kafka's default (once the default
        // has reached that broker's image).
        const expected = [
          ["log.retention.bytes", "123456789", 2],
          ["log.retention.bytes", "1000000", 3],
          ["log.retention.bytes", "-1", 5],
        ];
        let synonyms: unknown[] = [];
        await waitFor(
          async () => {
            const described = await kafkajsAdmin.describeConfigs({
              includeSynonyms: true,
              resources: [{
                type: KafkajsResourceTypes.BROKER,
                name: String(others[0]!.id),
                configNames: ["log.retention.bytes"],
              }],
            });
            synonyms = described.resources[0]!.configEntries[0]!.configSynonyms.map((synonym) => [
              synonym.configName,
              synonym.configValue,
              synonym.configSource,
            ]);
            return JSON.stringify(synonyms) === JSON.stringify(expected);
          },
          10000,
          "the cluster default on the broker",
        ).catch(() => {});
        deepStrictEqual(synonyms, expected);
      });

      await t.step(
        "Kafka's broker keys that Dafka does not act on are validated, stored and described",
        async () => {
          const target = others[0]!;
          const set = (resourceName: string, name: string, value: string) =>
            admin.incrementalAlterConfigs({
              resources: [{
                resourceType: ConfigResourceTypes.BROKER,
                resourceName,
                configs: [{ name, configOperation: IncrementalAlterConfigOperationTypes.SET, value }],
              }],
            }).then(() => null, serverErrorOf);
          deepStrictEqual(
            await set(String(target.id), "sasl.kerberos.min.time.before.relogin", "120000"),
            null,
          );
          // background.threads was set cluster-wide above; a per-broker key cannot be.
          const [refused] = await alterClusterDefaults(bootstrapBrokers[1]!, {
            "log.retention.bytes": "1000000",
            "background.threads": "12",
            "sasl.kerberos.min.time.before.relogin": "1",
          });
          deepStrictEqual(refused, {
            code: 42,
            message: "Cannot update these configs at default cluster level, broker id must be specified: " +
              "Set(sasl.kerberos.min.time.before.relogin)",
          });
          ok(
            (await set(String(target.id), "log.dirs", "/elsewhere"))?.includes(
              "Cannot update these configs dynamically",
            ),
          );
          ok((await set(String(target.id), "background.threads", "many")) !== null, "values are validated");
          await waitForBrokerValue(admin, target, "background.threads", "12");
          await waitForBrokerValue(admin, target, "sasl.kerberos.min.time.before.relogin", "120000");
          const entries = await brokerEntries(admin, target.id, [
            "sasl.kerberos.min.time.before.relogin",
            "background.threads",
            "num.replica.alter.log.dirs.threads",
          ]);
          deepStrictEqual(entries.get("sasl.kerberos.min.time.before.relogin"), {
            value: "120000",
            source: DYNAMIC_BROKER_CONFIG,
            readOnly: false,
          });
          deepStrictEqual(entries.get("background.threads"), { value: "12", source: 3, readOnly: false });
          deepStrictEqual(entries.get("num.replica.alter.log.dirs.threads"), {
            value: null,
            source: 5,
            readOnly: true,
          });
        },
      );

      await t.step(
        "topic keys: message.format.version gets Kafka 4's answer, stored keys are described",
        async () => {
          const alter = (configEntries: { name: string; value: string }[]) =>
            kafkajsAdmin.alterConfigs({
              validateOnly: false,
              resources: [{ type: KafkajsResourceTypes.TOPIC, name: "syn-topic", configEntries }],
            }).then(() => null, (error: Error & { type?: string }) => `${error.type}: ${error.message}`);
          // kafkajs shows the code's text; kafka-python (sent to any broker) shows the server's message.
          deepStrictEqual(
            await alter([{ name: "retention.ms", value: "3600000" }, {
              name: "message.format.version",
              value: "2.8",
            }]),
            "INVALID_CONFIG: Configuration is invalid",
          );
          const python = await runPythonClient<{ results: { code: number; message: string | null }[] }>(
            "kafka_python_client.py",
            {
              command: "alter_configs",
              bootstrap: bootstrapBrokers[2]!,
              api_version: null,
              resources: [{ type: "TOPIC", name: "syn-topic", set: { "message.format.version": "2.8" } }],
            },
          );
          deepStrictEqual(python.results, [{
            code: 40,
            message: "Unknown topic config name: message.format.version",
          }]);
          ok((await alter([{ name: "compression.gzip.level", value: "42" }]))?.startsWith("INVALID_CONFIG"));
          deepStrictEqual(
            await alter([
              { name: "compression.gzip.level", value: "5" },
              { name: "leader.replication.throttled.replicas", value: "0:1,0:2" },
            ]),
            null,
          );
          await waitFor(
            async () => {
              const described = await kafkajsAdmin.describeConfigs({
                includeSynonyms: false,
                resources: [{ type: KafkajsResourceTypes.TOPIC, name: "syn-topic" }],
              });
              const values = new Map(
                described.resources[0]!.configEntries.map((entry) => [entry.configName, entry.configValue]),
              );
              // The legacy AlterConfigs replaced every override: retention.ms is back to its default.
              return values.get("compression.gzip.level") === "5" &&
                values.get("leader.replication.throttled.replicas") === "0:1,0:2" &&
                values.get("retention.ms") === "604800000";
            },
            10000,
            "the stored topic keys",
          );
        },
      );

      await t.step(
        "kafka-python's AlterConfigs for a broker, sent to whichever broker it picks",
        async () => {
          const target = others[0]!;
          const answer = await runPythonClient<{ results: { code: number; message: string | null }[] }>(
            "kafka_python_client.py",
            {
              command: "alter_configs",
              bootstrap: nodes.find((node) => node.id === controllerId)!.process.bootstrap,
              api_version: null,
              resources: [{
                type: "BROKER",
                name: String(target.id),
                set: { "log.retention.bytes": "55555" },
              }],
            },
          );
          deepStrictEqual(answer.results, [{ code: 0, message: null }]);
          await waitForBrokerValue(admin, target, "log.retention.bytes", "55555");
        },
      );

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
      for (const close of closers) await close().catch(() => {});
      await disposeAll(nodes);
    }
  },
});

/** The server's message in a @platformatic/kafka error, however deep it is nested. */
function serverErrorOf(error: { errors?: unknown[]; serverErrorMessage?: string; message?: string }): string {
  if (error.serverErrorMessage) return error.serverErrorMessage;
  for (const inner of error.errors ?? []) {
    const found = serverErrorOf(inner as typeof error);
    if (found) return found;
  }
  return error.message ?? "";
}

/**
 * Sets the cluster-wide dynamic defaults to `values` with kafka-python's legacy AlterConfigs (it replaces
 * them all), sent to whichever broker `bootstrap` leads kafka-python to.
 */
async function alterClusterDefaults(bootstrap: string, values: Record<string, string>) {
  const answer = await runPythonClient<{ results: { code: number; message: string | null }[] }>(
    "kafka_python_client.py",
    {
      command: "alter_configs",
      bootstrap,
      api_version: null,
      resources: [{ type: "BROKER", name: "", set: values }],
    },
  );
  return answer.results;
}

/**
 * `topic`'s retention.bytes as `node` itself describes it (a raw DescribeConfigs with synonyms sent to
 * that node), once the cluster default has reached that node's image.
 */
async function topicRetentionBytesOn(node: ClusterNode, topic: string) {
  const connection = new Connection("dafka-configs-test");
  try {
    await connection.connect("127.0.0.1", node.process.port);
    let described: { value: string | null | undefined; source: number; synonyms: unknown[][] } | null = null;
    await waitFor(
      async () => {
        const answer = await describeConfigsV4.api.async(
          connection,
          [{
            resourceType: ConfigResourceTypes.TOPIC,
            resourceName: topic,
            configurationKeys: ["retention.bytes"],
          }],
          true,
          false,
        ).catch(() => null);
        const entry = answer?.results[0]?.configs[0];
        described = entry
          ? {
            value: entry.value,
            source: entry.configSource,
            synonyms: entry.synonyms.map((synonym) => [synonym.name, synonym.value, synonym.source]),
          }
          : null;
        return entry?.synonyms.some((synonym) => synonym.value === "1000000") ?? false;
      },
      10000,
      `the cluster default on node ${node.id}`,
    ).catch(() => {});
    return described;
  } finally {
    await connection.close();
  }
}

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
