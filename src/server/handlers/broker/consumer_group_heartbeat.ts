/**
 * ConsumerGroupHeartbeat (key 68), v0-1: the KIP-848 consumer protocol's one
 * request for joining, heartbeating, subscribing, acknowledging assignments
 * and leaving (member epoch -1, or -2 for a static member). Flexible in
 * every version. v1 requires the member id from the client on joins
 * (KIP-1082) and adds SubscribedTopicRegex, which Dafka refuses with
 * INVALID_REQUEST (regular-expression subscriptions are not served yet).
 *
 * Answered once the records it produced are durable. UNSUPPORTED_VERSION
 * when `group.coordinator.rebalance.protocols` leaves out "consumer", as
 * Kafka answers when the protocol is disabled.
 */
import type { ConsumerGroupHeartbeatRequest } from "../../../group/consumer/mod.ts";
import { ErrorCode } from "../../../protocol/mod.ts";
import { consumerGroupHeartbeat } from "../../../protocol/messages/mod.ts";
import { heartbeatError } from "../../../group/mod.ts";
import type { ApiHandler } from "../../handler.ts";
import { groupRequestSource } from "./_group_request.ts";

export const consumerGroupHeartbeatHandler: ApiHandler<typeof consumerGroupHeartbeat> = {
  schema: consumerGroupHeartbeat,
  handle(context, body) {
    const protocols = context.services.settings.config.list("group.coordinator.rebalance.protocols");
    if (!protocols.map((name) => name.trim().toLowerCase()).includes("consumer")) {
      return { ...heartbeatError(ErrorCode.UNSUPPORTED_VERSION, "The version of API is not supported.") };
    }
    return context.services.groups.consumerGroupHeartbeat(
      body as unknown as ConsumerGroupHeartbeatRequest,
      groupRequestSource(context),
    ).then((response) => ({ ...response }));
  },
};
