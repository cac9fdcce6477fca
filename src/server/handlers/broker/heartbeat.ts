/**
 * Heartbeat (key 12), v0-4: a classic group member's liveness, and how it
 * learns of a rebalance (REBALANCE_IN_PROGRESS). v3 adds the static
 * instance id, v4 is flexible. Answered at once: nothing is written.
 */
import { heartbeat } from "../../../protocol/messages/mod.ts";
import type { ApiHandler } from "../../handler.ts";
import { groupRequestSource } from "./_group_request.ts";

export const heartbeatHandler: ApiHandler<typeof heartbeat> = {
  schema: heartbeat,
  handle(context, body) {
    const response = context.services.groups.heartbeat({
      groupId: body.groupId,
      generationId: body.generationId,
      memberId: body.memberId,
      groupInstanceId: body.groupInstanceId ?? null,
    }, groupRequestSource(context));
    return { throttleTimeMs: 0, ...response };
  },
};
