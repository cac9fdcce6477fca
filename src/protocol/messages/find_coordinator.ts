/**
 * FindCoordinator (key 10), versions 0-6.
 *
 * Request: v1 adds the key type (0 group, 1 transaction, 2 share group from
 * v6), v3 is flexible, v4 replaces the single key by a batch of keys
 * (KIP-699). v2, v5 and v6 change no fields (v5 may answer
 * TRANSACTION_ABORTABLE, v6 accepts share-group keys).
 *
 * Response: v1 adds the throttle time and an error message, v3 is flexible,
 * v4 replaces the single coordinator by one entry per requested key.
 */
import { type ApiSchema, arrayOf, field, structs } from "../schema.ts";

export const findCoordinator = {
  apiKey: 10,
  name: "FindCoordinator",
  versions: "0-6",
  flexible: "3+",
  request: [
    field("key", "string", "0-3"),
    field("keyType", "int8", "1+"),
    field("coordinatorKeys", arrayOf("string"), "4+"),
  ],
  response: [
    field("throttleTimeMs", "int32", "1+"),
    field("errorCode", "int16", "0-3"),
    field("errorMessage", "string", "1-3", { nullable: "1-3" }),
    field("nodeId", "int32", "0-3"),
    field("host", "string", "0-3"),
    field("port", "int32", "0-3"),
    field(
      "coordinators",
      structs([
        field("key", "string", "4+"),
        field("nodeId", "int32", "4+"),
        field("host", "string", "4+"),
        field("port", "int32", "4+"),
        field("errorCode", "int16", "4+"),
        field("errorMessage", "string", "4+", { nullable: "4+" }),
      ]),
      "4+",
    ),
  ],
} as const satisfies ApiSchema;
