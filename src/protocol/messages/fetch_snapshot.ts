/**
 * FetchSnapshot (key 59), versions 0-1, flexible in every version. A follower
 * of the metadata quorum whose fetch offset is below the leader's log start
 * downloads the leader's snapshot (`<end offset>-<epoch>.checkpoint`) in
 * chunks from a byte position (KIP-630).
 *
 * Request: v1 adds the tagged directory id of the follower (KIP-853).
 * Response: v1 adds the tagged endpoints of the leader (KIP-853).
 */
import { type ApiSchema, field, struct, structs } from "../schema.ts";

export const fetchSnapshot = {
  apiKey: 59,
  name: "FetchSnapshot",
  versions: "0-1",
  flexible: "0+",
  request: [
    field("clusterId", "string", "0+", { nullable: "0+", tag: 0, default: null }),
    field("replicaId", "int32", "0+", { default: -1 }),
    field("maxBytes", "int32", "0+", { default: 0x7fffffff }),
    field(
      "topics",
      structs([
        field("name", "string", "0+"),
        field(
          "partitions",
          structs([
            field("partition", "int32", "0+"),
            field("currentLeaderEpoch", "int32", "0+"),
            field(
              "snapshotId",
              struct([field("endOffset", "int64", "0+"), field("epoch", "int32", "0+")]),
              "0+",
            ),
            field("position", "int64", "0+"),
            field("replicaDirectoryId", "uuid", "1+", { tag: 0 }),
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
    field(
      "topics",
      structs([
        field("name", "string", "0+"),
        field(
          "partitions",
          structs([
            field("index", "int32", "0+"),
            field("errorCode", "int16", "0+"),
            field(
              "snapshotId",
              struct([field("endOffset", "int64", "0+"), field("epoch", "int32", "0+")]),
              "0+",
            ),
            field(
              "currentLeader",
              struct([field("leaderId", "int32", "0+"), field("leaderEpoch", "int32", "0+")]),
              "0+",
              { tag: 0 },
            ),
            field("size", "int64", "0+"),
            field("position", "int64", "0+"),
            field("unalignedRecords", "records", "0+"),
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
