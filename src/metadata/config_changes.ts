/**
 * Decisions on config changes (AlterConfigs, IncrementalAlterConfigs): which
 * ConfigRecords to write for a topic or broker resource, or why not.
 */
import { BROKER_CONFIGS, inertKeyWarning, TOPIC_CONFIGS } from "../config/mod.ts";
import { ErrorCode } from "../protocol/mod.ts";
import { validateBrokerConfigChange } from "./broker_config_validation.ts";
import { type Decision, validateTopicConfigs } from "./controller.ts";
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

/** A value may be null only to DELETE a key (Kafka's brokers refuse it before forwarding). */
function nullValueRefusal(name: string): Decision {
  return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Null value not supported for : ${name}` };
}

/** Whether APPEND and SUBTRACT apply to the key: only to lists, as in Kafka. */
function isListKey(resourceType: number, name: string): boolean {
  const table = resourceType === ConfigResourceType.Topic ? TOPIC_CONFIGS : BROKER_CONFIGS;
  return table.get(name)?.type === "list";
}

function validateValues(
  resourceType: number,
  resourceName: string,
  values: { name: string; value: string | null }[],
): Decision | null {
  return resourceType === ConfigResourceType.Topic
    ? validateTopicConfigs(values)
    : validateBrokerConfigChange(values, resourceName !== "");
}

/**
 * One warning per key a committed change set that Dafka stores but does not act on yet (see
 * config/acted_on.ts), for the controller to log.
 */
export function inertChangeWarnings(records: readonly MetadataRecord[]): string[] {
  const warnings: string[] = [];
  for (const record of records) {
    if (record.type !== MetadataRecordType.Config || record.value === null) continue;
    const scope = record.resourceType === ConfigResourceType.Topic ? "topic" : "broker";
    const where = scope === "topic" ? `topic ${record.resourceName}` : `broker '${record.resourceName}'`;
    const warning = inertKeyWarning(scope, record.name, `changed for ${where}`, true);
    if (warning) warnings.push(warning);
  }
  return warnings;
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
      return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: "Error due to duplicate config keys" };
    }
    seen.add(change.name);
    if (change.operation !== ConfigOperation.DELETE && change.value === null) {
      return nullValueRefusal(change.name);
    }
    const existing = current.get(change.name);
    switch (change.operation) {
      case ConfigOperation.SET:
        finalValues.push({ name: change.name, value: change.value });
        break;
      case ConfigOperation.DELETE:
        finalValues.push({ name: change.name, value: null });
        break;
      case ConfigOperation.APPEND:
      case ConfigOperation.SUBTRACT:
        if (!isListKey(resource.resourceType, change.name)) {
          const operation = change.operation === ConfigOperation.APPEND ? "APPEND" : "SUBTRACT";
          return {
            errorCode: ErrorCode.INVALID_CONFIG,
            errorMessage: `Can't ${operation} to key ${change.name} because its type is not LIST.`,
          };
        }
        finalValues.push({ name: change.name, value: combine(change.operation, existing, change.value) });
        break;
      default:
        return {
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: `Unknown config operation ${change.operation}`,
        };
    }
  }
  const invalid = resource.resourceType === ConfigResourceType.Topic
    ? validateTopicConfigs(mergedTopicConfigs(current, finalValues))
    : validateValues(resource.resourceType, resource.resourceName, finalValues);
  if (invalid) return invalid;
  return {
    records: finalValues.map((item) =>
      record(resource.resourceType, resource.resourceName, item.name, item.value)
    ),
  };
}

/**
 * A topic's overrides after a change, which Kafka validates as a whole. Stored keys this version does not
 * know (a removed key from a log written by an older Kafka) are left out, as Kafka skips them on replay.
 */
function mergedTopicConfigs(
  current: ReadonlyMap<string, string>,
  changed: { name: string; value: string | null }[],
): { name: string; value: string | null }[] {
  const changedNames = new Set(changed.map((entry) => entry.name));
  const kept = [...current].filter(([name]) => !changedNames.has(name) && TOPIC_CONFIGS.has(name))
    .map(([name, value]) => ({ name, value }));
  return [...kept, ...changed];
}

/** APPEND or SUBTRACT list items to or from the current value. */
function combine(operation: number, existing: string | undefined, given: string | null): string {
  const items = (
    text: string | null | undefined,
  ) => (text ? text.split(",").filter((item) => item !== "") : []);
  if (operation === ConfigOperation.APPEND) {
    const merged = items(existing);
    for (const item of items(given)) if (!merged.includes(item)) merged.push(item);
    return merged.join(",");
  }
  const removed = new Set(items(given));
  return items(existing).filter((item) => !removed.has(item)).join(",");
}

/** Legacy AlterConfigs: the given set replaces every existing override of the resource. */
export function decideAlter(
  image: MetadataImage,
  resource: { resourceType: number; resourceName: string; configs: { name: string; value: string | null }[] },
): Decision {
  const problem = checkResource(image, resource.resourceType, resource.resourceName);
  if (problem) return problem;
  const nullValue = resource.configs.find((entry) => entry.value === null);
  if (nullValue) return nullValueRefusal(nullValue.name);
  const invalid = validateValues(resource.resourceType, resource.resourceName, resource.configs);
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
