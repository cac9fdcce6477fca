/**
 * DescribeLogDirs (key 35), versions 1-4 (Kafka 4 dropped v0, KIP-896).
 *
 * Request: the topics and partitions to describe, or null for all. v2 is
 * flexible. Response: v3 adds a top-level error code, v4 the total and
 * usable bytes of each log directory's volume.
 */
import { type ApiSchema, arrayOf, field, structs } from "../schema.ts";

export const describeLogDirs = {
  apiKey: 35,
  name: "DescribeLogDirs",
  versions: "1-4",
  flexible: "2+",
  request: [
    field(
      "topics",
      structs([
        field("topic", "string", "0+"),
        field("partitions", arrayOf("int32"), "0+"),
      ]),
      "0+",
      { nullable: "0+", default: null },
    ),
  ],
  response: [
    field("throttleTimeMs", "int32", "0+"),
    field("errorCode", "int16", "3+"),
    field(
      "results",
      structs([
        field("errorCode", "int16", "0+"),
        field("logDir", "string", "0+"),
        field(
          "topics",
          structs([
            field("name", "string", "0+"),
            field(
              "partitions",
              structs([
                field("partitionIndex", "int32", "0+"),
                field("partitionSize", "int64", "0+"),
                field("offsetLag", "int64", "0+"),
                field("isFutureKey", "bool", "0+"),
              ]),
              "0+",
            ),
          ]),
          "0+",
        ),
        field("totalBytes", "int64", "4+", { default: -1 }),
        field("usableBytes", "int64", "4+", { default: -1 }),
      ]),
      "0+",
    ),
  ],
} as const satisfies ApiSchema;
