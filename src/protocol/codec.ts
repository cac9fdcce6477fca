/**
 * The one codec: encodes and decodes any message described in `schema.ts`
 * at any version, including compact (flexible) encodings and tagged fields.
 *
 * Decoded messages are plain objects whose properties are the fields' names.
 * Fields absent from a version decode to their defaults, and are skipped when
 * encoding. `records` fields stay raw bytes: batches are never re-encoded.
 */
import { ProtocolError, Reader } from "./reader.ts";
import type { Message, MessageInputOf, MessageOf } from "./message_types.ts";
import { type Field, type FieldType, inRange } from "./schema.ts";
import { Writer } from "./writer.ts";

// The untyped message, declared beside the derived types; exported here too, where code has always found it.
export type { Message };

const ZERO_UUID = new Uint8Array(16);

/** The default value of a field that is absent or not given. */
export function defaultOf(field: Field, version: number): unknown {
  if (field.default !== undefined) return field.default;
  return defaultForType(field.type, field.nullable !== undefined && inRange(field.nullable, version));
}

function defaultForType(type: FieldType, nullable: boolean): unknown {
  if (typeof type === "object") {
    if ("array" in type) return nullable ? null : [];
    return nullable ? null : fillDefaults(type.struct);
  }
  switch (type) {
    case "bool":
      return false;
    case "string":
      return nullable ? null : "";
    case "bytes":
    case "records":
      return nullable ? null : new Uint8Array(0);
    case "uuid":
      return ZERO_UUID;
    default:
      return 0;
  }
}

function fillDefaults(fields: readonly Field[]): Message {
  const out: Message = {};
  for (const item of fields) out[item.name] = defaultOf(item, Number.MAX_SAFE_INTEGER);
  return out;
}

/** Minimum encoded size of one element, used to bound array allocations. */
/**
 * An int64 decoded into a number must be exact: a value beyond 2^53 would be
 * silently rounded (an offset or producer id off by a few). Kafka's offsets,
 * timestamps and ids never go there, so such a value is a corrupt or hostile
 * frame. (`high * 2^32 + low` rounds once and monotonically, so a value out of
 * range never comes back as a safe integer.)
 */
function safeInt64(value: number, item: Field): number {
  if (!Number.isSafeInteger(value)) {
    throw new ProtocolError(`int64 ${item.name} is outside the safe integer range (±2^53-1)`);
  }
  return value;
}

/**
 * The encoder refuses a number it cannot write exactly (beyond 2^53, NaN or
 * infinite): that is a bug in the caller, and writing a rounded offset would
 * hide it. Fractions are truncated, as the writer always did.
 */
function exactInt64(value: number, item: Field): number {
  const whole = Math.trunc(value);
  if (!Number.isSafeInteger(whole)) {
    throw new RangeError(`int64 ${item.name} = ${value} is not a safe integer and cannot be encoded exactly`);
  }
  return whole;
}

function minimumSize(type: FieldType): number {
  if (typeof type === "object") return 1;
  switch (type) {
    case "int16":
    case "uint16":
      return 2;
    case "int32":
    case "uint32":
      return 4;
    case "int64":
    case "float64":
      return 8;
    case "uuid":
      return 16;
    default:
      return 1;
  }
}

// ---------------------------------------------------------------- decoding

/**
 * Decodes the fields of a message (or struct) at `version`. The result's type
 * is derived from `fields` when they are a literal schema (`MessageOf`).
 */
export function decodeFields<const Fields extends readonly Field[]>(
  reader: Reader,
  fields: Fields,
  version: number,
  flexible: boolean,
): MessageOf<Fields> {
  const out: Message = {};
  for (const item of fields) {
    if (item.tag !== undefined || !inRange(item.versions, version)) {
      out[item.name] = defaultOf(item, version);
      continue;
    }
    out[item.name] = decodeValue(reader, item.type, item, version, flexible);
  }
  if (flexible) decodeTaggedFields(reader, fields, version, out);
  return out as MessageOf<Fields>;
}

function decodeTaggedFields(reader: Reader, fields: readonly Field[], version: number, out: Message): void {
  const count = reader.uvarint();
  for (let index = 0; index < count; index++) {
    const tag = reader.uvarint();
    const size = reader.uvarint();
    const body = reader.raw(size);
    const item = fields.find((candidate) => candidate.tag === tag && inRange(candidate.versions, version));
    // Unknown tags are skipped, as the protocol requires.
    if (item) out[item.name] = decodeValue(new Reader(body), item.type, item, version, true);
  }
}

/**
 * Decodes one value of `item`. `isElement` marks an element of the field's
 * array: nullability belongs to the array itself, never to its elements (a
 * nullable array of structs has no null marker before each struct).
 */
