/**
 * ConsumerGroupHeartbeat (key 68), versions 0-1, flexible in every version:
 * the KIP-848 consumer protocol's single request for joining, heartbeating,
 * subscribing and acknowledging assignments.
 *
 * Request: v1 adds a subscription regular expression. Null fields mean "no
 * change since the previous heartbeat".
 *
 * Response: same fields in both versions (v1 may answer
 * INVALID_SUBSCRIPTION_REGEX); a null assignment means "unchanged".
 */
import { type ApiSchema, arrayOf, field, struct, structs } from "../schema.ts";

const topicPartitions = structs([
  field("topicId", "uuid", "0+"),
  field("partitions", arrayOf("int32"), "0+"),
]);

export const consumerGroupHeartbeat = {
  apiKey: 68,
  name: "ConsumerGroupHeartbeat",
  versions: "0-1",
  flexible: "0+",
  request: [
    field("groupId", "string", "0+"),
    field("memberId", "string", "0+"),
    field("memberEpoch", "int32", "0+"),
    field("instanceId", "string", "0+", { nullable: "0+", default: null }),
    field("rackId", "string", "0+", { nullable: "0+", default: null }),
    field("rebalanceTimeoutMs", "int32", "0+", { default: -1 }),
    field("subscribedTopicNames", arrayOf("string"), "0+", { nullable: "0+", default: null }),
    field("subscribedTopicRegex", "string", "1+", { nullable: "1+", default: null }),
    field("serverAssignor", "string", "0+", { nullable: "0+", default: null }),
    field("topicPartitions", topicPartitions, "0+", { nullable: "0+", default: null }),
  ],
  response: [
    field("throttleTimeMs", "int32", "0+"),
    field("errorCode", "int16", "0+"),
    field("errorMessage", "string", "0+", { nullable: "0+", default: null }),
    field("memberId", "string", "0+", { nullable: "0+", default: null }),
    field("memberEpoch", "int32", "0+"),
    field("heartbeatIntervalMs", "int32", "0+"),
    field(
      "assignment",
      struct([field("topicPartitions", topicPartitions, "0+")]),
      "0+",
      { nullable: "0+", default: null },
    ),
  ],
} as const satisfies ApiSchema;
