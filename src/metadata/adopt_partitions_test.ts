import assert from "node:assert/strict";
import { decideAdoption } from "./adopt_partitions.ts";
import { MetadataImage } from "./image.ts";
import { ConfigResourceType } from "./records.ts";

Deno.test("partition folders unknown to the metadata log become topics led by this node", () => {
  const image = new MetadataImage();
  const knownId = new Uint8Array(16).fill(9);
  const records = decideAdoption(
    image,
    [
      { topic: "orders", partition: 2, topicId: null, latestEpoch: 4 },
      { topic: "orders", partition: 0, topicId: knownId, latestEpoch: -1 },
      { topic: "__consumer_offsets", partition: 0, topicId: null, latestEpoch: 0 },
      { topic: "bad name", partition: 0, topicId: null, latestEpoch: 0 },
    ],
    7,
    () => new Uint8Array(16).fill(1),
  );
  for (const record of records) image.apply(record);
  const orders = image.topicsByName.get("orders")!;
  assert.deepEqual(orders.topicId, knownId, "the id in partition.metadata is kept");
  assert.equal(orders.partitions.length, 3, "a gap in the folders still gives every partition");
  assert.equal(orders.partitions[2]!.leaderEpoch, 5, "leadership moves here in a newer epoch");
  assert.deepEqual(orders.partitions[1]!.replicas, [7]);
  assert.equal(
    image.configsOf(ConfigResourceType.Topic, "__consumer_offsets").get("cleanup.policy"),
    "compact",
  );
  assert.equal(image.topicsByName.has("bad name"), false);
  assert.deepEqual(
    decideAdoption(
      image,
      [{ topic: "orders", partition: 5, topicId: null, latestEpoch: 0 }],
      7,
      () => knownId,
    ),
    [],
  );
});
