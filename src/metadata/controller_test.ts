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
import { clusterImage } from "./_broker_test_support.ts";

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

function created(image: MetadataImage, spec: NewTopic, placement: PlacementContext = context): void {
  const decision = decideCreateTopic(image, spec, placement);
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
  const shrink = decideCreatePartitions(image, grow, 2, null, context);
  assert.ok(isRefusal(shrink) && shrink.errorCode === ErrorCode.INVALID_PARTITIONS);
  const more = decideCreatePartitions(image, grow, 5, null, context);
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

Deno.test("partitions are spread over the brokers, one leader each in turn", () => {
  const cluster: PlacementContext = { ...context, brokerIds: [1, 2, 3] };
  const image = new MetadataImage();
  const decision = decideCreateTopic(image, topic("spread", { numPartitions: 6 }), cluster);
  assert.ok(!isRefusal(decision));
  for (const record of decision.records) image.apply(record);
  const replicas = image.topicsByName.get("spread")!.partitions.map((partition) => partition.replicas);
  assert.deepEqual(replicas, [[1], [2], [3], [1], [2], [3]]);
});

Deno.test("a replication factor up to the unfenced brokers places that many replicas, all in sync, leader first", () => {
  const image = clusterImage([{ id: 1 }, { id: 2 }, { id: 3 }]);
  const cluster: PlacementContext = { ...context, brokerIds: [1, 2, 3] };
  created(image, topic("rf3", { numPartitions: 3, replicationFactor: 3 }), cluster);
  const partitions = image.topicsByName.get("rf3")!.partitions;
  assert.deepEqual(partitions.map((partition) => partition.replicas), [[1, 2, 3], [2, 3, 1], [3, 1, 2]]);
  assert.deepEqual(partitions.map((partition) => partition.leader), [1, 2, 3]);
  assert.deepEqual(
    partitions.map((partition) => partition.isr),
    partitions.map((partition) => partition.replicas),
  );
  const more = decideCreatePartitions(image, image.topicsByName.get("rf3")!, 5, null, cluster);
  assert.ok(!isRefusal(more));
  for (const record of more.records) image.apply(record);
  assert.deepEqual(
    image.topicsByName.get("rf3")!.partitions[3]!.replicas.length,
    3,
    "new partitions keep the factor",
  );
});

Deno.test("a replication factor above the unfenced brokers is Kafka's INVALID_REPLICATION_FACTOR", () => {
  const image = clusterImage([{ id: 1 }, { id: 2 }, { id: 3, fenced: true }]);
  const cluster: PlacementContext = { ...context, brokerIds: [1, 2] };
  const refusal = decideCreateTopic(image, topic("rf3", { replicationFactor: 3 }), cluster);
  assert.ok(isRefusal(refusal));
  assert.equal(refusal.errorCode, ErrorCode.INVALID_REPLICATION_FACTOR);
  assert.equal(
    refusal.errorMessage,
    "Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached " +
      "because only 2 broker(s) are registered.",
  );
  const none = decideCreateTopic(image, topic("none"), { ...context, brokerIds: [] });
  assert.ok(isRefusal(none) && none.errorCode === ErrorCode.INVALID_REPLICATION_FACTOR);
  assert.match(none.errorMessage, /All brokers are currently fenced or in controlled shutdown/);
});

Deno.test("explicit assignments may name any registered broker; the ISR is the active ones", () => {
  const image = clusterImage([{ id: 1, fenced: true }, { id: 2 }, { id: 3 }]);
  created(
    image,
    topic("manual", {
      assignments: [{ partitionIndex: 0, brokerIds: [1, 2, 3] }, { partitionIndex: 1, brokerIds: [3, 1, 2] }],
    }),
    { ...context, brokerIds: [2, 3] },
  );
  const partitions = image.topicsByName.get("manual")!.partitions;
  assert.deepEqual(partitions.map((partition) => [partition.replicas, partition.isr, partition.leader]), [
    [[1, 2, 3], [2, 3], 2],
    [[3, 1, 2], [3, 2], 3],
  ]);
  const cases: [NewTopic, RegExp][] = [
    [
      topic("unknown", { assignments: [{ partitionIndex: 0, brokerIds: [2, 9] }] }),
      /broker 9, but no such broker/,
    ],
    [
      topic("uneven", {
        assignments: [{ partitionIndex: 0, brokerIds: [2, 3] }, { partitionIndex: 1, brokerIds: [2] }],
      }),
      /includes a partition with 1 replica\(s\), but .* previous partitions, which have 2 replica\(s\)/,
    ],
    [
      topic("fenced", { assignments: [{ partitionIndex: 0, brokerIds: [1] }] }),
      /are fenced or in controlled shutdown/,
    ],
  ];
  for (const [spec, message] of cases) {
    const refusal = decideCreateTopic(image, spec, { ...context, brokerIds: [2, 3] });
    assert.ok(isRefusal(refusal), spec.name);
    assert.equal(refusal.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    assert.match(refusal.errorMessage, message);
  }
  const wrongSize = decideCreatePartitions(image, image.topicsByName.get("manual")!, 3, [[2]], context);
  assert.ok(isRefusal(wrongSize) && wrongSize.errorCode === ErrorCode.INVALID_REPLICA_ASSIGNMENT);
});
