/**
 * BeginQuorumEpoch (key 53), versions 0-1. A newly elected leader of the
 * metadata quorum announces its epoch to the voters.
 *
 * v1 is flexible and adds, in the request, the receiving voter's id and
 * directory id and the leader's endpoints, and in the response the tagged
 * endpoints of the leader (KIP-853).
 */
import { type ApiSchema, field, structs } from "../schema.ts";

export const beginQuorumEpoch = {
  apiKey: 53,
  name: "BeginQuorumEpoch",
  versions: "0-1",
  flexible: "1+",
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
            field("voterDirectoryId", "uuid", "1+"),
            field("leaderId", "int32", "0+"),
            field("leaderEpoch", "int32", "0+"),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
    field(
      "leaderEndpoints",
      structs([
        field("name", "string", "1+"),
        field("host", "string", "1+"),
        field("port", "uint16", "1+"),
      ]),
      "1+",
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
