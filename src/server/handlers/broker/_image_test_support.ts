/**
 * A small applied image for broker handler tests: three brokers with
 * PLAINTEXT endpoints and racks, and topics placed as a test asks.
 */
import { brokerEndpointsOf, MetadataImage, MetadataRecordType } from "../../../metadata/mod.ts";
import type { MetadataView } from "../../handler.ts";

export interface TestPartition {
  replicas: number[];
  isr?: number[];
  leader: number;
  leaderEpoch?: number;
}

/** Brokers 1-3 on host `broker-N`, port 9090+N, rack `rack-N` (fenced ones as given). */
export function imageWith(
  topics: Record<string, TestPartition[]>,
  options: { fenced?: number[]; racks?: (string | null)[] } = {},
): MetadataImage {
  const image = new MetadataImage();
  for (const brokerId of [1, 2, 3]) {
    image.apply({
      type: MetadataRecordType.RegisterBroker,
      brokerId,
      brokerEpoch: 100 + brokerId,
      incarnationId: new Uint8Array(16).fill(brokerId),
      endPoints: [{
        name: "PLAINTEXT",
        host: `broker-${brokerId}`,
        port: 9090 + brokerId,
        securityProtocol: 0,
      }],
      rack: options.racks ? options.racks[brokerId - 1] ?? null : `rack-${brokerId}`,
      fenced: options.fenced?.includes(brokerId) ?? false,
    });
  }
  let idByte = 1;
  for (const [name, partitions] of Object.entries(topics)) {
    const topicId = new Uint8Array(16).fill(idByte++);
    image.apply({ type: MetadataRecordType.Topic, name, topicId });
    partitions.forEach((partition, partitionId) => {
      image.apply({
        type: MetadataRecordType.Partition,
        topicId,
        partitionId,
        replicas: partition.replicas,
        isr: partition.isr ?? partition.replicas,
        leader: partition.leader,
        leaderEpoch: partition.leaderEpoch ?? 0,
        partitionEpoch: 0,
      });
    });
  }
  return image;
}

/** The metadata part of fake services over `image`, as node `nodeId`. */
export function metadataOver(image: MetadataImage, nodeId = 1): Partial<MetadataView> {
  return {
    nodeId,
    clusterId: "test-cluster",
    image,
    brokerEndpoints: (listenerName: string) => brokerEndpointsOf(image, listenerName),
  };
}
