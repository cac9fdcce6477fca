/**
 * SyncGroup (key 14), versions 0-5.
 *
 * Request: v3 adds the static group instance id, v4 is flexible, v5 adds the
 * protocol type and name, which the broker checks against the group's
 * (KIP-559). v1 and v2 change nothing.
 *
 * Response: v1 adds the throttle time, v4 is flexible, v5 returns the
 * protocol type and name.
 */
import { type ApiSchema, field, structs } from "../schema.ts";

export const syncGroup = {
  apiKey: 14,
  name: "SyncGroup",
  versions: "0-5",
  flexible: "4+",
  request: [
    field("groupId", "string", "0+"),
    field("generationId", "int32", "0+"),
    field("memberId", "string", "0+"),
    field("groupInstanceId", "string", "3+", { nullable: "3+", default: null }),
    field("protocolType", "string", "5+", { nullable: "5+", default: null }),
    field("protocolName", "string", "5+", { nullable: "5+", default: null }),
    field(
      "assignments",
      structs([
        field("memberId", "string", "0+"),
        field("assignment", "bytes", "0+"),
      ]),
      "0+",
    ),
  ],
  response: [
    field("throttleTimeMs", "int32", "1+"),
    field("errorCode", "int16", "0+"),
    field("protocolType", "string", "5+", { nullable: "5+", default: null }),
    field("protocolName", "string", "5+", { nullable: "5+", default: null }),
    field("assignment", "bytes", "0+"),
  ],
} as const satisfies ApiSchema;
