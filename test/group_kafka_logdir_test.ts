/**
 * Groups and offsets written by Kafka 2.7.1 (test/fixtures/kafka-2.7.1-logdir)
 * are loaded from `__consumer_offsets` and served. In the fixture as Kafka
 * left it every group has been deleted (its last records are tombstones), so
 * the node must serve none of them; with the tombstones cut off, the groups
 * and the committed offset before them are served, as Kafka would have.
 */
import assert from "node:assert/strict";
import type { ResponseOf } from "../src/protocol/mod.ts";
import type { listGroups as listGroupsApi } from "../src/protocol/messages/mod.ts";
import { NodeProcess } from "./support/node_process.ts";
import { connectClient } from "./support/raw_kafka.ts";

const FIXTURE = new URL("./fixtures/kafka-2.7.1-logdir/kafka-logs", import.meta.url).pathname;

function copyTree(from: string, to: string): void {
  Deno.mkdirSync(to, { recursive: true });
  for (const entry of Deno.readDirSync(from)) {
    if (entry.isDirectory) copyTree(`${from}/${entry.name}`, `${to}/${entry.name}`);
    else Deno.copyFileSync(`${from}/${entry.name}`, `${to}/${entry.name}`);
  }
}

/** A copy of the fixture; `cut` lists files to leave out (relative paths). */
function fixtureCopy(cut: string[] = []): string {
  const target = Deno.makeTempDirSync({ prefix: "dafka-group-fixture-" });
  copyTree(FIXTURE, target);
  for (const path of cut) Deno.removeSync(`${target}/${path}`);
  return target;
}

async function withNode(logDir: string, body: (port: number) => Promise<void>): Promise<void> {
  // Kafka 2.7.1 wrote the directory as broker 0.
  const node = await new NodeProcess({ logDir, overrides: { "node.id": "0" } }).start();
  try {
    await body(node.port);
  } finally {
    await node.dispose();
  }
}

async function listGroups(port: number): Promise<ResponseOf<typeof listGroupsApi>["groups"]> {
  const client = await connectClient(port);
  try {
    const response = await client.request(16, 4, { statesFilter: [] });
    assert.equal(response.errorCode, 0);
    return response.groups;
  } finally {
    client.close();
  }
}

Deno.test("Kafka's __consumer_offsets partitions are adopted with their 50 partitions and their deletions replayed", async () => {
  await withNode(fixtureCopy(), async (port) => {
    assert.deepEqual(await listGroups(port), [], "every group in the fixture ends with a tombstone");
    const client = await connectClient(port);
    try {
      const metadata = await client.request(3, 12, {
        topics: [{ name: "__consumer_offsets", topicId: new Uint8Array(16) }],
        allowAutoTopicCreation: false,
      });
      assert.equal(metadata.topics[0]!.partitions.length, 50);
      const fetched = await client.request(9, 7, {
        groupId: "console-consumer-65070",
        topics: [{ name: "test_topic_0603", partitionIndexes: [0] }],
        requireStable: true,
      });
      assert.equal(fetched.topics[0]!.partitions[0]!.committedOffset, -1);
    } finally {
      client.close();
    }
  });
});

Deno.test("a group and its committed offset from Kafka 2.7.1 are served, and survive a Dafka restart", async () => {
  // Without its last segments, partition 39 ends with the group Empty at generation 6 and offset 9
  // committed, and partition 17 with a Stable group of one member.
  const logDir = fixtureCopy([
    "__consumer_offsets-39/00000000000000000018.log",
    "__consumer_offsets-39/00000000000000000018.snapshot",
    "__consumer_offsets-17/00000000000000000001.log",
    "__consumer_offsets-17/00000000000000000001.snapshot",
  ]);
  const check = async (port: number) => {
    const groups = await listGroups(port);
    const byId = new Map(groups.map((group) => [group.groupId, group]));
    assert.equal(byId.get("console-consumer-65070")?.groupState, "Empty");
    assert.equal(byId.get("console-consumer-65070")?.protocolType, "consumer");
    const client = await connectClient(port);
    try {
      const fetched = await client.request(9, 8, {
        groups: [{ groupId: "console-consumer-65070", topics: null }],
        requireStable: false,
      });
      const group = fetched.groups[0]!;
      assert.deepEqual(group.topics, [{
        name: "test_topic_0603",
        partitions: [{
          partitionIndex: 0,
          committedOffset: 9,
          committedLeaderEpoch: -1,
          metadata: "",
          errorCode: 0,
        }],
      }]);
      const described = await client.request(15, 5, {
        groups: ["console-consumer-65070", "console-consumer-55231"],
      });
      const [empty, stable] = described.groups;
      assert.ok(empty && stable, "both groups are described");
      assert.equal(empty.groupState, "Empty");
      // Loaded members get a full session (10 s here) from the load before they expire.
      assert.equal(stable.groupState, "Stable");
      const member = stable.members[0]!;
      assert.equal(member.clientId, "consumer-console-consumer-55231-1");
      assert.equal(member.clientHost, "/127.0.0.1");
      assert.equal(stable.protocolData, "range");
    } finally {
      client.close();
    }
  };
  const node = await new NodeProcess({ logDir, overrides: { "node.id": "0" } }).start();
  try {
    await check(node.port);
    await node.stop();
    await node.start();
    await check(node.port);
  } finally {
    await node.dispose();
  }
});
