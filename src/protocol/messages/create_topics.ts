/**
 * CreateTopics (key 19), versions 0-7.
 *
 * Request: v1 adds validate-only, v4 lets the partition count and replication
 * factor be -1 (broker defaults) even without assignments (KIP-464), v5 is
 * flexible. v2, v3, v6 and v7 change no fields (v6 may answer
 * THROTTLING_QUOTA_EXCEEDED, KIP-599).
 *
 * Response: v1 adds a per-topic error message, v2 the throttle time, v5 is
 * flexible and returns the created topic's partition count, replication factor
 * and configs plus a tagged config error code (KIP-525), v7 the topic id.
 */
import { type ApiSchema, arrayOf, field, structs } from "../schema.ts";

export const createTopics = {
  apiKey: 19,
  name: "CreateTopics",
  versions: "0-7",
  flexible: "5+",
  request: [
    field(
      "topics",
      structs([
        field("name", "string", "0+"),
        field("numPartitions", "int32", "0+"),
        field("replicationFactor", "int16", "0+"),
        field(
          "assignments",
          structs([
            field("partitionIndex", "int32", "0+"),
            field("brokerIds", arrayOf("int32"), "0+"),
          ]),
          "0+",
        ),
        field(
          "configs",
          structs([
            field("name", "string", "0+"),
            field("value", "string", "0+", { nullable: "0+" }),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
    field("timeoutMs", "int32", "0+", { default: 60000 }),
    field("validateOnly", "bool", "1+"),
  ],
  response: [
    field("throttleTimeMs", "int32", "2+"),
    field(
      "topics",
      structs([
        field("name", "string", "0+"),
        field("topicId", "uuid", "7+"),
        field("errorCode", "int16", "0+"),
        field("errorMessage", "string", "1+", { nullable: "0+" }),
        field("topicConfigErrorCode", "int16", "5+", { tag: 0 }),
        field("numPartitions", "int32", "5+", { default: -1 }),
        field("replicationFactor", "int16", "5+", { default: -1 }),
        field(
          "configs",
          structs([
            field("name", "string", "5+"),
            field("value", "string", "5+", { nullable: "5+" }),
            field("readOnly", "bool", "5+"),
            field("configSource", "int8", "5+", { default: -1 }),
            field("isSensitive", "bool", "5+"),
          ]),
          "5+",
          { nullable: "5+" },
        ),
      ]),
      "0+",
    ),
  ],
} as const satisfies ApiSchema;
