/**
 * LeaveGroup (key 13), v0-5: members leave a classic group at once, so
 * their partitions move without waiting for a session timeout. v0-2 name one
 * member; v3 a batch, each by member id or (an administrator removing a
 * static member) by instance id alone; v4 is flexible; v5 adds reasons.
 * Before v3 the response has no per-member results: the first member's
 * error is the response's error, as Kafka reports it.
 */
import { ErrorCode } from "../../../protocol/mod.ts";
import { leaveGroup } from "../../../protocol/messages/mod.ts";
import type { ApiHandler } from "../../handler.ts";
import { groupRequestSource } from "./_group_request.ts";

const FIRST_BATCHED_VERSION = 3;

export const leaveGroupHandler: ApiHandler<typeof leaveGroup> = {
  schema: leaveGroup,
  async handle(context, body) {
    const batched = context.version >= FIRST_BATCHED_VERSION;
    const members = batched
      ? body.members.map((member) => ({
        memberId: member.memberId,
        groupInstanceId: member.groupInstanceId,
        reason: member.reason,
      }))
      : [{ memberId: body.memberId, groupInstanceId: null, reason: null }];
    const response = await context.services.groups.leaveGroup(
      { groupId: body.groupId, members },
      groupRequestSource(context),
    );
    if (batched) return { throttleTimeMs: 0, ...response };
    const memberError = response.members[0]?.errorCode ?? ErrorCode.NONE;
    return {
      throttleTimeMs: 0,
      errorCode: response.errorCode !== ErrorCode.NONE ? response.errorCode : memberError,
      members: [],
    };
  },
};
