/**
 * Typed configuration entries, parsed from Kafka's string forms.
 */

export type ConfigType =
  | "int"
  | "short"
  | "long"
  | "double"
  | "boolean"
  | "string"
  | "list"
  | "password"
  | "class";

/**
 * How a broker key may change at runtime (Kafka's "Dynamic Update Mode"): "per-broker" only for one broker
 * id, "cluster-wide" as the cluster default or for one broker. A key without a mode is read-only.
 */
export type UpdateMode = "per-broker" | "cluster-wide";

/** Validations that are more than bounds or a list of values. */
export type ValueCheck = "throttledReplicas" | "nonEmptyString";

/** One row of a settings table (broker_configs_*.ts, topic_configs.ts), keyed by the setting's name. */
export interface SettingSpec {
  type: ConfigType;
  /** Kafka's default in its string form; null when the key has none (its value is null). */
  default: string | null;
  /** Kafka has no default and needs a value (node.id, process.roles). */
  required?: boolean;
  /** Inclusive bounds for numbers. */
  min?: number;
  max?: number;
  /** Allowed values for strings (and each element of lists). */
  oneOf?: readonly string[];
  /** oneOf ignores case. */
  caseInsensitive?: boolean;
  mode?: UpdateMode;
  check?: ValueCheck;
  /** Kafka's internal keys: accepted, but not listed by DescribeConfigs. */
  internal?: boolean;
  /** Only a dynamic config (Kafka's broker quota configs): not a server.properties key, listed only when set. */
  dynamicOnly?: boolean;
}

/** One configuration key as Kafka documents it. */
export interface ConfigDefinition extends Omit<SettingSpec, "default"> {
  name: string;
  /** Default in Kafka's string form; null means "no default" (null value). */
  defaultValue: string | null;
}

/** A settings table as definitions by name. */
export function definitionsOf(table: Readonly<Record<string, SettingSpec>>): Map<string, ConfigDefinition> {
  const out = new Map<string, ConfigDefinition>();
  for (const [name, spec] of Object.entries(table)) {
    const { default: defaultValue, ...rest } = spec;
    out.set(name, { name, defaultValue, ...rest });
  }
  return out;
}

/** Whether AlterConfigs may change the broker key at runtime. */
export function isDynamic(definition: ConfigDefinition): boolean {
  return definition.mode !== undefined;
}

/** A configuration value failed validation; the message names the key. */
export class ConfigError extends Error {
  constructor(readonly key: string, message: string) {
    super(`Invalid value for configuration ${key}: ${message}`);
    this.name = "ConfigError";
  }
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const SHORT_MIN = -32768;
const SHORT_MAX = 32767;
/** Kafka's Long.MAX_VALUE and MIN_VALUE, which settings use for "no limit". */
const LONG_MAX = "9223372036854775807";
const LONG_MIN = "-9223372036854775808";

/** Parses and validates `raw` for `definition`; throws ConfigError naming the key. */
export function parseConfigValue(
  definition: ConfigDefinition,
  raw: string,
): string | number | boolean | string[] {
  const text = raw.trim();
  const fail = (why: string): never => {
    throw new ConfigError(definition.name, `${JSON.stringify(raw)} ${why}`);
  };
  switch (definition.type) {
    case "int":
    case "short":
    case "long":
      return parseInteger(definition, text, fail);
    case "double": {
      const value = Number(text);
      if (text === "" || Number.isNaN(value)) fail("is not a number");
      checkBounds(definition, value, fail);
      return value;
    }
    case "boolean": {
      const lower = text.toLowerCase();
      if (lower !== "true" && lower !== "false") fail("is not a boolean (true or false)");
      return lower === "true";
    }
    case "list": {
      const items = text === "" ? [] : text.split(",").map((item) => item.trim());
      if (definition.oneOf) {
        for (const item of items) {
          if (!definition.oneOf.includes(item)) fail(`must be among ${definition.oneOf}`);
        }
      }
      if (definition.check === "throttledReplicas") checkThrottledReplicas(items, fail);
      return items;
    }
    default: {
      const allowed = definition.caseInsensitive
        ? definition.oneOf?.some((value) => value.toLowerCase() === text.toLowerCase())
        : definition.oneOf?.includes(text);
      if (allowed === false) fail(`must be one of ${definition.oneOf!.join(", ")}`);
      if (definition.check === "nonEmptyString" && text === "") fail("must be non-empty");
      return text;
    }
  }
}

/**
 * Integers as numbers. Kafka's ints and shorts always fit; a long becomes a number only within the safe
 * integer range (2^53 - 1), where it is exact. Long.MAX_VALUE and MIN_VALUE, which Kafka's settings use for
 * "no limit", become Number.MAX_SAFE_INTEGER and MIN_SAFE_INTEGER; any other long outside the safe range is
 * refused rather than rounded.
 */
function parseInteger(definition: ConfigDefinition, text: string, fail: (why: string) => never): number {
  if (!/^[-+]?\d+$/.test(text)) fail("is not an integer");
  const digits = text.replace(/^\+/, "").replace(/^(-?)0+(?=\d)/, "$1");
  if (definition.type === "long" && (digits === LONG_MAX || digits === LONG_MIN)) {
    return digits === LONG_MAX ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  }
  const value = Number(digits);
  if (definition.type === "int" && (value < INT_MIN || value > INT_MAX)) fail("is out of the int range");
  if (definition.type === "short" && (value < SHORT_MIN || value > SHORT_MAX)) {
    fail("is out of the short range");
  }
  if (!Number.isSafeInteger(value)) fail("is outside the integer range Dafka represents exactly (2^53 - 1)");
  checkBounds(definition, value, fail);
  return value;
}

/** Kafka's throttled-replica lists: "*", or partition:broker pairs. */
function checkThrottledReplicas(items: string[], fail: (why: string) => never): void {
  if (items.length === 1 && items[0] === "*") return;
  if (items.every((item) => /^\d+:\d+$/.test(item))) return;
  fail("must be the literal '*' or a list of replicas in the format [partitionId]:[brokerId],...");
}

function checkBounds(definition: ConfigDefinition, value: number, fail: (why: string) => never): void {
  if (definition.min !== undefined && value < definition.min) fail(`is below the minimum ${definition.min}`);
  if (definition.max !== undefined && value > definition.max) fail(`is above the maximum ${definition.max}`);
}
