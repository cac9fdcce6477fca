/**
 * ConsumerGroupDescribe (key 69), v0-1: KIP-848 consumer groups with their
 * epochs, assignor, and each member's subscription, current and target
 * assignment. Flexible in every version; v1 adds each member's type
 * (KIP-1099: 1, a consumer-protocol member). GROUP_ID_NOT_FOUND for an
 * unknown group and for a classic group ("Group X is not a consumer
 * group."), INVALID_GROUP_ID for "", NOT_COORDINATOR and
 * COORDINATOR_LOAD_IN_PROGRESS as for the other group APIs. With
 * includeAuthorizedOperations, every group operation (no authorizer).
 */
import { consumerGroupDescribe } from "../../../protocol/messages/mod.ts";
import type { ApiHandler } from "../../handler.ts";
import { GROUP_OPERATIONS, OPERATIONS_NOT_REQUESTED } from "../../../security/mod.ts";

export const consumerGroupDescribeHandler: ApiHandler<typeof consumerGroupDescribe> = {
  schema: consumerGroupDescribe,
  async handle(context, body) {
    const described = await context.services.groups.describeConsumerGroups(body.groupIds);
    const groups = described.map((group) => ({
      ...group,
      authorizedOperations: body.includeAuthorizedOperations && group.errorCode === 0
        ? GROUP_OPERATIONS
        : OPERATIONS_NOT_REQUESTED,
    }));
    return { throttleTimeMs: 0, groups };
  },
};
