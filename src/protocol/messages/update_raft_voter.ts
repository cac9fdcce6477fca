/**
 * UpdateRaftVoter (key 82), version 0, flexible. A voter of the metadata
 * quorum tells the leader its current listeners and supported kraft.version
 * range (KIP-853). The response carries the current leader as a tagged field.
 */
import { type ApiSchema, field, struct, structs } from "../schema.ts";

export const updateRaftVoter = {
  apiKey: 82,
  name: "UpdateRaftVoter",
  versions: "0",
  flexible: "0+",
  request: [
    field("clusterId", "string", "0+", { nullable: "0+" }),
    field("currentLeaderEpoch", "int32", "0+"),
    field("voterId", "int32", "0+"),
    field("voterDirectoryId", "uuid", "0+"),
    field(
      "listeners",
      structs([
        field("name", "string", "0+"),
        field("host", "string", "0+"),
        field("port", "uint16", "0+"),
      ]),
      "0+",
    ),
    field(
      "kRaftVersionFeature",
      struct([field("minSupportedVersion", "int16", "0+"), field("maxSupportedVersion", "int16", "0+")]),
      "0+",
    ),
  ],
  response: [
    field("throttleTimeMs", "int32", "0+"),
    field("errorCode", "int16", "0+"),
    field(
      "currentLeader",
      struct([
        field("leaderId", "int32", "0+", { default: -1 }),
        field("leaderEpoch", "int32", "0+", { default: -1 }),
        field("host", "string", "0+"),
        field("port", "int32", "0+"),
      ]),
      "0+",
      { tag: 0 },
    ),
  ],
} as const satisfies ApiSchema;
