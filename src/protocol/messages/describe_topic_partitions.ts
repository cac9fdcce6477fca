/**
 * DescribeTopicPartitions (key 75), version 0, flexible (KIP-966).
 *
 * Metadata for topics with their partitions' eligible leader replicas,
 * paged: at most `responsePartitionLimit` partitions per response, resumed
 * from a cursor (topic name, partition index) that the response's
 * `nextCursor` gives. An empty topic list asks for every topic.
 */
import { type ApiSchema, arrayOf, field, struct, structs } from "../schema.ts";

const cursor = struct([
  field("topicName", "string", "0+"),
  field("partitionIndex", "int32", "0+"),
]);

export const describeTopicPartitions = {
  apiKey: 75,
  name: "DescribeTopicPartitions",
  versions: "0",
  flexible: "0+",
  request: [
    field("topics", structs([field("name", "string", "0+")]), "0+"),
    field("responsePartitionLimit", "int32", "0+", { default: 2000 }),
    field("cursor", cursor, "0+", { nullable: "0+", default: null }),
  ],
  response: [
    field("throttleTimeMs", "int32", "0+"),
    field(
      "topics",
      structs([
        field("errorCode", "int16", "0+"),
        field("name", "string", "0+", { nullable: "0+" }),
        field("topicId", "uuid", "0+"),
        field("isInternal", "bool", "0+", { default: false }),
        field(
          "partitions",
          structs([
            field("errorCode", "int16", "0+"),
            field("partitionIndex", "int32", "0+"),
            field("leaderId", "int32", "0+"),
            field("leaderEpoch", "int32", "0+", { default: -1 }),
            field("replicaNodes", arrayOf("int32"), "0+"),
            field("isrNodes", arrayOf("int32"), "0+"),
            field("eligibleLeaderReplicas", arrayOf("int32"), "0+", { nullable: "0+", default: null }),
            field("lastKnownElr", arrayOf("int32"), "0+", { nullable: "0+", default: null }),
            field("offlineReplicas", arrayOf("int32"), "0+"),
          ]),
          "0+",
        ),
        field("topicAuthorizedOperations", "int32", "0+", { default: -2147483648 }),
      ]),
      "0+",
    ),
    field("nextCursor", cursor, "0+", { nullable: "0+", default: null }),
  ],
} as const satisfies ApiSchema;
