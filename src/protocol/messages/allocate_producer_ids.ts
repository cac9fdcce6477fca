/**
 * AllocateProducerIds (key 67), version 0, flexible. A broker asks the
 * active controller for a block of producer ids (KIP-730); the controller
 * writes a ProducerIdsRecord and answers with the block. Only controllers
 * serve it, so a broker's ApiVersions does not advertise it.
 *
 * Request: the asking broker's id and epoch (-1 when unknown). Response: the
 * first id of the block and how many ids it holds.
 */
import { type ApiSchema, field } from "../schema.ts";

export const allocateProducerIds = {
  apiKey: 67,
  name: "AllocateProducerIds",
  versions: "0",
  flexible: "0+",
  request: [
    field("brokerId", "int32", "0+"),
    field("brokerEpoch", "int64", "0+", { default: -1 }),
  ],
  response: [
    field("throttleTimeMs", "int32", "0+"),
    field("errorCode", "int16", "0+"),
    field("producerIdStart", "int64", "0+"),
    field("producerIdLen", "int32", "0+"),
  ],
} as const satisfies ApiSchema;
