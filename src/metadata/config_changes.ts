/**
 * Decisions on config changes (AlterConfigs, IncrementalAlterConfigs): which
 * ConfigRecords to write for a topic or broker resource, or why not.
 */
import { BROKER_CONFIGS } from "../config/broker_configs.ts";
import { ConfigError, parseConfigValue } from "../config/config_types.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { Decision } from "./controller.ts";
import { validateTopicConfigs } from "./controller.ts";
import type { MetadataImage } from "./image.ts";
import { ConfigResourceType, type MetadataRecord, MetadataRecordType } from "./records.ts";

export const ConfigOperation = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export interface ConfigChange {
  name: string;
  operation: number;
  value: string | null;
}

/**
 * Checks that the resource exists, as Kafka's controller does: a topic must exist, a broker resource is the
 * cluster default ("") or the id of a registered broker. The controller decides for every broker, not only
 * for itself: a broker forwards a change to its own configs to whichever node is the active controller.
 */
function checkResource(image: MetadataImage, resourceType: number, resourceName: string): Decision | null {
  if (resourceType === ConfigResourceType.Topic) {
    if (!image.topicsByName.has(resourceName)) {
      return {
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: `Topic ${resourceName} does not exist.`,
      };
    }
    return null;
  }
  if (resourceType === ConfigResourceType.Broker) return checkBrokerName(image, resourceName);
  return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported resource type ${resourceType}.` };
}

function checkBrokerName(image: MetadataImage, resourceName: string): Decision | null {
  if (resourceName === "") return null;
  if (!/^\d+$/.test(resourceName)) {
    return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Invalid broker name ${resourceName}` };
  }
  if (!image.brokers.has(Number(resourceName))) {
    return {
      errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED,
      errorMessage: `No node with id ${resourceName} found.`,
    };
  }
  return null;
}

function validateBrokerConfigs(changes: { name: string; value: string | null }[]): Decision | null {
  for (const change of changes) {
    const definition = BROKER_CONFIGS.get(change.name);
    if (!definition) {
      return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: `Unknown broker config ${change.name}` };
    }
    if (!definition.dynamic) {
      return {
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: `Cannot update these configs dynamically: [${change.name}]`,
      };
    }
    if (change.value === null) continue;
    try {
      parseConfigValue(definition, change.value);
    } catch (error) {
      return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: (error as ConfigError).message };
    }
  }
  return null;
}

function record(
  resourceType: number,
  resourceName: string,
  name: string,
  value: string | null,
): MetadataRecord {
  return { type: MetadataRecordType.Config, resourceType, resourceName, name, value };
}

/** Applies incremental operations to the current values and returns the records. */
export function decideIncrementalAlter(
  image: MetadataImage,
  resource: { resourceType: number; resourceName: string; changes: ConfigChange[] },
): Decision {
  const problem = checkResource(image, resource.resourceType, resource.resourceName);
  if (problem) return problem;
  const current = image.configsOf(resource.resourceType, resource.resourceName);
  const finalValues: { name: string; value: string | null }[] = [];
  const seen = new Set<string>();
  for (const change of resource.changes) {
    if (seen.has(change.name)) {
      return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Duplicate config ${change.name}` };
    }
    seen.add(change.name);
    const existing = current.get(change.name);
    const items = (
      text: string | null | undefined,
    ) => (text ? text.split(",").filter((item) => item !== "") : []);
    switch (change.operation) {
      case ConfigOperation.SET:
        finalValues.push({ name: change.name, value: change.value });
        break;
      case ConfigOperation.DELETE:
        finalValues.push({ name: change.name, value: null });
        break;
      case ConfigOperation.APPEND: {
        const merged = items(existing);
        for (const item of items(change.value)) if (!merged.includes(item)) merged.push(item);
        finalValues.push({ name: change.name, value: merged.join(",") });
        break;
      }
      case ConfigOperation.SUBTRACT: {
        const removed = new Set(items(change.value));
        finalValues.push({
          name: change.name,
          value: items(existing).filter((item) => !removed.has(item)).join(","),
        });
        break;
      }
      default:
        return {
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: `Unknown config operation ${change.operation}`,
        };
    }
  }
  const invalid = resource.resourceType === ConfigResourceType.Topic
    ? validateTopicConfigs(finalValues)
    : validateBrokerConfigs(finalValues);
  if (invalid) return invalid;
  return {
    records: finalValues.map((item) =>
      record(resource.resourceType, resource.resourceName, item.name, item.value)
    ),
  };
}

/** Legacy AlterConfigs: the given set replaces every existing override of the resource. */
export function decideAlter(
  image: MetadataImage,
  resource: { resourceType: number; resourceName: string; configs: { name: string; value: string | null }[] },
): Decision {
  const problem = checkResource(image, resource.resourceType, resource.resourceName);
  if (problem) return problem;
  const invalid = resource.resourceType === ConfigResourceType.Topic
    ? validateTopicConfigs(resource.configs)
    : validateBrokerConfigs(resource.configs);
  if (invalid) return invalid;
  const given = new Set(resource.configs.map((entry) => entry.name));
  const records: MetadataRecord[] = [];
  for (const name of image.configsOf(resource.resourceType, resource.resourceName).keys()) {
    if (!given.has(name)) records.push(record(resource.resourceType, resource.resourceName, name, null));
  }
  for (const entry of resource.configs) {
    records.push(record(resource.resourceType, resource.resourceName, entry.name, entry.value));
  }
  return { records };
}
