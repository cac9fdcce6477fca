/**
 * AlterConfigs (key 33), v0-2: the legacy, non-incremental form, where the
 * given settings replace all of a resource's overrides. v2: flexible.
 */
import { alterConfigs } from "../../../protocol/messages/mod.ts";
import { controllerApi, mapInOrder } from "../../controller/mod.ts";
import { refusedResources, resourceResult } from "./_config_resources.ts";

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
      return resourceResult(resource, decision);
    });
    return { throttleTimeMs: 0, responses };
  },
  refuse(body, _version, errorCode, errorMessage) {
    return refusedResources(body.resources, errorCode, errorMessage);
  },
});
