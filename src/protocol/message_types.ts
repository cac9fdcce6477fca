/**
 * TypeScript types derived from the schemas in `messages/` (types only: this
 * file emits no code, so typing a message costs nothing at runtime).
 *
 * A schema written `as const satisfies ApiSchema` keeps its field names, types
 * and version ranges as literal types; the mapped types below turn them into
 * the shape the codec produces and the shape it accepts:
 *
 * - `RequestOf<S>` / `ResponseOf<S>`: a decoded message. Every field is
 *   present, since the codec fills fields absent from a version (and tagged
 *   fields not sent) with their defaults.
 * - `RequestInput<S>` / `ResponseInput<S>`: what the encoder takes. A field
 *   present in every version, untagged and without a default must be given;
 *   the others (only in some versions, tagged, or with a default) may be left
 *   out, and the encoder writes their defaults.
 *
 * A misspelt field name is then a compile error both ways: reading it from a
 * decoded message, and writing it in an object literal given to the encoder
 * (see `message_types_check.ts`). A schema typed only as `ApiSchema` (its
 * names widened to `string`) gives the untyped `Message`, so that code not
 * converted yet still compiles.
 */
import type { ApiSchema, Field } from "./schema.ts";

/**
 * An untyped message, for code that handles any API (framing, forwarding) and
 * for code not yet written against the derived types. (It lives here, not in
 * `codec.ts`, so that the codec and these types import in one direction.)
 */
// deno-lint-ignore no-explicit-any
export type Message = Record<string, any>;

type NumberPrimitive = "int8" | "int16" | "uint16" | "int32" | "uint32" | "int64" | "float64";

/** The decoded value of a field type. Array elements are never null: nullability belongs to the array. */
type DecodedValue<Type> = Type extends NumberPrimitive ? number
  : Type extends "bool" ? boolean
  : Type extends "string" ? string
  : Type extends "bytes" | "uuid" ? Uint8Array
  // A records field is never refused as null, whatever the schema says (the codec passes it through).
  : Type extends "records" ? Uint8Array | null
  : Type extends { readonly array: infer Element } ? DecodedValue<Element>[]
  : Type extends { readonly struct: infer Fields extends readonly Field[] } ? MessageOf<Fields>
  : never;

/** The value the encoder takes for a field type: arrays may be read-only, structs partly given. */
type InputValue<Type> = Type extends NumberPrimitive ? number
  : Type extends "bool" ? boolean
  : Type extends "string" ? string
  : Type extends "bytes" | "uuid" ? Uint8Array
  : Type extends "records" ? Uint8Array | null
  : Type extends { readonly array: infer Element } ? readonly InputValue<Element>[]
  : Type extends { readonly struct: infer Fields extends readonly Field[] } ? MessageInputOf<Fields>
  : never;

/** A field is null when it is nullable in some version, or when its default (absent versions) is null. */
type NullOf<F> = F extends { readonly nullable: string } ? null
  : F extends { readonly default: null } ? null
  : never;

/** Whether the encoder needs the field: present in every version, untagged, no default of its own. */
type IsRequired<F extends Field> = F extends { readonly tag: number } ? false
  : F extends { readonly default: unknown } ? false
  : F["versions"] extends "0+" ? true
  : false;

/** The untyped fallback for fields whose names are not literal types. */
type Untyped<Fields extends readonly Field[]> = string extends Fields[number]["name"] ? true : false;

/** The decoded object of a list of fields (a message or a struct). */
export type MessageOf<Fields extends readonly Field[]> = Untyped<Fields> extends true ? Message
  : { [F in Fields[number] as F["name"]]: DecodedValue<F["type"]> | NullOf<F> };

/** The object the encoder takes for a list of fields. */
export type MessageInputOf<Fields extends readonly Field[]> = Untyped<Fields> extends true ? Message
  : Flatten<
    & {
      [F in Fields[number] as IsRequired<F> extends true ? F["name"] : never]:
        | InputValue<F["type"]>
        | NullOf<F>;
    }
    & {
      [F in Fields[number] as IsRequired<F> extends true ? never : F["name"]]?:
        | InputValue<F["type"]>
        | NullOf<F>;
    }
  >;

/** Merges an intersection into one object type, so that editors and error messages show one shape. */
type Flatten<T> = { [Key in keyof T]: T[Key] };

/** A decoded request of the API `S` (every field present). */
export type RequestOf<S extends ApiSchema> = MessageOf<S["request"]>;

/** A decoded response of the API `S` (every field present). */
export type ResponseOf<S extends ApiSchema> = MessageOf<S["response"]>;

/** A request of the API `S` as the encoder takes it (fields with defaults may be left out). */
export type RequestInput<S extends ApiSchema> = MessageInputOf<S["request"]>;

/** A response of the API `S` as the encoder takes it (fields with defaults may be left out). */
export type ResponseInput<S extends ApiSchema> = MessageInputOf<S["response"]>;

/** The element type of an array-valued message field, e.g. `ElementOf<ResponseOf<typeof metadata>["topics"]>`. */
export type ElementOf<T> = T extends readonly (infer Element)[] ? Element : never;

/**
 * The property names of `T` that `Shape` (a message type) does not have, at
 * any depth, or `never`. A hand-written type that is assignable to a message
 * input may still carry a misspelt optional field (assignability allows extra
 * properties); checking that this is `never` closes that gap.
 */
export type UnknownFields<T, Shape> = T extends Uint8Array ? never
  : T extends readonly (infer Element)[]
    ? NonNullable<Shape> extends readonly (infer ShapeElement)[] ? UnknownFields<Element, ShapeElement>
    : never
  : T extends object ?
      | Exclude<keyof T, keyof NonNullable<Shape>>
      | {
        [Key in keyof T & keyof NonNullable<Shape>]: UnknownFields<T[Key], NonNullable<Shape>[Key]>;
      }[keyof T & keyof NonNullable<Shape>]
  : never;
