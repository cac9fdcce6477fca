/**
 * DeleteGroups (key 42), v0-2: deletes empty groups with their committed
 * offsets (NON_EMPTY_GROUP while members remain, GROUP_ID_NOT_FOUND for an
 * unknown group). Each group is named once in the response, in request
 * order. v2 is flexible.
 */
import { deleteGroups } from "../../../protocol/messages/mod.ts";
import type { ApiHandler } from "../../handler.ts";

export const deleteGroupsHandler: ApiHandler<typeof deleteGroups> = {
  schema: deleteGroups,
  async handle(context, body) {
    const groupIds = [...new Set(body.groupsNames)];
    const results = await context.services.groups.deleteGroups(groupIds);
    return { throttleTimeMs: 0, results };
  },
};
