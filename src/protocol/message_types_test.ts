/**
 * The derived message types, checked by the compiler: `deno check` (part of
 * `deno task check`) fails if a `@ts-expect-error` below stops being an error,
 * that is, if a misspelt or missing field compiles again. The runtime test
 * only makes sure the typed calls encode and decode what they say.
 */
import assert from "node:assert/strict";
import { decodeResponse, encodeRequest, encodeResponse, type SchemaOfKey } from "./apis.ts";
import type { ElementOf, RequestInput, RequestOf, ResponseInput, ResponseOf } from "./message_types.ts";
import { fetchApi, joinGroup, metadata } from "./messages/mod.ts";

/** True when `A` and `B` are the same type (not merely assignable). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;

/** Compiles only when its type argument is `true`. */
function expectType<_Check extends true>(): void {}

type JoinGroupRequest = RequestOf<typeof joinGroup>;
type JoinGroupResponseInput = ResponseInput<typeof joinGroup>;

// A decoded message has every field, with the type the schema gives it.
expectType<Equal<JoinGroupRequest["sessionTimeoutMs"], number>>();
expectType<Equal<JoinGroupRequest["groupInstanceId"], string | null>>();
expectType<Equal<ElementOf<JoinGroupRequest["protocols"]>, { name: string; metadata: Uint8Array }>>();
expectType<Equal<ElementOf<ResponseOf<typeof metadata>["brokers"]>["rack"], string | null>>();
expectType<
  Equal<ResponseOf<typeof fetchApi>["responses"][number]["partitions"][number]["records"], Uint8Array | null>
>();
// A tagged struct decodes to its defaults when not sent, so it is always there.
expectType<Equal<RequestOf<typeof fetchApi>["replicaState"]["replicaEpoch"], number>>();
expectType<Equal<SchemaOfKey<11>, typeof joinGroup>>();

// The encoder's input: fields of every version are required, the others optional.
expectType<Equal<keyof JoinGroupResponseInput, keyof ResponseOf<typeof joinGroup>>>();
expectType<Equal<Pick<JoinGroupResponseInput, "errorCode">, { errorCode: number }>>();
expectType<Equal<Pick<JoinGroupResponseInput, "throttleTimeMs">, { throttleTimeMs?: number }>>();

function readMisspelt(body: JoinGroupRequest): unknown {
  // @ts-expect-error: a misspelt field is not a property of the decoded request.
  return body.sesionTimeoutMs;
}

const misspeltInput: RequestInput<typeof joinGroup> = {
  groupId: "group",
  sessionTimeoutMs: 10_000,
  memberId: "",
  protocolType: "consumer",
  protocols: [],
  // @ts-expect-error: a misspelt field is refused in an object literal given to the encoder.
  rebalanceTimoutMs: 5_000,
};

// @ts-expect-error: a field present in every version (sessionTimeoutMs) must be given.
const missingInput: RequestInput<typeof joinGroup> = {
  groupId: "group",
  memberId: "",
  protocolType: "consumer",
  protocols: [],
};

const nestedMisspelt: RequestInput<typeof joinGroup> = {
  groupId: "group",
  sessionTimeoutMs: 10_000,
  memberId: "",
  protocolType: "consumer",
  // @ts-expect-error: misspellings are caught inside arrays of structs too.
  protocols: [{ name: "range", metdata: new Uint8Array(0) }],
};

function encodeMisspelt(): Uint8Array {
  return encodeRequest(
    { apiKey: 3, apiVersion: 12, correlationId: 1, clientId: null },
    // @ts-expect-error: encodeRequest types the body by the header's literal API key.
    { topics: null, allowAutoTopicCreaton: false },
  );
}

function readResponseMisspelt(frame: Uint8Array): unknown {
  const { body } = decodeResponse(3, 12, frame);
  // @ts-expect-error: decodeResponse types the body by its literal API key.
  return body.broker;
}

Deno.test("typed calls encode and decode the fields their types name", () => {
  const response: ResponseInput<typeof metadata> = {
    brokers: [{ nodeId: 1, host: "localhost", port: 9092 }],
    topics: [],
  };
  const frame = encodeResponse(metadata, 12, 7, response);
  const bytes = new Uint8Array(frame.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of frame) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  const decoded = decodeResponse(3, 12, bytes.subarray(4));
  assert.equal(decoded.correlationId, 7);
  const broker: ElementOf<ResponseOf<typeof metadata>["brokers"]> | undefined = decoded.body.brokers[0];
  assert.deepEqual(broker, { nodeId: 1, host: "localhost", port: 9092, rack: null });
  assert.equal(decoded.body.controllerId, -1);
  // The checks above are compile-time only; these keep them referenced.
  assert.equal(typeof readMisspelt, "function");
  assert.equal(typeof encodeMisspelt, "function");
  assert.equal(typeof readResponseMisspelt, "function");
  assert.ok(misspeltInput && missingInput && nestedMisspelt);
});
