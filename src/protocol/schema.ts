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

/**
 * The descriptions are read-only so that a schema written `as const satisfies
 * ApiSchema` keeps its literal types: `message_types.ts` derives each message's
 * TypeScript type from them, at no runtime cost.
 */
export type FieldType = Primitive | { readonly array: FieldType } | { readonly struct: readonly Field[] };

export interface Field {
  /** camelCase name used as the property of the decoded object. */
  readonly name: string;
  readonly type: FieldType;
  /** Versions in which the field is present. */
  readonly versions: string;
  /** Versions in which the field may be null (strings, bytes, records, arrays, structs). */
  readonly nullable?: string;
  /** Tag number when this is a tagged field (then `versions` are the tagged versions). */
  readonly tag?: number;
  /** Value when absent from the version; defaults by type otherwise. */
  readonly default?: unknown;
}

/** What a field may carry besides its name, type and versions. */
export interface FieldOptions {
  readonly nullable?: string;
  readonly tag?: number;
  readonly default?: unknown;
}

export interface ApiSchema {
  readonly apiKey: number;
  readonly name: string;
  /** Versions Dafka implements, e.g. "0-11". */
  readonly versions: string;
  /** First flexible version, e.g. "9+", or "none". */
  readonly flexible: string;
  readonly request: readonly Field[];
  readonly response: readonly Field[];
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

/**
 * A field; `options` carries nullable versions, a tag or a default. The
 * builders are generic only so that the literal name, type, versions and
 * options survive into the field's type; at runtime they build the same plain
 * objects as before.
 */
export function field<
  const Name extends string,
  const Type extends FieldType,
  const Versions extends string,
  // deno-lint-ignore ban-types
  const Options extends FieldOptions = {},
>(
  name: Name,
  type: Type,
  versions: Versions,
  options: Options = {} as Options,
): { readonly name: Name; readonly type: Type; readonly versions: Versions } & NoInfer<Options> {
  return { name, type, versions, ...options };
}

/** An array of `type`. */
export function arrayOf<const Type extends FieldType>(type: Type): { readonly array: Type } {
  return { array: type };
}

/** A nested structure. */
export function struct<const Fields extends readonly Field[]>(fields: Fields): { readonly struct: Fields } {
  return { struct: fields };
}

/** Array of structs, the most common compound type. */
export function structs<const Fields extends readonly Field[]>(
  fields: Fields,
): { readonly array: { readonly struct: Fields } } {
  return { array: { struct: fields } };
}
