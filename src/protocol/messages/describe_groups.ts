/**
 * DescribeGroups (key 15), versions 0-5: classic groups.
 *
 * Request: v3 asks for authorized operations, v5 is flexible. v1, v2 and v4
 * change no request fields.
 *
 * Response: v1 adds the throttle time, v3 the group's authorized operations,
 * v4 member instance ids, v5 is flexible.
 */
import { type ApiSchema, arrayOf, field, structs } from "../schema.ts";

export const describeGroups = {
  apiKey: 15,
  name: "DescribeGroups",
  versions: "0-5",
  flexible: "5+",
  request: [
    field("groups", arrayOf("string"), "0+"),
    field("includeAuthorizedOperations", "bool", "3+"),
  ],
  response: [
    field("throttleTimeMs", "int32", "1+"),
    field(
      "groups",
      structs([
        field("errorCode", "int16", "0+"),
        field("groupId", "string", "0+"),
        field("groupState", "string", "0+"),
        field("protocolType", "string", "0+"),
        field("protocolData", "string", "0+"),
        field(
          "members",
          structs([
            field("memberId", "string", "0+"),
            field("groupInstanceId", "string", "4+", { nullable: "4+", default: null }),
            field("clientId", "string", "0+"),
            field("clientHost", "string", "0+"),
            field("memberMetadata", "bytes", "0+"),
            field("memberAssignment", "bytes", "0+"),
          ]),
          "0+",
        ),
        field("authorizedOperations", "int32", "3+", { default: -2147483648 }),
      ]),
      "0+",
    ),
  ],
} as const satisfies ApiSchema;
