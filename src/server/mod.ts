/**
 * A Dafka node: `startNode` on a World, and the Kafka client nodes use to reach each other.
 *
 * This file is the folder's public face: other folders import from it, not from its files.
 */
export { KafkaClient, type KafkaClientOptions } from "./kafka_client.ts";
export { type RunningNode, startNode } from "./node.ts";
/** A replica of a partition on this node (the simulator reads its log and plants bugs in its methods). */
export { Partition } from "./partition.ts";
