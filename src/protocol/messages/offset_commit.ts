/**
 * OffsetCommit (key 8), versions 0-9.
 *
 * Request: v1 adds the generation and member id and a per-partition commit
 * timestamp; v2 drops that timestamp for a group-wide retention time; v5
 * drops the retention time (broker config only); v6 adds the committed leader
 * epoch; v7 the static group instance id; v8 is flexible; v9 may come from a
 * KIP-848 consumer, whose member epoch then fills the generation field. v3
 * and v4 change nothing.
 *
 * Response: v3 adds the throttle time, v8 is flexible. Other versions change
 * no fields (v9 may answer STALE_MEMBER_EPOCH and GROUP_ID_NOT_FOUND).
 */
import { type ApiSchema, field, structs } from "../schema.ts";

export const offsetCommit = {
  apiKey: 8,
  name: "OffsetCommit",
  versions: "0-9",
  flexible: "8+",
  request: [
    field("groupId", "string", "0+"),
    field("generationIdOrMemberEpoch", "int32", "1+", { default: -1 }),
    field("memberId", "string", "1+"),
    field("groupInstanceId", "string", "7+", { nullable: "7+", default: null }),
    field("retentionTimeMs", "int64", "2-4", { default: -1 }),
    field(
      "topics",
      structs([
        field("name", "string", "0+"),
        field(
          "partitions",
          structs([
            field("partitionIndex", "int32", "0+"),
            field("committedOffset", "int64", "0+"),
            field("committedLeaderEpoch", "int32", "6+", { default: -1 }),
            field("commitTimestamp", "int64", "1", { default: -1 }),
            field("committedMetadata", "string", "0+", { nullable: "0+" }),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
  ],
  response: [
    field("throttleTimeMs", "int32", "3+"),
    field(
      "topics",
      structs([
        field("name", "string", "0+"),
        field(
          "partitions",
          structs([
            field("partitionIndex", "int32", "0+"),
            field("errorCode", "int16", "0+"),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
  ],
} as const satisfies ApiSchema;
