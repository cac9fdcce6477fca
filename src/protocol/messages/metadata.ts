/**
 * Metadata (key 3), versions 0-12.
 *
 * Request: in v0 an empty topic list means every topic; from v1 a null list
 * means every topic and an empty one none. v4 adds whether to create missing
 * topics, v8 whether to return authorized operations (cluster ones only up to
 * v10), v9 is flexible, v10 adds topic ids and lets names be null (meant for
 * lookups by id, used from v12). v2, v3, v5-v7 and v11 change nothing in the
 * request.
 *
 * Response: v1 adds broker racks, the controller id and whether a topic is
 * internal, v2 the cluster id, v3 the throttle time, v5 offline replicas, v7
 * the partition leader epoch, v8 authorized operations (the cluster ones are
 * dropped again in v11, moved to DescribeCluster), v9 is flexible, v10 adds
 * topic ids, v12 allows null topic names.
 */
import { type ApiSchema, arrayOf, field, structs } from "../schema.ts";

/** Kafka's "authorized operations not requested" marker (INT32 minimum). */
const OPERATIONS_OMITTED = -2147483648;

export const metadata = {
  apiKey: 3,
  name: "Metadata",
  versions: "0-12",
  flexible: "9+",
  request: [
    field(
      "topics",
      structs([
        field("topicId", "uuid", "10+"),
        field("name", "string", "0+", { nullable: "10+" }),
      ]),
      "0+",
      { nullable: "1+" },
    ),
    field("allowAutoTopicCreation", "bool", "4+", { default: true }),
    field("includeClusterAuthorizedOperations", "bool", "8-10"),
    field("includeTopicAuthorizedOperations", "bool", "8+"),
  ],
  response: [
    field("throttleTimeMs", "int32", "3+"),
    field(
      "brokers",
      structs([
        field("nodeId", "int32", "0+"),
        field("host", "string", "0+"),
        field("port", "int32", "0+"),
        field("rack", "string", "1+", { nullable: "1+", default: null }),
      ]),
      "0+",
    ),
    field("clusterId", "string", "2+", { nullable: "2+", default: null }),
    field("controllerId", "int32", "1+", { default: -1 }),
    field(
      "topics",
      structs([
        field("errorCode", "int16", "0+"),
        field("name", "string", "0+", { nullable: "12+" }),
        field("topicId", "uuid", "10+"),
        field("isInternal", "bool", "1+"),
        field(
          "partitions",
          structs([
            field("errorCode", "int16", "0+"),
            field("partitionIndex", "int32", "0+"),
            field("leaderId", "int32", "0+"),
            field("leaderEpoch", "int32", "7+", { default: -1 }),
            field("replicaNodes", arrayOf("int32"), "0+"),
            field("isrNodes", arrayOf("int32"), "0+"),
            field("offlineReplicas", arrayOf("int32"), "5+"),
          ]),
          "0+",
        ),
        field("topicAuthorizedOperations", "int32", "8+", { default: OPERATIONS_OMITTED }),
      ]),
      "0+",
    ),
    field("clusterAuthorizedOperations", "int32", "8-10", { default: OPERATIONS_OMITTED }),
  ],
} as const satisfies ApiSchema;
