/**
 * Starting Dafka on a KRaft-mode log directory: the topics, partitions and
 * configs come from the metadata log's records and its newest snapshot
 * (`.checkpoint`), with control batches skipped. No Kafka broker can run
 * here, so the directory is written in KRaft's formats by this test (with
 * Dafka's encoders of Kafka's record schemas), not by Kafka itself.
 */
import { encodeLeaderChange, encodeSnapshotFooter, encodeSnapshotHeader } from "../src/raft/mod.ts";
import assert from "node:assert/strict";
import {
  buildBatch,
  ControlRecordType,
  encodeMetadataRecord,
  type MetadataRecordInput,
  MetadataRecordType,
  type MetadataRecordTypeId,
} from "../src/protocol/mod.ts";
import { ConfigResourceType } from "../src/metadata/mod.ts";
import { NodeProcess } from "./support/node_process.ts";
import { connectClient } from "./support/raw_kafka.ts";

const topicIds = {
  old: new Uint8Array(16).fill(11),
  snap: new Uint8Array(16).fill(12),
  log: new Uint8Array(16).fill(13),
};

function record<Type extends MetadataRecordTypeId>(
  type: Type,
  version: number,
  value: MetadataRecordInput<Type>,
) {
  return { timestamp: 1700000000000, key: null, value: encodeMetadataRecord(type, version, value) };
}

const feature = record(MetadataRecordType.FeatureLevel, 0, { name: "metadata.version", featureLevel: 21 });
const topic = (name: string, topicId: Uint8Array) => record(MetadataRecordType.Topic, 0, { name, topicId });
const partition = (topicId: Uint8Array, partitionId: number) =>
  record(MetadataRecordType.Partition, 1, {
    partitionId,
    topicId,
    replicas: [1],
    isr: [1],
    removingReplicas: [],
    addingReplicas: [],
    leader: 1,
    leaderEpoch: 3,
    partitionEpoch: 3,
    directories: [new Uint8Array(16)],
  });
const config = (resourceName: string, name: string, value: string) =>
  record(MetadataRecordType.Config, 0, { resourceType: ConfigResourceType.Topic, resourceName, name, value });

/** The value KRaft writes in a control record of `type`: LeaderChange (2), SnapshotHeader (3), SnapshotFooter (4). */
function controlValue(type: ControlRecordType): Uint8Array {
  if (type === ControlRecordType.LeaderChange) {
    return encodeLeaderChange({
      type: "leaderChange",
      version: 0,
      leaderId: 1,
      voters: [{ voterId: 1 }],
      grantingVoters: [{ voterId: 1 }],
    });
  }
  return type === ControlRecordType.SnapshotHeader
    ? encodeSnapshotHeader(1700000000000)
    : encodeSnapshotFooter();
}

/** A control batch as KRaft writes it (key: version 0, then the type). */
function controlBatch(baseOffset: number, type: ControlRecordType): Uint8Array {
  const key = Uint8Array.of(0, 0, 0, type);
  return buildBatch({
    baseOffset,
    isControl: true,
    partitionLeaderEpoch: 1,
    records: [{ timestamp: 1700000000000, key, value: controlValue(type) }],
  });
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function writeKraftDirectory(logDir: string): void {
  Deno.writeTextFileSync(
    `${logDir}/meta.properties`,
    "#\nnode.id=1\ndirectory.id=AAAAAAAAAAAAAAAAAAAAAQ\nversion=1\ncluster.id=kraftClusterIdAAAAAAAAA\n",
  );
  const metadata = `${logDir}/__cluster_metadata-0`;
  Deno.mkdirSync(metadata);
  const batch = (baseOffset: number, records: ReturnType<typeof record>[]) =>
    buildBatch({ baseOffset, partitionLeaderEpoch: 1, records });
  Deno.writeFileSync(
    `${metadata}/00000000000000000000.log`,
    concat([
      controlBatch(0, ControlRecordType.LeaderChange),
      batch(1, [feature, topic("old-topic", topicIds.old), partition(topicIds.old, 0)]),
      batch(4, [record(MetadataRecordType.NoOp, 0, {})]),
      batch(5, [
        topic("log-topic", topicIds.log),
        partition(topicIds.log, 0),
        config("snap-topic", "retention.ms", "1234"),
      ]),
    ]),
  );
  Deno.writeTextFileSync(`${metadata}/leader-epoch-checkpoint`, "0\n1\n1 0\n");
  // The snapshot holds the whole state as of offset 5, framed by header and footer control batches.
  Deno.writeFileSync(
    `${metadata}/00000000000000000005-0000000001.checkpoint`,
    concat([
      controlBatch(0, ControlRecordType.SnapshotHeader),
      batch(0, [
        feature,
        topic("old-topic", topicIds.old),
        partition(topicIds.old, 0),
        topic("snap-topic", topicIds.snap),
        partition(topicIds.snap, 0),
        partition(topicIds.snap, 1),
      ]),
      controlBatch(6, ControlRecordType.SnapshotFooter),
    ]),
  );
}

Deno.test("a KRaft-mode log directory's metadata log and snapshot give the topics and configs", async () => {
  const logDir = Deno.makeTempDirSync({ prefix: "dafka-kraft-logdir-" });
  writeKraftDirectory(logDir);
  const node = await new NodeProcess({ logDir }).start();
  const client = await connectClient(node.port);
  try {
    const metadata = await client.request(3, 12, { topics: null, allowAutoTopicCreation: false });
    assert.equal(metadata.clusterId, "kraftClusterIdAAAAAAAAA");
    const topics = Object.fromEntries(
      (metadata.topics as { name: string; topicId: Uint8Array; partitions: unknown[] }[]).map((
        entry,
      ) => [entry.name, { id: entry.topicId[0], partitions: entry.partitions.length }]),
    );
    assert.deepEqual(topics, {
      "old-topic": { id: 11, partitions: 1 },
      "snap-topic": { id: 12, partitions: 2 },
      "log-topic": { id: 13, partitions: 1 },
    });
    const configs = await client.request(32, 4, {
      resources: [{
        resourceType: ConfigResourceType.Topic,
        resourceName: "snap-topic",
        configurationKeys: ["retention.ms"],
      }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    assert.equal(configs.results[0]!.configs[0]!.value, "1234");
    const created = await client.request(19, 7, {
      topics: [{ name: "new-topic", numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    assert.equal(created.topics[0]!.errorCode, 0, "the adopted metadata log takes new records");
  } finally {
    client.close();
    await node.stop();
  }
  const restarted = await new NodeProcess({ logDir, port: node.port }).start();
  const again = await connectClient(restarted.port);
  try {
    const metadata = await again.request(3, 12, { topics: null, allowAutoTopicCreation: false });
    assert.equal((metadata.topics as unknown[]).length, 4, "the new topic survives a restart");
  } finally {
    again.close();
    await restarted.dispose();
  }
});
