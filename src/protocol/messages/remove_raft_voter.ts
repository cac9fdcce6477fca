/**
 * RemoveRaftVoter (key 81), version 0, flexible. Removes a voter from the
 * metadata quorum (KIP-853, `kafka-metadata-quorum.sh remove-controller`).
 */
import { type ApiSchema, field } from "../schema.ts";

export const removeRaftVoter = {
  apiKey: 81,
  name: "RemoveRaftVoter",
  versions: "0",
  flexible: "0+",
  request: [
    field("clusterId", "string", "0+", { nullable: "0+" }),
    field("voterId", "int32", "0+"),
    field("voterDirectoryId", "uuid", "0+"),
  ],
  response: [
    field("throttleTimeMs", "int32", "0+"),
    field("errorCode", "int16", "0+"),
    field("errorMessage", "string", "0+", { nullable: "0+", default: null }),
  ],
} as const satisfies ApiSchema;
