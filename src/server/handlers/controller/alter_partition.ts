/**
 * AlterPartition (key 56), v0-3, served by the active controller on its
 * controller listener: a partition's leader changes its ISR (KIP-497) or
 * reports it recovered after an unclean election (KIP-704). The answer comes
 * once the change is committed, so a leader that hears it may act on it.
 * Errors are per partition, except a stale epoch of the asking broker, which
 * fails the whole request (and is what `refuse` answers with any error).
 */
import { alterPartition } from "../../../protocol/messages/mod.ts";
import { controllerApi } from "../../controller/mod.ts";

export const alterPartitionHandler = controllerApi({
  schema: alterPartition,
  async control(context, body) {
    const response = await context.services.control.alterPartition({ ...body, version: context.version });
    return { throttleTimeMs: 0, ...response };
  },
  refuse(_body, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, topics: [] };
  },
});
