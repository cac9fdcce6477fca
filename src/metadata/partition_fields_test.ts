/**
 * The partition fields Kafka's records carry beyond replicas, ISR and leader:
 * the leader recovery state (KIP-704), a reassignment's removing and adding
 * replicas, and KIP-966's eligible leader replicas and last known ELR. They
 * survive the record codec (at the record version that holds them), replay
 * into the image, and the image's snapshot.
 */
import assert from "node:assert/strict";
import { MetadataImage } from "./image.ts";
import { imageToRecords } from "./image_snapshot.ts";
import { decodeRecord, encodeRecord, recordVersion } from "./record_codec.ts";
import { type MetadataRecord, MetadataRecordType } from "./records.ts";

const TOPIC_ID = Uint8Array.from({ length: 16 }, (_, index) => 100 + index);

function replayed(records: MetadataRecord[]): MetadataImage {
  const image = new MetadataImage();
  for (const record of records) image.apply(decodeRecord(encodeRecord(record)));
  return image;
}

const history: MetadataRecord[] = [
  { type: MetadataRecordType.Topic, name: "t", topicId: TOPIC_ID },
  {
    type: MetadataRecordType.Partition,
    topicId: TOPIC_ID,
    partitionId: 0,
    replicas: [1, 2, 3, 4],
    isr: [1, 2],
    leader: 1,
    leaderEpoch: 2,
    partitionEpoch: 3,
    removingReplicas: [4],
    addingReplicas: [3],
    leaderRecoveryState: 1,
  },
  {
    type: MetadataRecordType.PartitionChange,
    topicId: TOPIC_ID,
    partitionId: 0,
    isr: [1],
    leader: -2,
    replicas: null,
    eligibleLeaderReplicas: [2],
    lastKnownElr: [],
  },
];

Deno.test("partition records carry the recovery state, reassignment lists and ELR through replay", () => {
  const partition = replayed(history).topicsByName.get("t")!.partitions[0]!;
  assert.deepEqual(
    [
      partition.leaderRecoveryState,
      partition.removingReplicas,
      partition.addingReplicas,
      partition.eligibleLeaderReplicas,
      partition.lastKnownElr,
      partition.isr,
      partition.partitionEpoch,
    ],
    [1, [4], [3], [2], [], [1], 4],
  );
});

Deno.test("ELR fields are written at record version 2, everything else at version 0", () => {
  assert.deepEqual(history.map(recordVersion), [0, 0, 2]);
});

Deno.test("a snapshot of the image keeps the partition fields", () => {
  const image = replayed(history);
  const again = replayed(imageToRecords(image));
  assert.deepEqual(again.topicsByName.get("t")!.partitions, image.topicsByName.get("t")!.partitions);
});
