/**
 * DeleteRecords (key 21), versions 0-2: moves partitions' log start offsets
 * forward.
 *
 * v1 changes no fields (the response is sent before throttling), v2 is
 * flexible.
 */
import { type ApiSchema, field, structs } from "../schema.ts";

export const deleteRecords = {
  apiKey: 21,
  name: "DeleteRecords",
  versions: "0-2",
  flexible: "2+",
  request: [
    field(
      "topics",
      structs([
        field("name", "string", "0+"),
        field(
          "partitions",
          structs([
            field("partitionIndex", "int32", "0+"),
            field("offset", "int64", "0+"),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
    field("timeoutMs", "int32", "0+"),
  ],
  response: [
    field("throttleTimeMs", "int32", "0+"),
    field(
      "topics",
      structs([
        field("name", "string", "0+"),
        field(
          "partitions",
          structs([
            field("partitionIndex", "int32", "0+"),
            field("lowWatermark", "int64", "0+"),
            field("errorCode", "int16", "0+"),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
  ],
} as const satisfies ApiSchema;
