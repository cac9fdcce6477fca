/**
 * DescribeQuorum (key 55), versions 0-2, flexible in every version. Asks the
 * leader of the metadata quorum for its epoch, high watermark and the
 * progress of every voter and observer (`kafka-metadata-quorum.sh`).
 *
 * The request is the same in every version. Response: v1 adds the last fetch
 * and last caught-up times per replica (KIP-836); v2 adds error messages, the
 * replicas' directory ids and the voters' listeners (KIP-853).
 */
import { type ApiSchema, field, structs } from "../schema.ts";

/** A voter's or observer's progress as the leader sees it. */
const replicaState = [
  field("replicaId", "int32", "0+"),
  field("replicaDirectoryId", "uuid", "2+"),
  field("logEndOffset", "int64", "0+"),
  field("lastFetchTimestamp", "int64", "1+", { default: -1 }),
  field("lastCaughtUpTimestamp", "int64", "1+", { default: -1 }),
] as const;

export const describeQuorum = {
  apiKey: 55,
  name: "DescribeQuorum",
  versions: "0-2",
  flexible: "0+",
  request: [
    field(
      "topics",
      structs([
        field("topicName", "string", "0+"),
        field("partitions", structs([field("partitionIndex", "int32", "0+")]), "0+"),
      ]),
      "0+",
    ),
  ],
  response: [
    field("errorCode", "int16", "0+"),
    field("errorMessage", "string", "2+", { nullable: "2+", default: null }),
    field(
      "topics",
      structs([
        field("topicName", "string", "0+"),
        field(
          "partitions",
          structs([
            field("partitionIndex", "int32", "0+"),
            field("errorCode", "int16", "0+"),
            field("errorMessage", "string", "2+", { nullable: "2+", default: null }),
            field("leaderId", "int32", "0+"),
            field("leaderEpoch", "int32", "0+"),
            field("highWatermark", "int64", "0+"),
            field("currentVoters", structs(replicaState), "0+"),
            field("observers", structs(replicaState), "0+"),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
    field(
      "nodes",
      structs([
        field("nodeId", "int32", "2+"),
        field(
          "listeners",
          structs([
            field("name", "string", "2+"),
            field("host", "string", "2+"),
            field("port", "uint16", "2+"),
          ]),
          "2+",
        ),
      ]),
      "2+",
    ),
  ],
} as const satisfies ApiSchema;
