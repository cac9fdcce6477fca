/**
 * ConsumerGroupDescribe (key 69), versions 0-1, flexible in every version:
 * describes KIP-848 consumer groups.
 *
 * Request: the same fields in both versions.
 *
 * Response: v1 adds each member's type (-1 unknown, 0 classic member, 1
 * consumer-protocol member; KIP-1099).
 */
import { type ApiSchema, arrayOf, field, struct, structs } from "../schema.ts";

const assignment = struct([
  field(
    "topicPartitions",
    structs([
      field("topicId", "uuid", "0+"),
      field("topicName", "string", "0+"),
      field("partitions", arrayOf("int32"), "0+"),
    ]),
    "0+",
  ),
]);

export const consumerGroupDescribe = {
  apiKey: 69,
  name: "ConsumerGroupDescribe",
  versions: "0-1",
  flexible: "0+",
  request: [
    field("groupIds", arrayOf("string"), "0+"),
    field("includeAuthorizedOperations", "bool", "0+"),
  ],
  response: [
    field("throttleTimeMs", "int32", "0+"),
    field(
      "groups",
      structs([
        field("errorCode", "int16", "0+"),
        field("errorMessage", "string", "0+", { nullable: "0+", default: null }),
        field("groupId", "string", "0+"),
        field("groupState", "string", "0+"),
        field("groupEpoch", "int32", "0+"),
        field("assignmentEpoch", "int32", "0+"),
        field("assignorName", "string", "0+"),
        field(
          "members",
          structs([
            field("memberId", "string", "0+"),
            field("instanceId", "string", "0+", { nullable: "0+", default: null }),
            field("rackId", "string", "0+", { nullable: "0+", default: null }),
            field("memberEpoch", "int32", "0+"),
            field("clientId", "string", "0+"),
            field("clientHost", "string", "0+"),
            field("subscribedTopicNames", arrayOf("string"), "0+"),
            field("subscribedTopicRegex", "string", "0+", { nullable: "0+", default: null }),
            field("assignment", assignment, "0+"),
            field("targetAssignment", assignment, "0+"),
            field("memberType", "int8", "1+", { default: -1 }),
          ]),
          "0+",
        ),
        field("authorizedOperations", "int32", "0+", { default: -2147483648 }),
      ]),
      "0+",
    ),
  ],
} as const satisfies ApiSchema;
