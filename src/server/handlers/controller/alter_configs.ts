/**
 * AlterConfigs (key 33), v0-2: the legacy, non-incremental form, where the
 * given settings replace all of a resource's overrides. v2: flexible.
 */
import { ErrorCode } from "../../../protocol/mod.ts";
import { alterConfigs } from "../../../protocol/messages/mod.ts";
import { isRefusal } from "../../../metadata/mod.ts";
import { controllerApi, mapInOrder } from "../../controller/mod.ts";

export const alterConfigsHandler = controllerApi({
  schema: alterConfigs,
  async control(context, body) {
    const services = context.services;
    const responses = await mapInOrder(body.resources, async (resource) => {
      const decision = await services.control.alterConfigs({
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
        configs: resource.configs.map((entry) => ({ name: entry.name, value: entry.value })),
      }, body.validateOnly);
      const outcome = isRefusal(decision) ? decision : { errorCode: ErrorCode.NONE, errorMessage: null };
      return { ...outcome, resourceType: resource.resourceType, resourceName: resource.resourceName };
    });
    return { throttleTimeMs: 0, responses };
  },
  refuse(body, _version, errorCode, errorMessage) {
    return {
      throttleTimeMs: 0,
      responses: body.resources.map((resource) => ({
        errorCode,
        errorMessage,
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
      })),
    };
  },
});
