/**
 * CreatePartitions (key 37), versions 0-3.
 *
 * v1 changes no fields (the response is sent before throttling), v2 is
 * flexible, v3 may answer THROTTLING_QUOTA_EXCEEDED (KIP-599).
 */
import { type ApiSchema, arrayOf, field, structs } from "../schema.ts";

export const createPartitions = {
  apiKey: 37,
  name: "CreatePartitions",
  versions: "0-3",
  flexible: "2+",
  request: [
    field(
      "topics",
      structs([
        field("name", "string", "0+"),
        field("count", "int32", "0+"),
        field(
          "assignments",
          structs([field("brokerIds", arrayOf("int32"), "0+")]),
          "0+",
          { nullable: "0+" },
        ),
      ]),
      "0+",
    ),
    field("timeoutMs", "int32", "0+"),
    field("validateOnly", "bool", "0+"),
  ],
  response: [
    field("throttleTimeMs", "int32", "0+"),
    field(
      "results",
      structs([
        field("name", "string", "0+"),
        field("errorCode", "int16", "0+"),
        field("errorMessage", "string", "0+", { nullable: "0+", default: null }),
      ]),
      "0+",
    ),
  ],
} as const satisfies ApiSchema;
