import assert from "node:assert/strict";
import { ErrorCode, uuidFromString, uuidToString } from "../protocol/mod.ts";
import {
  decideCreatePartitions,
  decideCreateTopic,
  isRefusal,
  type NewTopic,
  type PlacementContext,
} from "./controller.ts";
import { decideAlter, decideIncrementalAlter } from "./config_changes.ts";
import { MetadataImage } from "./image.ts";
import { ConfigResourceType } from "./records.ts";

let nextId = 1;
const context: PlacementContext = {
  defaultPartitions: 3,
  defaultReplicationFactor: 1,
  brokerIds: [1],
  newTopicId: () => new Uint8Array(16).fill(nextId++),
};

function topic(name: string, extra: Partial<NewTopic> = {}): NewTopic {
  return { name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [], ...extra };
}

function created(image: MetadataImage, spec: NewTopic): void {
  const decision = decideCreateTopic(image, spec, context);
  assert.ok(!isRefusal(decision), JSON.stringify(decision));
  for (const record of decision.records) image.apply(record);
}

Deno.test("creating a topic writes its topic, config and partition records", () => {
  const image = new MetadataImage();
  created(image, topic("orders", { configs: [{ name: "retention.ms", value: "1000" }] }));
  const orders = image.topicsByName.get("orders")!;
  assert.equal(orders.partitions.length, 3);
  assert.deepEqual(orders.partitions[2]!.replicas, [1]);
  assert.equal(image.configsOf(ConfigResourceType.Topic, "orders").get("retention.ms"), "1000");
});

Deno.test("topic creation refusals carry Kafka's error codes", async (t) => {
  const image = new MetadataImage();
  created(image, topic("a.b"));
  const cases: [NewTopic, number][] = [
    [topic("a.b"), ErrorCode.TOPIC_ALREADY_EXISTS],
    [topic("a_b"), ErrorCode.INVALID_TOPIC_EXCEPTION],
    [topic("bad name"), ErrorCode.INVALID_TOPIC_EXCEPTION],
    [topic("x".repeat(250)), ErrorCode.INVALID_TOPIC_EXCEPTION],
    [topic(".."), ErrorCode.INVALID_TOPIC_EXCEPTION],
    [topic("p", { numPartitions: 0 }), ErrorCode.INVALID_PARTITIONS],
    [topic("r", { replicationFactor: 3 }), ErrorCode.INVALID_REPLICATION_FACTOR],
    [topic("c", { configs: [{ name: "no.such", value: "1" }] }), ErrorCode.INVALID_CONFIG],
    [topic("v", { configs: [{ name: "retention.ms", value: "soon" }] }), ErrorCode.INVALID_CONFIG],
    [
      topic("m", { assignments: [{ partitionIndex: 0, brokerIds: [9] }] }),
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    ],
    [
      topic("n", { numPartitions: 2, assignments: [{ partitionIndex: 0, brokerIds: [1] }] }),
      ErrorCode.INVALID_REQUEST,
    ],
  ];
  for (const [spec, code] of cases) {
    await t.step(`${spec.name.slice(0, 10)} -> ${code}`, () => {
      const decision = decideCreateTopic(image, spec, context);
      assert.ok(isRefusal(decision));
      assert.equal(decision.errorCode, code);
    });
  }
});

Deno.test("partitions can only grow", () => {
  const image = new MetadataImage();
  created(image, topic("grow"));
  const grow = image.topicsByName.get("grow")!;
  const shrink = decideCreatePartitions(grow, 2, null, context);
  assert.ok(isRefusal(shrink) && shrink.errorCode === ErrorCode.INVALID_PARTITIONS);
  const more = decideCreatePartitions(grow, 5, null, context);
  assert.ok(!isRefusal(more));
  for (const record of more.records) image.apply(record);
  assert.equal(image.topicsByName.get("grow")!.partitions.length, 5);
});

Deno.test("incremental config changes set, delete, append and subtract", () => {
  const image = new MetadataImage();
  created(image, topic("cfg"));
  const apply = (changes: { name: string; operation: number; value: string | null }[]) => {
    const decision = decideIncrementalAlter(image, {
      resourceType: ConfigResourceType.Topic,
      resourceName: "cfg",
      changes,
    });
    assert.ok(!isRefusal(decision), JSON.stringify(decision));
    for (const record of decision.records) image.apply(record);
  };
  apply([{ name: "cleanup.policy", operation: 0, value: "delete" }, {
    name: "retention.ms",
    operation: 0,
    value: "5",
  }]);
  apply([{ name: "cleanup.policy", operation: 2, value: "compact" }]);
  assert.equal(image.configsOf(ConfigResourceType.Topic, "cfg").get("cleanup.policy"), "delete,compact");
  apply([{ name: "cleanup.policy", operation: 3, value: "delete" }, {
    name: "retention.ms",
    operation: 1,
    value: null,
  }]);
  assert.deepEqual([...image.configsOf(ConfigResourceType.Topic, "cfg")], [["cleanup.policy", "compact"]]);
  const legacy = decideAlter(image, {
    resourceType: ConfigResourceType.Topic,
    resourceName: "cfg",
    configs: [{ name: "segment.ms", value: "100" }],
  });
  assert.ok(!isRefusal(legacy));
  for (const record of legacy.records) image.apply(record);
  assert.deepEqual([...image.configsOf(ConfigResourceType.Topic, "cfg")], [["segment.ms", "100"]]);
  const staticKey = decideIncrementalAlter(image, {
    resourceType: ConfigResourceType.Broker,
    resourceName: "",
    changes: [{ name: "log.dirs", operation: 0, value: "/x" }],
  });
  assert.ok(isRefusal(staticKey) && staticKey.errorCode === ErrorCode.INVALID_REQUEST);
});

Deno.test("uuids print as Kafka prints them and parse back", () => {
  const bytes = Uint8Array.from({ length: 16 }, (_, index) => index * 17);
  const text = uuidToString(bytes);
  assert.equal(text.length, 22);
  assert.deepEqual(uuidFromString(text), bytes);
});

Deno.test("partitions are spread over the brokers with one replica, and higher factors are refused", () => {
  const cluster: PlacementContext = { ...context, brokerIds: [1, 2, 3] };
  const image = new MetadataImage();
  const decision = decideCreateTopic(image, topic("spread", { numPartitions: 6 }), cluster);
  assert.ok(!isRefusal(decision));
  for (const record of decision.records) image.apply(record);
  const replicas = image.topicsByName.get("spread")!.partitions.map((partition) => partition.replicas);
  assert.deepEqual(replicas, [[1], [2], [3], [1], [2], [3]]);
  for (
    const refused of [
      topic("rf2", { replicationFactor: 2 }),
      topic("pairs", { assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }] }),
    ]
  ) {
    const refusal = decideCreateTopic(image, refused, cluster);
    assert.ok(isRefusal(refusal));
    assert.equal(refusal.errorCode, ErrorCode.INVALID_REPLICATION_FACTOR);
    assert.match(refusal.errorMessage ?? "", /does not replicate/);
  }
});
