/**
 * OffsetForLeaderEpoch (key 23), versions 0-4.
 *
 * Request: v2 adds the current leader epoch for fencing, v3 the replica id
 * (-2 marks a debugging consumer allowed past the high watermark, -1 a
 * consumer), v4 is flexible. v1 changes nothing.
 *
 * Response: v1 adds the leader epoch of the returned end offset, v2 the
 * throttle time, v4 is flexible. v3 changes nothing.
 */
import { type ApiSchema, field, structs } from "../schema.ts";

export const offsetForLeaderEpoch = {
  apiKey: 23,
  name: "OffsetForLeaderEpoch",
  versions: "0-4",
  flexible: "4+",
  request: [
    field("replicaId", "int32", "3+", { default: -2 }),
    field(
      "topics",
      structs([
        field("topic", "string", "0+"),
        field(
          "partitions",
          structs([
            field("partition", "int32", "0+"),
            field("currentLeaderEpoch", "int32", "2+", { default: -1 }),
            field("leaderEpoch", "int32", "0+"),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
  ],
  response: [
    field("throttleTimeMs", "int32", "2+"),
    field(
      "topics",
      structs([
        field("topic", "string", "0+"),
        field(
          "partitions",
          structs([
            field("errorCode", "int16", "0+"),
            field("partition", "int32", "0+"),
            field("leaderEpoch", "int32", "1+", { default: -1 }),
            field("endOffset", "int64", "0+", { default: -1 }),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
  ],
} as const satisfies ApiSchema;