function decodeValue(
  reader: Reader,
  type: FieldType,
  item: Field,
  version: number,
  flexible: boolean,
  isElement = false,
): unknown {
  const nullable = !isElement && item.nullable !== undefined && inRange(item.nullable, version);
  if (typeof type === "object") {
    if ("array" in type) {
      const length = reader.arrayLength(flexible, minimumSize(type.array));
      if (length < 0) {
        if (!nullable) throw new ProtocolError(`null array for non-nullable ${item.name}`);
        return null;
      }
      const elements = new Array(length);
      for (let index = 0; index < length; index++) {
        elements[index] = decodeValue(reader, type.array, item, version, flexible, true);
      }
      return elements;
    }
    if (nullable) {
      if (reader.int8() < 0) return null;
    }
    return decodeFields(reader, type.struct, version, flexible);
  }
  switch (type) {
    case "int8":
      return reader.int8();
    case "int16":
      return reader.int16();
    case "uint16":
      return reader.uint16();
    case "int32":
      return reader.int32();
    case "uint32":
      return reader.uint32();
    case "int64":
      return safeInt64(reader.int64(), item);
    case "float64":
      return reader.float64();
    case "bool":
      return reader.bool();
    case "uuid":
      return reader.uuid();
    case "string": {
      const value = flexible ? reader.compactNullableString() : reader.nullableString();
      if (value === null && !nullable) throw new ProtocolError(`null string for non-nullable ${item.name}`);
      return value;
    }
    case "bytes":
    case "records": {
      const value = flexible ? reader.compactNullableBytes() : reader.nullableBytes();
      if (value === null && !nullable && type === "bytes") {
        throw new ProtocolError(`null bytes for non-nullable ${item.name}`);
      }
      return value;
    }
  }
}

// ---------------------------------------------------------------- encoding

/** Encodes the fields of a message (or struct) at `version`; `value`'s type is derived from `fields`. */
export function encodeFields<const Fields extends readonly Field[]>(
  writer: Writer,
  fields: Fields,
  version: number,
  flexible: boolean,
  input: MessageInputOf<Fields>,
): void {
  const value = input as Message;
  let tagged: Field[] | null = null;
  for (const item of fields) {
    if (!inRange(item.versions, version)) continue;
    if (item.tag !== undefined) {
      if (flexible) (tagged ??= []).push(item);
      continue;
    }
    let fieldValue = value[item.name];
    if (fieldValue === undefined) fieldValue = defaultOf(item, version);
    encodeValue(writer, item.type, item, version, flexible, fieldValue);
  }
  if (flexible) encodeTaggedFields(writer, tagged, version, value);
}

function encodeTaggedFields(
  writer: Writer,
  tagged: readonly Field[] | null,
  version: number,
  value: Message,
): void {
  const present = (tagged ?? [])
    .filter((item) => value[item.name] !== undefined && !isDefault(value[item.name], item, version))
    .sort((left, right) => left.tag! - right.tag!);
  writer.uvarint(present.length);
  for (const item of present) {
    const body = new Writer(64);
    encodeValue(body, item.type, item, version, true, value[item.name]);
    const bytes = body.finish();
    writer.uvarint(item.tag!).uvarint(bytes.length).raw(bytes);
  }
}

function isDefault(value: unknown, item: Field, version: number): boolean {
  const fallback = defaultOf(item, version);
  if (value === fallback) return true;
  if (Array.isArray(value) && Array.isArray(fallback)) return value.length === 0 && fallback.length === 0;
  if (value instanceof Uint8Array && fallback instanceof Uint8Array) {
    return value.length === fallback.length && value.every((byte, index) => byte === fallback[index]);
  }
  return false;
}

/** Encodes one value of `item`; `isElement` as in `decodeValue`. */
function encodeValue(
  writer: Writer,
  type: FieldType,
  item: Field,
  version: number,
  flexible: boolean,
  value: unknown,
  isElement = false,
): void {
  const nullable = !isElement && item.nullable !== undefined && inRange(item.nullable, version);
  if (typeof type === "object") {
    if ("array" in type) {
      if (value === null || value === undefined) {
        if (nullable) {
          if (flexible) writer.uvarint(0);
          else writer.int32(-1);
          return;
        }
        value = [];
      }
      const elements = value as unknown[];
      if (flexible) writer.uvarint(elements.length + 1);
      else writer.int32(elements.length);
      for (const element of elements) {
        encodeValue(writer, type.array, item, version, flexible, element, true);
      }
      return;
    }
    if (nullable) {
      if (value === null || value === undefined) {
        writer.int8(-1);
        return;
      }
      writer.int8(1);
    }
    encodeFields(writer, type.struct, version, flexible, (value ?? {}) as Message);
    return;
  }
  switch (type) {
    case "int8":
      writer.int8(value as number);
      return;
    case "int16":
      writer.int16(value as number);
      return;
    case "uint16":
      writer.uint16(value as number);
      return;
    case "int32":
      writer.int32(value as number);
      return;
    case "uint32":
      writer.uint32(value as number);
      return;
    case "int64":
      writer.int64(exactInt64(value as number, item));
      return;
    case "float64":
      writer.float64(value as number);
      return;
    case "bool":
      writer.bool(value as boolean);
      return;
    case "uuid":
      writer.raw((value as Uint8Array | undefined) ?? ZERO_UUID);
      return;
    case "string": {
      const text = value === null && !nullable ? "" : (value as string | null);
      if (flexible) writer.compactNullableString(text);
      else writer.nullableString(text);
      return;
    }
    case "bytes":
    case "records": {
      const bytes = value === null && !nullable && type === "bytes"
        ? new Uint8Array(0)
        : (value as Uint8Array | null);
      if (flexible) writer.compactNullableBytes(bytes);
      else writer.nullableBytes(bytes);
      return;
    }
  }
}
