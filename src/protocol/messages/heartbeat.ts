/**
 * Heartbeat (key 12), versions 0-4: a classic group member's liveness ping.
 *
 * Request: v3 adds the static group instance id, v4 is flexible. v1 and v2
 * change nothing.
 *
 * Response: v1 adds the throttle time, v4 is flexible.
 */
import { type ApiSchema, field } from "../schema.ts";

export const heartbeat = {
  apiKey: 12,
  name: "Heartbeat",
  versions: "0-4",
  flexible: "4+",
  request: [
    field("groupId", "string", "0+"),
    field("generationId", "int32", "0+"),
    field("memberId", "string", "0+"),
    field("groupInstanceId", "string", "3+", { nullable: "3+", default: null }),
  ],
  response: [
    field("throttleTimeMs", "int32", "1+"),
    field("errorCode", "int16", "0+"),
  ],
} as const satisfies ApiSchema;
