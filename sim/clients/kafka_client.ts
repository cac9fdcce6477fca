/** The simulator's workloads speak the wire protocol with the node's own client. */
export { KafkaClient, type KafkaClientOptions } from "../../src/server/mod.ts";
