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

/** Bits of Kafka's AclOperation codes: READ 3, DELETE 6, DESCRIBE 8, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11. */
const GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11);
/** Kafka's "not requested" value. */
const OPERATIONS_NOT_REQUESTED = -2147483648;

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
