/**
 * The registered brokers as clients see them: Metadata and DescribeCluster
 * list the unfenced brokers, each at its endpoint for the listener the
 * request came in on (as Kafka does, so that a client on one network is
 * never handed another network's address).
 */
import type { MetadataImage } from "./image.ts";

export interface BrokerEndpoint {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

/** The unfenced brokers' endpoints on `listenerName`, by node id. */
export function brokerEndpointsOf(image: MetadataImage, listenerName: string): BrokerEndpoint[] {
  const out: BrokerEndpoint[] = [];
  for (const broker of image.brokers.values()) {
    if (broker.fenced) continue;
    const endPoint = broker.endPoints.find((candidate) => candidate.name === listenerName) ??
      broker.endPoints[0];
    if (endPoint === undefined) continue;
    out.push({ nodeId: broker.brokerId, host: endPoint.host, port: endPoint.port, rack: broker.rack });
  }
  return out.sort((left, right) => left.nodeId - right.nodeId);
}
