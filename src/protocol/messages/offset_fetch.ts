/**
 * OffsetFetch (key 9), versions 0-9.
 *
 * Request: v0 reads offsets kept in ZooKeeper, v1 those in __consumer_offsets
 * (same fields); v2 lets the topic list be null for "every topic"; v6 is
 * flexible; v7 adds require-stable (wait for pending transactional commits);
 * v8 asks for several groups at once (KIP-709); v9 adds the KIP-848 member id
 * and epoch per group. v3-v5 change nothing.
 *
 * Response: v2 adds a top-level error code, v3 the throttle time, v5 the
 * committed leader epoch, v6 is flexible, v8 answers per group. v4, v7 and v9
 * change no fields.
 */
import { type ApiSchema, arrayOf, field, structs } from "../schema.ts";

export const offsetFetch = {
  apiKey: 9,
  name: "OffsetFetch",
  versions: "0-9",
  flexible: "6+",
  request: [
    field("groupId", "string", "0-7"),
    field(
      "topics",
      structs([
        field("name", "string", "0-7"),
        field("partitionIndexes", arrayOf("int32"), "0-7"),
      ]),
      "0-7",
      { nullable: "2-7" },
    ),
    field(
      "groups",
      structs([
        field("groupId", "string", "8+"),
        field("memberId", "string", "9+", { nullable: "9+", default: null }),
        field("memberEpoch", "int32", "9+", { default: -1 }),
        field(
          "topics",
          structs([
            field("name", "string", "8+"),
            field("partitionIndexes", arrayOf("int32"), "8+"),
          ]),
          "8+",
          { nullable: "8+" },
        ),
      ]),
      "8+",
    ),
    field("requireStable", "bool", "7+"),
  ],
  response: [
    field("throttleTimeMs", "int32", "3+"),
    field(
      "topics",
      structs([
        field("name", "string", "0-7"),
        field(
          "partitions",
          structs([
            field("partitionIndex", "int32", "0-7"),
            field("committedOffset", "int64", "0-7"),
            field("committedLeaderEpoch", "int32", "5-7", { default: -1 }),
            field("metadata", "string", "0-7", { nullable: "0-7" }),
            field("errorCode", "int16", "0-7"),
          ]),
          "0-7",
        ),
      ]),
      "0-7",
    ),
    field("errorCode", "int16", "2-7"),
    field(
      "groups",
      structs([
        field("groupId", "string", "8+"),
        field(
          "topics",
          structs([
            field("name", "string", "8+"),
            field(
              "partitions",
              structs([
                field("partitionIndex", "int32", "8+"),
                field("committedOffset", "int64", "8+"),
                field("committedLeaderEpoch", "int32", "8+", { default: -1 }),
                field("metadata", "string", "8+", { nullable: "8+" }),
                field("errorCode", "int16", "8+"),
              ]),
              "8+",
            ),
          ]),
          "8+",
        ),
        field("errorCode", "int16", "8+"),
      ]),
      "8+",
    ),
  ],
} as const satisfies ApiSchema;
