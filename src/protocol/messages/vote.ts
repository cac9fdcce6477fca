/**
 * Vote (key 52), versions 0-2, flexible in every version. Sent by a Raft
 * voter of the metadata quorum (`__cluster_metadata-0`) that wants to lead.
 *
 * Request: v1 adds the receiving voter's id, and the directory ids of both
 * replicas (KIP-853); v2 adds the pre-vote flag (KIP-996, a Prospective asks
 * without bumping its epoch) and Kafka renames the candidate fields to
 * "replica" fields (the layout is unchanged).
 *
 * Response: v1 adds the tagged endpoints of the leader (KIP-853). v2 changes
 * nothing.
 */
import { type ApiSchema, field, structs } from "../schema.ts";

export const vote = {
  apiKey: 52,
  name: "Vote",
  versions: "0-2",
  flexible: "0+",
  request: [
    field("clusterId", "string", "0+", { nullable: "0+", default: null }),
    field("voterId", "int32", "1+", { default: -1 }),
    field(
      "topics",
      structs([
        field("topicName", "string", "0+"),
        field(
          "partitions",
          structs([
            field("partitionIndex", "int32", "0+"),
            field("replicaEpoch", "int32", "0+"),
            field("replicaId", "int32", "0+"),
            field("replicaDirectoryId", "uuid", "1+"),
            field("voterDirectoryId", "uuid", "1+"),
            field("lastOffsetEpoch", "int32", "0+"),
            field("lastOffset", "int64", "0+"),
            field("preVote", "bool", "2+"),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
  ],
  response: [
    field("errorCode", "int16", "0+"),
    field(
      "topics",
      structs([
        field("topicName", "string", "0+"),
        field(
          "partitions",
          structs([
            field("partitionIndex", "int32", "0+"),
            field("errorCode", "int16", "0+"),
            field("leaderId", "int32", "0+"),
            field("leaderEpoch", "int32", "0+"),
            field("voteGranted", "bool", "0+"),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
    field(
      "nodeEndpoints",
      structs([
        field("nodeId", "int32", "1+"),
        field("host", "string", "1+"),
        field("port", "uint16", "1+"),
      ]),
      "1+",
      { tag: 0 },
    ),
  ],
} as const satisfies ApiSchema;
