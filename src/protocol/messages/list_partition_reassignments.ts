/**
 * ListPartitionReassignments (key 46), version 0, flexible (KIP-455): the
 * reassignments under way, of the given partitions or (null topics) of all.
 */
import { type ApiSchema, arrayOf, field, structs } from "../schema.ts";

export const listPartitionReassignments = {
  apiKey: 46,
  name: "ListPartitionReassignments",
  versions: "0",
  flexible: "0+",
  request: [
    field("timeoutMs", "int32", "0+", { default: 60000 }),
    field(
      "topics",
      structs([
        field("name", "string", "0+"),
        field("partitionIndexes", arrayOf("int32"), "0+"),
      ]),
      "0+",
      { nullable: "0+", default: null },
    ),
  ],
  response: [
    field("throttleTimeMs", "int32", "0+"),
    field("errorCode", "int16", "0+"),
    field("errorMessage", "string", "0+", { nullable: "0+", default: null }),
    field(
      "topics",
      structs([
        field("name", "string", "0+"),
        field(
          "partitions",
          structs([
            field("partitionIndex", "int32", "0+"),
            field("replicas", arrayOf("int32"), "0+"),
            field("addingReplicas", arrayOf("int32"), "0+"),
            field("removingReplicas", arrayOf("int32"), "0+"),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
  ],
} as const satisfies ApiSchema;
