/**
 * SyncGroup (key 14), v0-5: members of a new generation fetch their
 * assignment; the leader's request carries everyone's. v3 adds the static
 * instance id, v4 is flexible, v5 checks and returns the protocol type and
 * name (KIP-559). The response waits for the leader's assignment to be
 * persisted.
 */
import { syncGroup } from "../../../protocol/messages/mod.ts";
import type { ApiHandler } from "../../handler.ts";
import { groupRequestSource } from "./_group_request.ts";

export const syncGroupHandler: ApiHandler<typeof syncGroup> = {
  schema: syncGroup,
  async handle(context, body) {
    const response = await context.services.groups.syncGroup({
      groupId: body.groupId,
      generationId: body.generationId,
      memberId: body.memberId,
      groupInstanceId: body.groupInstanceId ?? null,
      protocolType: body.protocolType ?? null,
      protocolName: body.protocolName ?? null,
      assignments: body.assignments.map((entry) => ({
        memberId: entry.memberId,
        assignment: entry.assignment,
      })),
    }, groupRequestSource(context));
    return { throttleTimeMs: 0, ...response };
  },
};
