/**
 * AddRaftVoter (key 80), versions 0-1, flexible in every version. Adds a
 * voter to the metadata quorum (KIP-853, `kafka-metadata-quorum.sh
 * add-controller`).
 *
 * Request: v1 adds whether to answer only once the new voter set is
 * committed (KIP-1186). The response is the same in every version.
 */
import { type ApiSchema, field, structs } from "../schema.ts";

export const addRaftVoter = {
  apiKey: 80,
  name: "AddRaftVoter",
  versions: "0-1",
  flexible: "0+",
  request: [
    field("clusterId", "string", "0+", { nullable: "0+" }),
    field("timeoutMs", "int32", "0+"),
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
    field("ackWhenCommitted", "bool", "1+", { default: true }),
  ],
  response: [
    field("throttleTimeMs", "int32", "0+"),
    field("errorCode", "int16", "0+"),
    field("errorMessage", "string", "0+", { nullable: "0+", default: null }),
  ],
} as const satisfies ApiSchema;
