/**
 * Images with brokers and partitions for the broker decision tests, and a
 * way to apply decided records the way the metadata log would: through
 * their byte encoding.
 */
import assert from "node:assert/strict";
import { MetadataImage, type PartitionImage } from "./image.ts";
import { decodeRecord, encodeRecord } from "./record_codec.ts";
import { type MetadataRecord, MetadataRecordType } from "./records.ts";

export const CLUSTER_ID = "dafka-test-cluster-id";
export const TOPIC_ID = Uint8Array.from({ length: 16 }, (_, index) => index + 1);

export interface BrokerSpec {
  id: number;
  fenced?: boolean;
  epoch?: number;
}

export interface PartitionSpec {
  replicas: number[];
  isr: number[];
  leader: number;
}

/** A distinct incarnation id per broker id and generation. */
export function incarnation(brokerId: number, generation = 0): Uint8Array {
  return Uint8Array.from({ length: 16 }, (_, index) => (brokerId * 31 + generation * 7 + index) & 0xff);
}

/** An image with the given brokers (unfenced unless said) and partitions of one topic "orders". */
export function clusterImage(brokers: BrokerSpec[], partitions: PartitionSpec[] = []): MetadataImage {
  const image = new MetadataImage();
  image.apply({ type: MetadataRecordType.FeatureLevel, name: "metadata.version", featureLevel: 21 });
  for (const broker of brokers) {
    image.apply({
      type: MetadataRecordType.RegisterBroker,
      brokerId: broker.id,
      brokerEpoch: broker.epoch ?? 100 + broker.id,
      incarnationId: incarnation(broker.id),
      endPoints: [{ name: "PLAINTEXT", host: `broker-${broker.id}`, port: 9092, securityProtocol: 0 }],
      rack: null,
      fenced: broker.fenced ?? false,
    });
  }
  if (partitions.length > 0) {
    image.apply({ type: MetadataRecordType.Topic, name: "orders", topicId: TOPIC_ID });
  }
  partitions.forEach((partition, partitionId) =>
    image.apply({
      type: MetadataRecordType.Partition,
      topicId: TOPIC_ID,
      partitionId,
      replicas: partition.replicas,
      isr: partition.isr,
      leader: partition.leader,
      leaderEpoch: 5,
      partitionEpoch: 10,
    })
  );
  return image;
}

/** Applies records as replay would: encoded, decoded, then applied. */
export function applyAll(image: MetadataImage, records: MetadataRecord[]): MetadataImage {
  for (const record of records) image.apply(decodeRecord(encodeRecord(record)));
  return image;
}

/** Partition `index` of "orders". */
export function partitionOf(image: MetadataImage, index: number): PartitionImage {
  const partition = image.topicsByName.get("orders")?.partitions[index];
  assert.ok(partition, `no partition ${index}`);
  return partition;
}

/** The leader, ISR and epochs of a partition, for compact assertions. */
export function stateOf(image: MetadataImage, index: number) {
  const partition = partitionOf(image, index);
  return {
    leader: partition.leader,
    isr: partition.isr,
    leaderEpoch: partition.leaderEpoch,
    partitionEpoch: partition.partitionEpoch,
  };
}
