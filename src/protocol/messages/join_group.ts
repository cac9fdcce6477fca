/**
 * JoinGroup (key 11), versions 0-9.
 *
 * Request: v1 adds the rebalance timeout (when absent the session timeout
 * serves), v4 makes a new member rejoin with the member id the broker hands
 * out (MEMBER_ID_REQUIRED), v5 adds the static group instance id, v6 is
 * flexible, v8 adds a reason (KIP-800). v2, v3, v7 and v9 change no request
 * fields.
 *
 * Response: v2 adds the throttle time, v5 member instance ids, v6 is flexible,
 * v7 returns the protocol type and lets the protocol name be null (KIP-559),
 * v9 adds skip-assignment (the leader need not compute an assignment).
 */
import { type ApiSchema, field, structs } from "../schema.ts";

export const joinGroup = {
  apiKey: 11,
  name: "JoinGroup",
  versions: "0-9",
  flexible: "6+",
  request: [
    field("groupId", "string", "0+"),
    field("sessionTimeoutMs", "int32", "0+"),
    field("rebalanceTimeoutMs", "int32", "1+", { default: -1 }),
    field("memberId", "string", "0+"),
    field("groupInstanceId", "string", "5+", { nullable: "5+", default: null }),
    field("protocolType", "string", "0+"),
    field(
      "protocols",
      structs([
        field("name", "string", "0+"),
        field("metadata", "bytes", "0+"),
      ]),
      "0+",
    ),
    field("reason", "string", "8+", { nullable: "8+", default: null }),
  ],
  response: [
    field("throttleTimeMs", "int32", "2+"),
    field("errorCode", "int16", "0+"),
    field("generationId", "int32", "0+", { default: -1 }),
    field("protocolType", "string", "7+", { nullable: "7+", default: null }),
    field("protocolName", "string", "0+", { nullable: "7+" }),
    field("leader", "string", "0+"),
    field("skipAssignment", "bool", "9+"),
    field("memberId", "string", "0+"),
    field(
      "members",
      structs([
        field("memberId", "string", "0+"),
        field("groupInstanceId", "string", "5+", { nullable: "5+", default: null }),
        field("metadata", "bytes", "0+"),
      ]),
      "0+",
    ),
  ],
} as const satisfies ApiSchema;
