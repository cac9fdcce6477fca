/**
 * EndQuorumEpoch (key 54), versions 0-1. A leader of the metadata quorum that
 * steps down (graceful shutdown, lost quorum) tells the voters, listing its
 * preferred successors so that the most caught-up voter campaigns first.
 *
 * v1 is flexible, replaces the preferred successors (ids) with preferred
 * candidates (id and directory id), and adds the leader's endpoints to the
 * request and the tagged endpoints of the leader to the response (KIP-853).
 */
import { type ApiSchema, arrayOf, field, structs } from "../schema.ts";

export const endQuorumEpoch = {
  apiKey: 54,
  name: "EndQuorumEpoch",
  versions: "0-1",
  flexible: "1+",
  request: [
    field("clusterId", "string", "0+", { nullable: "0+", default: null }),
    field(
      "topics",
      structs([
        field("topicName", "string", "0+"),
        field(
          "partitions",
          structs([
            field("partitionIndex", "int32", "0+"),
            field("leaderId", "int32", "0+"),
            field("leaderEpoch", "int32", "0+"),
            field("preferredSuccessors", arrayOf("int32"), "0"),
            field(
              "preferredCandidates",
              structs([
                field("candidateId", "int32", "1+"),
                field("candidateDirectoryId", "uuid", "1+"),
              ]),
              "1+",
            ),
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
