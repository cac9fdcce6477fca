/**
 * ListGroups (key 16), v0-5: the groups this node coordinates. v3 is
 * flexible, v4 filters by state (KIP-518) and returns each group's state,
 * v5 filters by type, "classic" or "consumer" (KIP-848), and returns it.
 * Filters compare case-insensitively, as Kafka's do.
 */
import { listGroups } from "../../../protocol/messages/mod.ts";
import type { ApiHandler } from "../../handler.ts";

export const listGroupsHandler: ApiHandler<typeof listGroups> = {
  schema: listGroups,
  async handle(context, body) {
    const response = await context.services.groups.listGroups(
      body.statesFilter ?? [],
      body.typesFilter ?? [],
    );
    return { throttleTimeMs: 0, ...response };
  },
};
