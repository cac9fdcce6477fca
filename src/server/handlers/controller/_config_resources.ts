/**
 * What AlterConfigs and IncrementalAlterConfigs answer alike: one result per
 * resource, in request order, each the controller's decision (or one error
 * for all of them when no controller could decide).
 */
import { type Decision, isRefusal } from "../../../metadata/mod.ts";
import { ErrorCode } from "../../../protocol/mod.ts";

interface Resource {
  resourceType: number;
  resourceName: string;
}

/** A resource's result from the controller's decision about it. */
export function resourceResult(resource: Resource, decision: Decision) {
  const outcome = isRefusal(decision) ? decision : { errorCode: ErrorCode.NONE, errorMessage: null };
  return { ...outcome, resourceType: resource.resourceType, resourceName: resource.resourceName };
}

/** Every resource failed with one error. */
export function refusedResources(resources: readonly Resource[], errorCode: number, errorMessage: string) {
  return {
    throttleTimeMs: 0,
    responses: resources.map((resource) => ({
      errorCode,
      errorMessage,
      resourceType: resource.resourceType,
      resourceName: resource.resourceName,
    })),
  };
}
