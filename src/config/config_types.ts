/**
 * Typed configuration entries, parsed from Kafka's string forms.
 */

export type ConfigType = "int" | "long" | "double" | "boolean" | "string" | "list" | "password" | "class";

/** One configuration key as Kafka documents it. */
export interface ConfigDefinition {
  name: string;
  type: ConfigType;
  /** Default in Kafka's string form; null means "no default" (null value). */
  defaultValue: string | null;
  /** Whether start-up must fail when the key has no value. */
  required?: boolean;
  /** Inclusive bounds for numbers. */
  min?: number;
  max?: number;
  /** Allowed values for strings (and each element of lists). */
  oneOf?: readonly string[];
  /** Whether changing it at runtime is accepted (dynamic broker configs). */
  dynamic?: boolean;
  /** Whether DescribeConfigs must hide the value. */
  sensitive?: boolean;
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
    case "long": {
      if (!/^-?\d+$/.test(text)) fail("is not an integer");
      const value = Number(text);
      if (definition.type === "int" && (value < INT_MIN || value > INT_MAX)) fail("is out of the int range");
      if (!Number.isSafeInteger(value) && text !== "9223372036854775807") fail("is out of range");
      checkBounds(definition, value, fail);
      return Number.isSafeInteger(value) ? value : Number.MAX_SAFE_INTEGER;
    }
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
      return items;
    }
    default: {
      if (definition.oneOf && !definition.oneOf.includes(text)) {
        fail(`must be one of ${definition.oneOf.join(", ")}`);
      }
      return text;
    }
  }
}

function checkBounds(definition: ConfigDefinition, value: number, fail: (why: string) => never): void {
  if (definition.min !== undefined && value < definition.min) fail(`is below the minimum ${definition.min}`);
  if (definition.max !== undefined && value > definition.max) fail(`is above the maximum ${definition.max}`);
}
