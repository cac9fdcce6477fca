/**
 * InitProducerId (key 22), versions 0-5.
 *
 * Request: v2 is flexible, v3 adds the current producer id and epoch so a
 * producer can resume after INVALID_PRODUCER_EPOCH (KIP-360). v1 changes
 * nothing; v4 may answer PRODUCER_FENCED, v5 TRANSACTION_ABORTABLE.
 *
 * Response: the same fields in every version; v2 is flexible.
 */
import { type ApiSchema, field } from "../schema.ts";

export const initProducerId = {
  apiKey: 22,
  name: "InitProducerId",
  versions: "0-5",
  flexible: "2+",
  request: [
    field("transactionalId", "string", "0+", { nullable: "0+" }),
    field("transactionTimeoutMs", "int32", "0+"),
    field("producerId", "int64", "3+", { default: -1 }),
    field("producerEpoch", "int16", "3+", { default: -1 }),
  ],
  response: [
    field("throttleTimeMs", "int32", "0+"),
    field("errorCode", "int16", "0+"),
    field("producerId", "int64", "0+", { default: -1 }),
    field("producerEpoch", "int16", "0+"),
  ],
} as const satisfies ApiSchema;
