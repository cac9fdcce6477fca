/**
 * A single node in the simulator loses power and comes back with its
 * metadata intact: topics (same ids), topic and broker configs, and the
 * producer id blocks the controller handed out, so that an id is never
 * given twice across restarts. Once with the image rebuilt from the log
 * alone, once from a snapshot written after every change.
 */
import assert from "node:assert/strict";
import { KafkaClient } from "./kafka_client.ts";
import { SimCluster } from "../io/sim/mod.ts";
import { BrokerConfig } from "../config/mod.ts";
import { PRODUCER_ID_BLOCK_SIZE } from "../metadata/mod.ts";
import { ErrorCode, type RequestInputForKey, type ResponseForKey } from "../protocol/mod.ts";
import { parseSnapshotFileName } from "../raft/mod.ts";
import { type RunningNode, startNode } from "./node.ts";

const METADATA = 3;
const INIT_PRODUCER_ID = 22;
const CREATE_TOPICS = 19;
const DESCRIBE_CONFIGS = 32;
const INCREMENTAL_ALTER_CONFIGS = 44;
const TOPIC_RESOURCE = 2;
const BROKER_RESOURCE = 4;
const RESTARTS = 3;

function nodeConfig(snapshotEveryBytes: number): BrokerConfig {
  return new BrokerConfig(
    new Map([
      ["node.id", "1"],
      ["process.roles", "broker,controller"],
      ["listeners", "PLAINTEXT://node:9092"],
      ["log.dirs", "/data"],
      ["metadata.log.max.record.bytes.between.snapshots", String(snapshotEveryBytes)],
    ]),
  );
}

/** One node and a client in a SimCluster, restarted at will. */
class SingleNode {
  readonly cluster = new SimCluster({ seed: 17 });
  node: RunningNode | null = null;
  client: KafkaClient | null = null;

  constructor(private readonly snapshotEveryBytes: number) {}

  run<T>(work: Promise<T>): Promise<T> {
    return this.cluster.scheduler.runUntilSettled(work, { maxVirtualMs: 60_000 });
  }

  /** Starts the node (after a power loss when it runs) and connects a new client. */
  async boot(): Promise<void> {
    const host = this.cluster.host("node");
    const world = host.running ? this.cluster.restart("node", "power-loss") : this.cluster.start("node");
    this.node = await this.run(startNode(world, nodeConfig(this.snapshotEveryBytes)));
    const clientWorld = this.cluster.host("client").running
      ? this.cluster.restart("client")
      : this.cluster.start("client");
    this.client = await this.run(KafkaClient.connect(clientWorld.net, "node", 9092));
  }

  request<Key extends number>(
    apiKey: Key,
    version: number,
    body: RequestInputForKey<Key>,
  ): Promise<ResponseForKey<Key>> {
    return this.run(this.client!.request(apiKey, version, body));
  }

  async producerId(): Promise<number> {
    const answer = await this.request(INIT_PRODUCER_ID, 4, {
      transactionalId: null,
      transactionTimeoutMs: 60_000,
      producerId: -1,
      producerEpoch: -1,
    });
    assert.equal(answer.errorCode, ErrorCode.NONE);
    return Number(answer.producerId);
  }

