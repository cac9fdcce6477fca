/**
 * The checks Kafka makes on a ConsumerGroupHeartbeat request before it looks
 * at any group, with Kafka's error codes and messages: INVALID_REQUEST for a
 * bad combination of fields, UNSUPPORTED_ASSIGNOR for an assignor the broker
 * does not have.
 *
 * Dafka does not resolve regular-expression subscriptions yet, so a request
 * carrying SubscribedTopicRegex is refused with INVALID_REQUEST (as Kafka
 * 3.7 to 3.9 refused it) rather than silently subscribing to nothing.
 */
import { ErrorCode, KafkaError } from "../../protocol/mod.ts";
import type { ConsumerGroupHeartbeatRequest } from "./heartbeat_types.ts";
import { LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH } from "./member.ts";

/** From this ConsumerGroupHeartbeat version the client generates its member id (KIP-1082). */
export const CONSUMER_GENERATED_MEMBER_ID_REQUIRED_VERSION = 1;

/** The first problem with the request, or null when it may go on to the group. */
export function validateHeartbeatRequest(
  request: ConsumerGroupHeartbeatRequest,
  apiVersion: number,
  assignorNames: readonly string[],
): KafkaError | null {
  const invalid = (message: string) => new KafkaError(ErrorCode.INVALID_REQUEST, message);
  const epoch = request.memberEpoch;
  if (
    apiVersion >= CONSUMER_GENERATED_MEMBER_ID_REQUIRED_VERSION || epoch > 0 ||
    epoch === LEAVE_GROUP_MEMBER_EPOCH
  ) {
    if (isBlank(request.memberId)) return invalid("MemberId can't be empty.");
  }
  if (isBlank(request.groupId)) return invalid("GroupId can't be empty.");
  if (isBlank(request.instanceId)) return invalid("InstanceId can't be empty.");
  if (isBlank(request.rackId)) return invalid("RackId can't be empty.");
  if (epoch === 0) {
    if (request.rebalanceTimeoutMs === -1) {
      return invalid("RebalanceTimeoutMs must be provided in first request.");
    }
    if (request.topicPartitions === null || request.topicPartitions.length > 0) {
      return invalid("TopicPartitions must be empty when (re-)joining.");
    }
    if (request.subscribedTopicNames === null && request.subscribedTopicRegex === null) {
      return invalid(
        "Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.",
      );
    }
  } else if (epoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    if (request.instanceId === null) return invalid("InstanceId can't be null.");
  } else if (epoch < LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    return invalid("MemberEpoch is invalid.");
  }
  if (request.serverAssignor !== null && !assignorNames.includes(request.serverAssignor)) {
    return new KafkaError(
      ErrorCode.UNSUPPORTED_ASSIGNOR,
      `ServerAssignor ${request.serverAssignor} is not supported. Supported assignors: ${
        assignorNames.join(", ")
      }.`,
    );
  }
  if (request.subscribedTopicRegex !== null) return invalid("SubscribedTopicRegex is not supported yet.");
  return null;
}

/** Java's `trim().isEmpty()`: null is not blank; only characters up to U+0020 are trimmed. */
function isBlank(value: string | null): boolean {
  if (value === null) return false;
  for (let index = 0; index < value.length; index++) if (value.charCodeAt(index) > 0x20) return false;
  return true;
}
