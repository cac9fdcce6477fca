/**
 * ElectLeaders (key 43), versions 0-2. Request: v1 adds the election type
 * (KIP-460: 0 preferred, 1 unclean; v0 elects preferred leaders); null
 * partitions mean every partition. Response: v1 adds a top-level error code.
 * v2 is the first flexible version.
 */
import { type ApiSchema, arrayOf, field, structs } from "../schema.ts";

export const electLeaders = {
  apiKey: 43,
  name: "ElectLeaders",
  versions: "0-2",
  flexible: "2+",
  request: [
    field("electionType", "int8", "1+", { default: 0 }),
    field(
      "topicPartitions",
      structs([
        field("topic", "string", "0+"),
        field("partitions", arrayOf("int32"), "0+"),
      ]),
      "0+",
      { nullable: "0+" },
    ),
    field("timeoutMs", "int32", "0+", { default: 60000 }),
  ],
  response: [
    field("throttleTimeMs", "int32", "0+"),
    field("errorCode", "int16", "1+", { default: 0 }),
    field(
      "replicaElectionResults",
      structs([
        field("topic", "string", "0+"),
        field(
          "partitionResult",
          structs([
            field("partitionId", "int32", "0+"),
            field("errorCode", "int16", "0+"),
            field("errorMessage", "string", "0+", { nullable: "0+", default: null }),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
  ],
} as const satisfies ApiSchema;
