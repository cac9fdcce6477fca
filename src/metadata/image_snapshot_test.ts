import assert from "node:assert/strict";
import fc from "fast-check";
import { metadataHistoryArbitrary } from "./_metadata_history_test_support.ts";
import { MetadataImage } from "./image.ts";
import { imageFromSnapshot, imageToRecords } from "./image_snapshot.ts";
import { decodeRecord, encodeRecord } from "./record_codec.ts";
import { ConfigResourceType, MetadataRecordType } from "./records.ts";

function replayed(records: Iterable<Parameters<MetadataImage["apply"]>[0]>): MetadataImage {
  const image = new MetadataImage();
  for (const record of records) image.apply(record);
  return image;
}

Deno.test("a snapshot rebuilds an equal image after any history", () => {
  fc.assert(
    fc.property(metadataHistoryArbitrary(), (history) => {
      const original = replayed(history);
      // Through the bytes, as a snapshot file would carry them.
      const snapshot = imageToRecords(original).map((record) => decodeRecord(encodeRecord(record)));
      const rebuilt = imageFromSnapshot(snapshot, original.recordsApplied);
      assert.deepStrictEqual(rebuilt, original);
    }),
    { numRuns: 200 },
  );
});

Deno.test("a snapshot of a snapshot is the same snapshot", () => {
  fc.assert(
    fc.property(metadataHistoryArbitrary(60), (history) => {
      const first = imageToRecords(replayed(history));
      assert.deepStrictEqual(imageToRecords(replayed(first)), first);
    }),
    { numRuns: 100 },
  );
});

Deno.test("a snapshot starts with metadata.version and keeps Kafka's order", () => {
  const image = replayed([
    { type: MetadataRecordType.Topic, name: "orders", topicId: Uint8Array.of(1, ...new Array(15).fill(0)) },
    { type: MetadataRecordType.FeatureLevel, name: "group.version", featureLevel: 1 },
    { type: MetadataRecordType.FeatureLevel, name: "metadata.version", featureLevel: 21 },
    { type: MetadataRecordType.ProducerIds, brokerId: 1, brokerEpoch: 5, nextProducerId: 2000 },
    {
      type: MetadataRecordType.Config,
      resourceType: ConfigResourceType.Topic,
      resourceName: "orders",
      name: "retention.ms",
      value: "1000",
    },
  ]);
  const types = imageToRecords(image).map((record) => record.type);
  assert.deepStrictEqual(types, [
    MetadataRecordType.FeatureLevel,
    MetadataRecordType.FeatureLevel,
    MetadataRecordType.Topic,
    MetadataRecordType.Config,
    MetadataRecordType.ProducerIds,
  ]);
  const first = imageToRecords(image)[0]!;
  assert.ok(first.type === MetadataRecordType.FeatureLevel && first.name === "metadata.version");
});

Deno.test("the rebuilt image counts from the snapshot's position, not its record count", () => {
  const image = replayed(new Array(10).fill({ type: MetadataRecordType.NoOp }));
  assert.equal(imageFromSnapshot(imageToRecords(image), image.recordsApplied).recordsApplied, 10);
});
