/**
 * LeaveGroup (key 13), versions 0-5.
 *
 * Request: v0-v2 name one member; v3 a batch of members with their static
 * instance ids (KIP-345); v4 is flexible; v5 adds a reason per member
 * (KIP-800).
 *
 * Response: v1 adds the throttle time, v3 a result per member, v4 is
 * flexible. v2 and v5 change no fields.
 */
import { type ApiSchema, field, structs } from "../schema.ts";

export const leaveGroup = {
  apiKey: 13,
  name: "LeaveGroup",
  versions: "0-5",
  flexible: "4+",
  request: [
    field("groupId", "string", "0+"),
    field("memberId", "string", "0-2"),
    field(
      "members",
      structs([
        field("memberId", "string", "3+"),
        field("groupInstanceId", "string", "3+", { nullable: "3+", default: null }),
        field("reason", "string", "5+", { nullable: "5+", default: null }),
      ]),
      "3+",
    ),
  ],
  response: [
    field("throttleTimeMs", "int32", "1+"),
    field("errorCode", "int16", "0+"),
    field(
      "members",
      structs([
        field("memberId", "string", "3+"),
        field("groupInstanceId", "string", "3+", { nullable: "3+" }),
        field("errorCode", "int16", "3+"),
      ]),
      "3+",
    ),
  ],
} as const satisfies ApiSchema;
