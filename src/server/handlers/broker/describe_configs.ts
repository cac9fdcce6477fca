/**
 * DescribeConfigs (key 32), v0-4.
 * v1: synonyms and config source. v3: config type and documentation.
 * v4: flexible. Topic and broker resources; an empty key list means all keys.
 */
import { ErrorCode, type RequestOf } from "../../../protocol/mod.ts";
import { describeConfigs } from "../../../protocol/messages/mod.ts";
import { ConfigResourceType } from "../../../metadata/mod.ts";
import { ConfigSource } from "../../../config/mod.ts";
import { brokerConfigEntries, type ConfigEntry, topicConfigEntries } from "../../config_view.ts";
import type { ApiHandler, RequestContext } from "../../handler.ts";

function entriesFor(
  context: RequestContext,
  resource: RequestOf<typeof describeConfigs>["resources"][number],
): ConfigEntry[] | { errorCode: number; errorMessage: string } {
  const services = context.services;
  if (resource.resourceType === ConfigResourceType.Topic) {
    if (!services.metadata.image.topicsByName.has(resource.resourceName)) {
      return {
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: `Topic ${resource.resourceName} does not exist.`,
      };
    }
    return topicConfigEntries(services, resource.resourceName);
  }
  if (resource.resourceType === ConfigResourceType.Broker) {
    if (resource.resourceName !== "" && resource.resourceName !== String(services.metadata.nodeId)) {
      return {
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage:
          `Unexpected broker id, expected ${services.metadata.nodeId} or empty string, but received ${resource.resourceName}`,
      };
    }
    return brokerConfigEntries(services, resource.resourceName);
  }
  if (resource.resourceType === ConfigResourceType.BrokerLogger) return [];
  return {
    errorCode: ErrorCode.INVALID_REQUEST,
    errorMessage: `Unsupported resource type ${resource.resourceType}`,
  };
}

export const describeConfigsHandler: ApiHandler<typeof describeConfigs> = {
  schema: describeConfigs,
  handle(context, body) {
    const results = body.resources.map((resource) => {
      const entries = entriesFor(context, resource);
      const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
      if (!Array.isArray(entries)) return { ...base, ...entries, configs: [] };
      const keys = resource.configurationKeys;
      const selected = keys && keys.length > 0
        ? entries.filter((entry) => keys.includes(entry.name))
        : entries;
      return {
        ...base,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        configs: selected.map((entry) => ({
          name: entry.name,
          value: entry.value,
          readOnly: entry.readOnly,
          isDefault: entry.source === ConfigSource.DEFAULT_CONFIG,
          configSource: entry.source,
          isSensitive: entry.isSensitive,
          synonyms: body.includeSynonyms ? entry.synonyms : [],
          configType: entry.configType,
          documentation: null,
        })),
      };
    });
    return { throttleTimeMs: 0, results };
  },
};
