/**
 * ListOffsets (key 2), versions 0-9.
 *
 * Request: v0 asks for up to `maxNumOffsets` offsets before a timestamp; v1
 * drops that count (one offset per partition), v2 adds the isolation level,
 * v4 the current leader epoch for fencing, v6 is flexible. v7 (max timestamp,
 * KIP-734), v8 (local log start, KIP-405) and v9 (last tiered offset,
 * KIP-1005) only allow new special timestamps. v3 and v5 change nothing.
 *
 * Response: v0 returns an array of offsets; v1 replaces it with one offset and
 * its timestamp, v2 adds the throttle time, v4 the leader epoch, v6 is
 * flexible.
 */
import { type ApiSchema, arrayOf, field, structs } from "../schema.ts";

export const listOffsets = {
  apiKey: 2,
  name: "ListOffsets",
  versions: "0-9",
  flexible: "6+",
  request: [
    field("replicaId", "int32", "0+"),
    field("isolationLevel", "int8", "2+"),
    field(
      "topics",
      structs([
        field("name", "string", "0+"),
        field(
          "partitions",
          structs([
            field("partitionIndex", "int32", "0+"),
            field("currentLeaderEpoch", "int32", "4+", { default: -1 }),
            field("timestamp", "int64", "0+"),
            field("maxNumOffsets", "int32", "0", { default: 1 }),
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
        field("name", "string", "0+"),
        field(
          "partitions",
          structs([
            field("partitionIndex", "int32", "0+"),
            field("errorCode", "int16", "0+"),
            field("oldStyleOffsets", arrayOf("int64"), "0"),
            field("timestamp", "int64", "1+", { default: -1 }),
            field("offset", "int64", "1+", { default: -1 }),
            field("leaderEpoch", "int32", "4+", { default: -1 }),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
  ],
} as const satisfies ApiSchema;
