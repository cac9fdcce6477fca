/**
 * DescribeGroups (key 15), v0-5: classic groups' state, protocol and
 * members (with metadata and assignment once Stable). A group that does not
 * exist is reported as Dead, as Kafka does. v3 may ask for the authorized
 * operations: without an authorizer, every group operation (READ, DELETE,
 * DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS); v4 adds instance ids; v5 is
 * flexible.
 */
import { describeGroups } from "../../../protocol/messages/mod.ts";
import type { ApiHandler } from "../../handler.ts";
import { GROUP_OPERATIONS, OPERATIONS_NOT_REQUESTED } from "../../../security/mod.ts";

export const describeGroupsHandler: ApiHandler<typeof describeGroups> = {
  schema: describeGroups,
  async handle(context, body) {
    const authorizedOperations = body.includeAuthorizedOperations
      ? GROUP_OPERATIONS
      : OPERATIONS_NOT_REQUESTED;
    const described = await context.services.groups.describeGroups(body.groups);
    const groups = described.map((group) => ({
      ...group,
      authorizedOperations,
    }));
    return { throttleTimeMs: 0, groups };
  },
};
