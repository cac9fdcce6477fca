/**
 * IncrementalAlterConfigs (key 44), v0-1 (KIP-339): SET, DELETE, APPEND,
 * SUBTRACT on topic and broker resources. v1: flexible.
 */
import { incrementalAlterConfigs } from "../../../protocol/messages/mod.ts";
import { controllerApi, mapInOrder } from "../../controller/mod.ts";
import { refusedResources, resourceResult } from "./_config_resources.ts";

export const incrementalAlterConfigsHandler = controllerApi({
  schema: incrementalAlterConfigs,
  async control(context, body) {
    const services = context.services;
    const responses = await mapInOrder(body.resources, async (resource) => {
      const decision = await services.control.incrementalAlterConfigs({
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
        changes: resource.configs.map((entry) => ({
          name: entry.name,
          operation: entry.configOperation,
          value: entry.value,
        })),
      }, body.validateOnly);
      return resourceResult(resource, decision);
    });
    return { throttleTimeMs: 0, responses };
  },
  refuse(body, _version, errorCode, errorMessage) {
    return refusedResources(body.resources, errorCode, errorMessage);
  },
});
