import assert from "node:assert/strict";
import { BrokerConfig } from "../../../config/mod.ts";
import { ErrorCode } from "../../../protocol/mod.ts";
import { TOPIC_OPERATIONS } from "../../../security/mod.ts";
import { fakeContext, fakeServices } from "../../_handler_test_support.ts";
import { describeTopicPartitionsHandler } from "./describe_topic_partitions.ts";
import { imageWith, metadataOver } from "./_image_test_support.ts";

const image = imageWith({
  alpha: [
    { replicas: [1, 2, 3], leader: 1, leaderEpoch: 4 },
    { replicas: [2, 3, 1], isr: [2, 1], leader: 2 },
    { replicas: [3, 1, 2], isr: [1, 2], leader: 3 },
  ],
  beta: [{ replicas: [1], leader: 1 }, { replicas: [2], leader: 2 }],
  gamma: [{ replicas: [1, 2], leader: 1 }],
}, { fenced: [3] });

function describe(
  request: { topics?: string[]; limit?: number; cursor?: { topicName: string; partitionIndex: number } },
  settings: [string, string][] = [],
) {
  const config = new BrokerConfig(new Map([["node.id", "1"], ["process.roles", "broker"], ...settings]));
  const services = fakeServices({ metadata: metadataOver(image), settings: { config } });
  return describeTopicPartitionsHandler.handle(fakeContext(75, 0, services), {
    topics: (request.topics ?? []).map((name) => ({ name })),
    responsePartitionLimit: request.limit ?? 2000,
    cursor: request.cursor ?? null,
  });
}

/** "topic:partition" of every partition answered. */
function listed(answer: Awaited<ReturnType<typeof describe>>): string[] {
  return answer!.topics.flatMap((topic) =>
    topic.partitions.map((partition) => `${topic.name}:${partition.partitionIndex}`)
  );
}

Deno.test("DescribeTopicPartitions: every topic in name order, with leader, ISR, empty ELR and offline replicas", async () => {
  const answer = await describe({});
  assert.deepEqual(listed(answer), ["alpha:0", "alpha:1", "alpha:2", "beta:0", "beta:1", "gamma:0"]);
  assert.equal(answer!.nextCursor, null);
  const alpha = answer!.topics[0]!;
  assert.equal(alpha.topicAuthorizedOperations, TOPIC_OPERATIONS);
  assert.equal(alpha.isInternal, false);
  assert.deepEqual(alpha.topicId, image.topicsByName.get("alpha")!.topicId);
  assert.deepEqual(alpha.partitions[0], {
    errorCode: ErrorCode.NONE,
    partitionIndex: 0,
    leaderId: 1,
    leaderEpoch: 4,
    replicaNodes: [1, 2, 3],
    isrNodes: [1, 2, 3],
    eligibleLeaderReplicas: [],
    lastKnownElr: [],
    offlineReplicas: [3],
  });
  // Broker 3 is fenced: the partition it leads has no leader to report, and no error either.
  assert.equal(alpha.partitions[2]!.leaderId, -1);
  assert.equal(alpha.partitions[2]!.errorCode, ErrorCode.NONE);
});

Deno.test("DescribeTopicPartitions pages: a cut topic resumes at its partition, a full stop at the next topic", async () => {
  const first = await describe({ limit: 2 });
  assert.deepEqual(listed(first), ["alpha:0", "alpha:1"]);
  assert.deepEqual(first!.nextCursor, { topicName: "alpha", partitionIndex: 2 });
  const second = await describe({ limit: 3, cursor: first!.nextCursor! });
  assert.deepEqual(listed(second), ["alpha:2", "beta:0", "beta:1"]);
  assert.deepEqual(second!.nextCursor, { topicName: "gamma", partitionIndex: 0 });
  const third = await describe({ limit: 3, cursor: second!.nextCursor! });
  assert.deepEqual(listed(third), ["gamma:0"]);
  assert.equal(third!.nextCursor, null);
});

Deno.test("DescribeTopicPartitions: the broker's max.request.partition.size.limit caps the client's limit", async () => {
  const answer = await describe({ limit: 100 }, [["max.request.partition.size.limit", "4"]]);
  assert.deepEqual(listed(answer), ["alpha:0", "alpha:1", "alpha:2", "beta:0"]);
  assert.deepEqual(answer!.nextCursor, { topicName: "beta", partitionIndex: 1 });
  assert.deepEqual(listed(await describe({ limit: 0 })), ["alpha:0"]);
});

Deno.test("DescribeTopicPartitions: named topics, unknown and invalid ones with their errors", async () => {
  const answer = await describe({ topics: ["gamma", "missing", "bad/name", "beta"] });
  assert.deepEqual(
    answer!.topics.map((topic) => [topic.name, topic.errorCode]),
    [
      ["bad/name", ErrorCode.INVALID_TOPIC_EXCEPTION],
      ["beta", ErrorCode.NONE],
      ["gamma", ErrorCode.NONE],
      ["missing", ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ],
  );
  // Topics before the cursor's are skipped.
  const resumed = await describe({
    topics: ["gamma", "beta"],
    cursor: { topicName: "beta", partitionIndex: 1 },
  });
  assert.deepEqual(listed(resumed), ["beta:1", "gamma:0"]);
});

Deno.test("DescribeTopicPartitions: a cursor outside the named topics, or at a negative partition, is INVALID_REQUEST", async () => {
  const outside = await describe({ topics: ["beta"], cursor: { topicName: "gamma", partitionIndex: 0 } });
  assert.deepEqual(outside!.topics.map((topic) => topic.errorCode), [ErrorCode.INVALID_REQUEST]);
  const negative = await describe({ cursor: { topicName: "beta", partitionIndex: -1 } });
  assert.deepEqual(negative!.topics, []);
  assert.equal(negative!.nextCursor, null);
});

Deno.test("DescribeTopicPartitions shows the eligible leader replicas and last known ELR of the image (KIP-966)", async () => {
  const partition = image.topicsByName.get("gamma")!.partitions[0]!;
  partition.eligibleLeaderReplicas = [2];
  partition.lastKnownElr = [1];
  try {
    const answer = await describe({ topics: ["gamma"] });
    assert.deepEqual(answer!.topics[0]!.partitions[0]!.eligibleLeaderReplicas, [2]);
    assert.deepEqual(answer!.topics[0]!.partitions[0]!.lastKnownElr, [1]);
  } finally {
    partition.eligibleLeaderReplicas = [];
    partition.lastKnownElr = [];
  }
});