  /** Topic name -> [topic id as hex, partition count]. */
  async topics(): Promise<Map<string, [string, number]>> {
    const answer = await this.request(METADATA, 12, {
      topics: null,
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    return new Map(
      answer.topics.map((topic) => [
        topic.name as string,
        [hex(topic.topicId), topic.partitions.length],
      ]),
    );
  }

  /** The configs set on a resource itself (not defaults). */
  async configs(resourceType: number, resourceName: string): Promise<Record<string, string>> {
    const answer = await this.request(DESCRIBE_CONFIGS, 4, {
      resources: [{ resourceType, resourceName, configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    const result = answer.results[0]!;
    assert.equal(result.errorCode, ErrorCode.NONE);
    // A topic's own settings are DYNAMIC_TOPIC_CONFIG (1); a broker's DYNAMIC_BROKER_CONFIG (2) or
    // DYNAMIC_DEFAULT_BROKER_CONFIG (3), which topics also show for the synonyms they inherit.
    const sources = resourceType === TOPIC_RESOURCE ? [1] : [2, 3];
    const set = result.configs.filter((entry) => sources.includes(entry.configSource as number));
    return Object.fromEntries(set.map((entry) => [entry.name as string, entry.value as string]));
  }

  async alterConfigs(
    resourceType: number,
    resourceName: string,
    configs: Record<string, string>,
  ): Promise<void> {
    const answer = await this.request(INCREMENTAL_ALTER_CONFIGS, 1, {
      resources: [{
        resourceType,
        resourceName,
        configs: Object.entries(configs).map(([name, value]) => ({ name, configOperation: 0, value })),
      }],
      validateOnly: false,
    });
    assert.equal(answer.responses[0]!.errorCode, ErrorCode.NONE);
  }
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

for (const [label, snapshotEveryBytes] of [["the log", 20 * 1024 * 1024], ["a snapshot", 1]] as const) {
  Deno.test(`a node restarted after power loss rebuilds its metadata from ${label}`, async () => {
    const harness = new SingleNode(snapshotEveryBytes);
    try {
      await harness.boot();
      const created = await harness.request(CREATE_TOPICS, 7, {
        topics: [
          { name: "orders", numPartitions: 3, replicationFactor: 1, assignments: [], configs: [] },
          {
            name: "audit",
            numPartitions: 1,
            replicationFactor: 1,
            assignments: [],
            configs: [{ name: "cleanup.policy", value: "compact" }],
          },
        ],
        timeoutMs: 5000,
        validateOnly: false,
      });
      assert.deepEqual(created.topics.map((topic) => topic.errorCode), [0, 0]);
      await harness.alterConfigs(TOPIC_RESOURCE, "orders", { "retention.ms": "3600000" });
      await harness.alterConfigs(BROKER_RESOURCE, "", { "message.max.bytes": "2000000" });
      const topics = await harness.topics();
      const ordersConfigs = await harness.configs(TOPIC_RESOURCE, "orders");
      const auditConfigs = await harness.configs(TOPIC_RESOURCE, "audit");
      const brokerConfigs = await harness.configs(BROKER_RESOURCE, "");
      assert.deepEqual(ordersConfigs, { "retention.ms": "3600000" });
      assert.deepEqual(auditConfigs, { "cleanup.policy": "compact" });
      assert.equal(brokerConfigs["message.max.bytes"], "2000000");

      const producerIds = [await harness.producerId(), await harness.producerId()];
      for (let restart = 0; restart < RESTARTS; restart++) {
        await harness.boot();
        assert.deepEqual(await harness.topics(), topics, `topics after restart ${restart + 1}`);
        assert.deepEqual(await harness.configs(TOPIC_RESOURCE, "orders"), ordersConfigs);
        assert.deepEqual(await harness.configs(TOPIC_RESOURCE, "audit"), auditConfigs);
        assert.deepEqual(await harness.configs(BROKER_RESOURCE, ""), brokerConfigs);
        producerIds.push(await harness.producerId(), await harness.producerId());
      }
      // Every incarnation reserves its own block: ids never repeat, and each restart starts a new block.
      assert.equal(new Set(producerIds).size, producerIds.length, `producer ids ${producerIds} repeat`);
      const blocks = producerIds.map((id) => Math.floor(id / PRODUCER_ID_BLOCK_SIZE));
      for (let index = 2; index < blocks.length; index += 2) {
        assert.ok(blocks[index]! > blocks[index - 1]!, `a restart reserves a later block: ${producerIds}`);
        assert.equal(blocks[index + 1], blocks[index]);
      }

      const metadataFiles = harness.node!.broker.world.disk.list("/data/__cluster_metadata-0");
      const snapshots = metadataFiles.filter((name) => parseSnapshotFileName(name) !== null);
      assert.equal(snapshots.length > 0, snapshotEveryBytes === 1, `snapshots: ${snapshots}`);
    } finally {
      if (harness.node) await harness.run(harness.node.close());
    }
  });
}
