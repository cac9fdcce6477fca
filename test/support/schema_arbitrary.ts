/**
 * fast-check arbitraries built from a message description: they walk the
 * `Field` list of a version and produce values the codec can encode, with
 * every field absent from that version set to the value the decoder gives it
 * (its default), so that `decode(encode(value))` deep-equals `value`.
 */
import fc from "fast-check";
import { defaultOf, type Field, type FieldType, inRange, type Message } from "../../src/protocol/mod.ts";

/** Few elements per array keep nested messages small and the tests fast. */
const MAX_ARRAY_ELEMENTS = 3;
const MAX_TEXT_LENGTH = 12;
const MAX_BYTES_LENGTH = 24;

function primitiveArbitrary(type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case "int8":
      return fc.integer({ min: -128, max: 127 });
    case "int16":
      return fc.integer({ min: -32768, max: 32767 });
    case "uint16":
      return fc.integer({ min: 0, max: 65535 });
    case "int32":
      return fc.integer({ min: -2147483648, max: 2147483647 });
    case "uint32":
      return fc.integer({ min: 0, max: 4294967295 });
    case "int64":
      // int64 decodes to a number, exact within the safe integer range.
      return fc.maxSafeInteger();
    case "float64":
      return fc.double();
    case "bool":
      return fc.boolean();
    case "string":
      // Whole graphemes: every string is valid Unicode and survives UTF-8.
      return fc.string({ unit: "grapheme", maxLength: MAX_TEXT_LENGTH });
    case "bytes":
    case "records":
      return fc.uint8Array({ maxLength: MAX_BYTES_LENGTH });
    case "uuid":
      return fc.uint8Array({ minLength: 16, maxLength: 16 });
    default:
      throw new Error(`no arbitrary for type ${type}`);
  }
}

function typeArbitrary(type: FieldType, version: number, flexible: boolean): fc.Arbitrary<unknown> {
  if (typeof type === "string") return primitiveArbitrary(type);
  if ("array" in type) {
    return fc.array(typeArbitrary(type.array, version, flexible), { maxLength: MAX_ARRAY_ELEMENTS });
  }
  return messageArbitrary(type.struct, version, flexible);
}

function fieldArbitrary(item: Field, version: number, flexible: boolean): fc.Arbitrary<unknown> {
  const present = inRange(item.versions, version) && (item.tag === undefined || flexible);
  if (!present) return fc.constant(defaultOf(item, version));
  const value = typeArbitrary(item.type, version, flexible);
  if (item.nullable !== undefined && inRange(item.nullable, version)) {
    return fc.option(value, { nil: null, freq: 4 });
  }
  return value;
}

/** Values of the message (or struct) `fields` at `version`. */
export function messageArbitrary(
  fields: readonly Field[],
  version: number,
  flexible: boolean,
): fc.Arbitrary<Message> {
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const item of fields) shape[item.name] = fieldArbitrary(item, version, flexible);
  // fast-check builds records without a prototype; decoded messages are plain objects.
  return fc.record(shape).map((value) => ({ ...value }));
}
