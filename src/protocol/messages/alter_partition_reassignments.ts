/**
 * AlterPartitionReassignments (key 45), version 0, flexible (KIP-455). Sets
 * the target replicas of partitions, or (null replicas) cancels their
 * reassignment. Brokers forward it to the active controller.
 */
import { type ApiSchema, arrayOf, field, structs } from "../schema.ts";

export const alterPartitionReassignments = {
  apiKey: 45,
  name: "AlterPartitionReassignments",
  versions: "0",
  flexible: "0+",
  request: [
    field("timeoutMs", "int32", "0+", { default: 60000 }),
    field(
      "topics",
      structs([
        field("name", "string", "0+"),
        field(
          "partitions",
          structs([
            field("partitionIndex", "int32", "0+"),
            field("replicas", arrayOf("int32"), "0+", { nullable: "0+", default: null }),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
  ],
  response: [
    field("throttleTimeMs", "int32", "0+"),
    field("errorCode", "int16", "0+"),
    field("errorMessage", "string", "0+", { nullable: "0+", default: null }),
    field(
      "responses",
      structs([
        field("name", "string", "0+"),
        field(
          "partitions",
          structs([
            field("partitionIndex", "int32", "0+"),
            field("errorCode", "int16", "0+"),
            field("errorMessage", "string", "0+", { nullable: "0+", default: null }),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
  ],
} as const satisfies ApiSchema;
