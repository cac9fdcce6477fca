/**
 * A compact declarative description of Kafka messages.
 *
 * Each API is described once: its version range, the first flexible version,
 * and the fields of its request and response with the versions in which each
 * field exists, is nullable, or is a tagged field. `codec.ts` interprets these
 * descriptions; nothing else in Dafka hand-writes a message layout.
 *
 * Version ranges are written as Kafka writes them: "0+", "3-7", "none".
 */

export type Primitive =
  | "int8"
  | "int16"
  | "uint16"
  | "int32"
  | "uint32"
  | "int64"
  | "float64"
  | "bool"
  | "string"
  | "bytes"
  | "records"
  | "uuid";

export type FieldType = Primitive | { array: FieldType } | { struct: Field[] };

export interface Field {
  /** camelCase name used as the property of the decoded object. */
  name: string;
  type: FieldType;
  /** Versions in which the field is present. */
  versions: string;
  /** Versions in which the field may be null (strings, bytes, records, arrays, structs). */
  nullable?: string;
  /** Tag number when this is a tagged field (then `versions` are the tagged versions). */
  tag?: number;
  /** Value when absent from the version; defaults by type otherwise. */
  default?: unknown;
}

export interface ApiSchema {
  apiKey: number;
  name: string;
  /** Versions Dafka implements, e.g. "0-11". */
  versions: string;
  /** First flexible version, e.g. "9+", or "none". */
  flexible: string;
  request: Field[];
  response: Field[];
}

/** A parsed version range: [min, max], with max = Infinity for "N+". */
export interface VersionRange {
  min: number;
  max: number;
}

const rangeCache = new Map<string, VersionRange>();

/** Parses "0+", "3-7", "5" or "none". */
export function parseRange(text: string): VersionRange {
  const cached = rangeCache.get(text);
  if (cached) return cached;
  let range: VersionRange;
  if (text === "none") range = { min: 1, max: 0 };
  else if (text.endsWith("+")) range = { min: Number(text.slice(0, -1)), max: Infinity };
  else if (text.includes("-")) {
    const [low, high] = text.split("-");
    range = { min: Number(low), max: Number(high) };
  } else range = { min: Number(text), max: Number(text) };
  if (Number.isNaN(range.min) || Number.isNaN(range.max)) throw new Error(`bad version range ${text}`);
  rangeCache.set(text, range);
  return range;
}

export function inRange(text: string | undefined, version: number): boolean {
  if (text === undefined) return false;
  const range = parseRange(text);
  return version >= range.min && version <= range.max;
}

/** A field; `options` carries nullable versions, a tag or a default. */
export function field(
  name: string,
  type: FieldType,
  versions: string,
  options: { nullable?: string; tag?: number; default?: unknown } = {},
): Field {
  return { name, type, versions, ...options };
}

/** An array of `type`. */
export function arrayOf(type: FieldType): FieldType {
  return { array: type };
}

/** A nested structure. */
export function struct(fields: Field[]): FieldType {
  return { struct: fields };
}

/** Array of structs, the most common compound type. */
export function structs(fields: Field[]): FieldType {
  return { array: { struct: fields } };
}
