/**
 * The typed consumer group records (`records.ts`) agree with their key and
 * value schemas, checked by the compiler (`deno check`): every record's key
 * fields and value fit what the encoder takes (no misspelt, unknown or
 * missing field), and what the decoder gives fits the typed record. A failing
 * check names the record type in the error.
 */
import assert from "node:assert/strict";
import type { MessageInputOf, MessageOf, UnknownFields } from "../../protocol/mod.ts";
import {
  CONSUMER_GROUP_RECORD_SCHEMAS,
  type ConsumerGroupRecord,
  ConsumerGroupRecordType,
  decodeConsumerGroupRecord,
  encodeConsumerGroupRecord,
} from "./records.ts";

type Schemas = typeof CONSUMER_GROUP_RECORD_SCHEMAS;
type RecordOfType<Type extends ConsumerGroupRecord["type"]> = Extract<ConsumerGroupRecord, { type: Type }>;
type KeyOf<Type extends ConsumerGroupRecord["type"]> = Omit<RecordOfType<Type>, "type" | "value">;
type ValueOf<Type extends ConsumerGroupRecord["type"]> = NonNullable<RecordOfType<Type>["value"]>;

/** Whether `T` fits the encoder's input `Input` and the decoder's output `Decoded` fits `T`. */
type Agrees<T, Input, Decoded> = T extends Input
  ? [UnknownFields<T, Input>] extends [never] ? Decoded extends T ? true
    : false
  : false
  : false;

/** The record types whose typed record and schemas disagree (never, when all agree). */
type Disagreeing = {
  [Type in ConsumerGroupRecord["type"]]: Agrees<
    KeyOf<Type>,
    MessageInputOf<Schemas[Type]["key"]>,
    MessageOf<Schemas[Type]["key"]>
  > extends true
    ? Agrees<ValueOf<Type>, MessageInputOf<Schemas[Type]["value"]>, MessageOf<Schemas[Type]["value"]>> extends
      true ? never
    : Type
    : Type;
}[ConsumerGroupRecord["type"]];

/** Compiles only when its type argument is `never`. */
function expectNever<_Check extends never>(): void {}

expectNever<Disagreeing>();

Deno.test("a typed consumer group record reads back as itself", () => {
  const record: ConsumerGroupRecord = {
    type: ConsumerGroupRecordType.TARGET_ASSIGNMENT_METADATA,
    groupId: "group",
    value: { assignmentEpoch: 7 },
  };
  const { key, value } = encodeConsumerGroupRecord(record);
  assert.deepEqual(decodeConsumerGroupRecord(key, value), record);
});
