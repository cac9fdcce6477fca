/**
 * ListGroups (key 16), versions 0-5.
 *
 * Request: v3 is flexible, v4 adds a filter on group states (KIP-518), v5 a
 * filter on group types (KIP-848). v1 and v2 change nothing.
 *
 * Response: v1 adds the throttle time, v3 is flexible, v4 returns each
 * group's state, v5 each group's type.
 */
import { type ApiSchema, arrayOf, field, structs } from "../schema.ts";

export const listGroups = {
  apiKey: 16,
  name: "ListGroups",
  versions: "0-5",
  flexible: "3+",
  request: [
    field("statesFilter", arrayOf("string"), "4+"),
    field("typesFilter", arrayOf("string"), "5+"),
  ],
  response: [
    field("throttleTimeMs", "int32", "1+"),
    field("errorCode", "int16", "0+"),
    field(
      "groups",
      structs([
        field("groupId", "string", "0+"),
        field("protocolType", "string", "0+"),
        field("groupState", "string", "4+"),
        field("groupType", "string", "5+"),
      ]),
      "0+",
    ),
  ],
} as const satisfies ApiSchema;
