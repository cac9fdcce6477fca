/**
 * AlterConfigs (key 33), v0-2: the legacy, non-incremental form, where the
 * given settings replace all of a resource's overrides. v2: flexible.
 */
import type { Message } from "../../protocol/codec.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import { alterConfigs } from "../../protocol/messages/alter_configs.ts";
import { decideAlter, inertChangeWarnings } from "../../metadata/config_changes.ts";
import { isRefusal } from "../../metadata/controller.ts";
import { controllerApi, mapInOrder } from "../controller/controller_api.ts";

export const alterConfigsHandler = controllerApi({
  schema: alterConfigs,
  async control(context, body) {
    const broker = context.broker;
    const responses = await mapInOrder(body.resources as Message[], async (resource) => {
      const decision = decideAlter(broker.image, {
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
        configs: (resource.configs as Message[]).map((entry) => ({ name: entry.name, value: entry.value })),
      });
      const outcome = isRefusal(decision) ? decision : { errorCode: ErrorCode.NONE, errorMessage: null };
      if (!isRefusal(decision) && !body.validateOnly) {
        await broker.quorum.propose(decision.records);
        for (const warning of inertChangeWarnings(decision.records)) broker.world.log(warning);
      }
      return { ...outcome, resourceType: resource.resourceType, resourceName: resource.resourceName };
    });
    return { throttleTimeMs: 0, responses };
  },
  refuse(body, _version, errorCode, errorMessage) {
    return {
      throttleTimeMs: 0,
      responses: (body.resources as Message[]).map((resource) => ({
        errorCode,
        errorMessage,
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
      })),
    };
  },
});
