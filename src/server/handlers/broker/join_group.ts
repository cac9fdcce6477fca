/**
 * JoinGroup (key 11), v0-9: a classic group member joins or rejoins.
 * v0 has no rebalance timeout (the session timeout serves, as Kafka sets
 * it); v4 answers a new dynamic member MEMBER_ID_REQUIRED with the id to
 * rejoin with (KIP-394); v5 adds static membership (KIP-345); v6 is
 * flexible; v7 returns the protocol type; v8 adds a reason; v9 lets a
 * returning static leader skip the assignment (KIP-814). The response waits
 * for the rebalance's join phase to end.
 */
import type { JoinProtocol } from "../../../group/mod.ts";
import { joinGroup } from "../../../protocol/messages/mod.ts";
import type { ApiHandler } from "../../handler.ts";
import { groupRequestSource } from "./_group_request.ts";

export const joinGroupHandler: ApiHandler<typeof joinGroup> = {
  schema: joinGroup,
  async handle(context, body) {
    const sessionTimeoutMs = body.sessionTimeoutMs;
    const rebalanceTimeoutMs = context.version === 0 ? sessionTimeoutMs : body.rebalanceTimeoutMs;
    const protocols: JoinProtocol[] = body.protocols.map((protocol) => ({
      name: protocol.name,
      metadata: protocol.metadata,
    }));
    const response = await context.services.groups.joinGroup({
      groupId: body.groupId,
      sessionTimeoutMs,
      rebalanceTimeoutMs,
      memberId: body.memberId,
      groupInstanceId: body.groupInstanceId ?? null,
      protocolType: body.protocolType,
      protocols,
      reason: body.reason ?? null,
    }, groupRequestSource(context));
    return { throttleTimeMs: 0, ...response };
  },
};
