/**
 * The typed metadata records (`records.ts`) agree with the protocol's record
 * schemas, checked by the compiler (`deno check`): every record Dafka builds
 * is a valid input of its schema's encoder (no misspelt, unknown or missing
 * field), and every decoded record value fits the typed record it is read
 * back as. A failing check names the record type in the error.
 */
import assert from "node:assert/strict";
import type { MetadataRecordInput, MetadataRecordValue, UnknownFields } from "../protocol/mod.ts";
import { decodeRecord, encodeRecord } from "./record_codec.ts";
import { type MetadataRecord, MetadataRecordType } from "./records.ts";

type RecordOfType<Type extends MetadataRecord["type"]> = Omit<
  Extract<MetadataRecord, { type: Type }>,
  "type"
>;

/**
 * Fields of a schema that no typed record carries, on purpose; the encoder
 * writes an empty list, as for any array not given. Dafka does not advertise
 * its supported features in RegisterBrokerRecord. Listed here so that the
 * check stays strict for every other field.
 */
type NotWritten = {
  [MetadataRecordType.RegisterBroker]: "features";
};

type InputOfType<Type extends MetadataRecord["type"]> = Type extends keyof NotWritten
  ? Omit<MetadataRecordInput<Type>, NotWritten[Type]>
  : MetadataRecordInput<Type>;

/** The record types whose typed record and schema disagree (never, when all agree). */
type Disagreeing = {
  [Type in MetadataRecord["type"]]: RecordOfType<Type> extends InputOfType<Type>
    ? [UnknownFields<RecordOfType<Type>, InputOfType<Type>>] extends [never]
      ? MetadataRecordValue<Type> extends RecordOfType<Type> ? never : Type
    : Type
    : Type;
}[MetadataRecord["type"]];

/** Compiles only when its type argument is `never`. */
function expectNever<_Check extends never>(): void {}

expectNever<Disagreeing>();

Deno.test("a typed metadata record reads back as itself", () => {
  const record: MetadataRecord = {
    type: MetadataRecordType.Config,
    resourceType: 2,
    resourceName: "orders",
    name: "cleanup.policy",
    value: "compact",
  };
  assert.deepEqual(decodeRecord(encodeRecord(record)), record);
});
