import assert from "node:assert/strict";
import fc from "fast-check";
import { messageArbitrary } from "../../test/support/schema_arbitrary.ts";
import {
  API_SCHEMAS,
  decodeRequestBody,
  encodeRequest,
  encodeResponse,
  isFlexible,
  responseHeaderIsFlexible,
} from "./apis.ts";
import { decodeFields, type Message } from "./codec.ts";
import { readRequestHeader, type RequestHeader, skipTaggedFields } from "./header.ts";
import { Reader } from "./reader.ts";
import { type ApiSchema, type Field, type FieldType, inRange, parseRange } from "./schema.ts";

/** Runs per API version and direction: ~400 properties, a few seconds in all. */
const RUNS_PER_VERSION = 100;

function versionsOf(schema: ApiSchema): number[] {
  const range = parseRange(schema.versions);
  const versions: number[] = [];
  for (let version = range.min; version <= range.max; version++) versions.push(version);
  return versions;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Decodes a request frame (size prefix included) and checks that no byte is left over. */
function decodeWholeRequest(bytes: Uint8Array): { header: RequestHeader; body: Message } {
  assert.equal(new DataView(bytes.buffer, bytes.byteOffset).getInt32(0), bytes.length - 4);
  const reader = new Reader(bytes, 4);
  const header = readRequestHeader(reader);
  const schema = API_SCHEMAS.get(header.apiKey)!;
  if (isFlexible(schema, header.apiVersion)) skipTaggedFields(reader);
  const body = decodeRequestBody(schema, header.apiVersion, reader);
  assert.equal(reader.remaining, 0, "bytes left after the request");
  return { header, body };
}

/** Decodes a response frame (size prefix included) and checks that no byte is left over. */
function decodeWholeResponse(schema: ApiSchema, version: number, bytes: Uint8Array) {
  assert.equal(new DataView(bytes.buffer, bytes.byteOffset).getInt32(0), bytes.length - 4);
  const reader = new Reader(bytes, 4);
  const correlationId = reader.int32();
  if (responseHeaderIsFlexible(schema, version)) skipTaggedFields(reader);
  const body = decodeFields(reader, schema.response, version, isFlexible(schema, version));
  assert.equal(reader.remaining, 0, "bytes left after the response");
  return { correlationId, body };
}

Deno.test("every registered API round-trips requests and responses at every version", async (t) => {
  for (const schema of API_SCHEMAS.values()) {
    await t.step(`${schema.name} (${schema.apiKey}) ${schema.versions}`, () => {
      for (const version of versionsOf(schema)) {
        const flexible = isFlexible(schema, version);
        const header = fc.record({
          correlationId: fc.integer({ min: -2147483648, max: 2147483647 }),
          clientId: fc.option(fc.string({ maxLength: 8 }), { nil: null }),
        });
        fc.assert(
          fc.property(header, messageArbitrary(schema.request, version, flexible), (fields, body) => {
            const sent = { apiKey: schema.apiKey, apiVersion: version, ...fields };
            const decoded = decodeWholeRequest(encodeRequest(sent, body));
            assert.deepStrictEqual(decoded.header, sent);
            assert.deepStrictEqual(decoded.body, body);
          }),
          { numRuns: RUNS_PER_VERSION },
        );
        fc.assert(
          fc.property(
            fc.integer({ min: -2147483648, max: 2147483647 }),
            messageArbitrary(schema.response, version, flexible),
            (correlationId, body) => {
              const bytes = concat(encodeResponse(schema, version, correlationId, body));
              const decoded = decodeWholeResponse(schema, version, bytes);
              assert.equal(decoded.correlationId, correlationId);
              assert.deepStrictEqual(decoded.body, body);
            },
          ),
          { numRuns: RUNS_PER_VERSION },
        );
      }
    });
  }
});

// ------------------------------------------------------------ schema sanity

const NULLABLE_CAPABLE = new Set(["string", "bytes", "records"]);

function canBeNull(type: FieldType): boolean {
  return typeof type === "object" || NULLABLE_CAPABLE.has(type);
}

/** Problems in one struct's fields over the API's versions (an empty list when sound). */
function fieldProblems(fields: readonly Field[], schema: ApiSchema, path: string): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const item of fields) {
    const where = `${schema.name} ${path}${item.name}`;
    if (names.has(item.name)) problems.push(`${where}: duplicate name`);
    names.add(item.name);
    parseRange(item.versions);
    if (item.nullable !== undefined && !canBeNull(item.type)) problems.push(`${where}: cannot be null`);
    const versions = versionsOf(schema).filter((version) => inRange(item.versions, version));
    if (versions.length === 0) problems.push(`${where}: in no version of ${schema.versions}`);
    if (item.tag !== undefined && versions.some((version) => !isFlexible(schema, version))) {
      problems.push(`${where}: tagged in a non-flexible version`);
    }
    let inner: FieldType = item.type;
    while (typeof inner === "object" && "array" in inner) inner = inner.array;
    if (typeof inner === "object") {
      problems.push(...fieldProblems(inner.struct, schema, `${path}${item.name}.`));
    }
  }
  for (const version of versionsOf(schema)) {
    const tags = fields
      .filter((item) => item.tag !== undefined && inRange(item.versions, version))
      .map((item) => item.tag!);
    if (new Set(tags).size !== tags.length) {
      problems.push(`${schema.name} ${path}: duplicate tag in v${version}`);
    }
  }
  return problems;
}

Deno.test("every registered schema has sound versions, tags and nullability", () => {
  const problems: string[] = [];
  for (const [key, schema] of API_SCHEMAS) {
    assert.equal(key, schema.apiKey);
    problems.push(...fieldProblems(schema.request, schema, "request."));
    problems.push(...fieldProblems(schema.response, schema, "response."));
  }
  assert.deepStrictEqual(problems, []);
});

Deno.test("the registry lists the APIs Dafka describes, in key order", () => {
  const keys = [...API_SCHEMAS.keys()];
  assert.deepStrictEqual(keys, [...keys].sort((left, right) => left - right));
  assert.deepStrictEqual(
    keys,
    [
      0,
      1,
      2,
      3,
      8,
      9,
      10,
      11,
      12,
      13,
      14,
      15,
      16,
      17,
      18,
      19,
      20,
      21,
      22,
      23,
      32,
      33,
      35,
      37,
      42,
      43,
      44,
      45,
      46,
      47,
      52,
      53,
      54,
      55,
      56,
      59,
      60,
      62,
      63,
      67,
      68,
      69,
      75,
      80,
      81,
      82,
    ],
  );
});

// ------------------------------------------------------------ known layouts

Deno.test("a tagged field is written only when it differs from its default", () => {
  const schema = API_SCHEMAS.get(1)!;
  const body = { responses: [{ topic: "t", partitions: [{ partitionIndex: 0, records: null }] }] };
  const plain = concat(encodeResponse(schema, 12, 7, body));
  const withLeader = concat(
    encodeResponse(schema, 12, 7, {
      responses: [{
        topic: "t",
        partitions: [{ partitionIndex: 0, records: null, currentLeader: { leaderId: 3, leaderEpoch: 9 } }],
      }],
    }),
  );
  // The tag, the size, then the struct: two int32 and its own (empty) tagged-field count.
  assert.equal(withLeader.length - plain.length, 1 + 1 + 4 + 4 + 1);
  const decoded = decodeWholeResponse(schema, 12, withLeader).body;
  assert.deepStrictEqual(decoded.responses[0].partitions[0].currentLeader, { leaderId: 3, leaderEpoch: 9 });
  const absent = decodeWholeResponse(schema, 12, plain).body;
  assert.deepStrictEqual(absent.responses[0].partitions[0].currentLeader, { leaderId: -1, leaderEpoch: -1 });
});

Deno.test("large record batches in a Fetch response stay separate chunks", () => {
  const schema = API_SCHEMAS.get(1)!;
  const records = new Uint8Array(10_000).fill(7);
  const chunks = encodeResponse(schema, 11, 1, {
    responses: [{ topic: "t", partitions: [{ partitionIndex: 0, records }] }],
  });
  assert.ok(chunks.includes(records), "the records array is passed through, not copied");
  const decoded = decodeWholeResponse(schema, 11, concat(chunks)).body;
  assert.deepStrictEqual(decoded.responses[0].partitions[0].records, records);
});

Deno.test("fields absent from a version decode to Kafka's defaults", () => {
  const schema = API_SCHEMAS.get(0)!;
  const bytes = concat(encodeResponse(schema, 1, 5, {
    responses: [{ name: "t", partitionResponses: [{ index: 2, errorCode: 0, baseOffset: 40 }] }],
    throttleTimeMs: 3,
  }));
  const partition = decodeWholeResponse(schema, 1, bytes).body.responses[0].partitionResponses[0];
  assert.equal(partition.logAppendTimeMs, -1);
  assert.equal(partition.logStartOffset, -1);
  assert.equal(partition.errorMessage, null);
  assert.deepStrictEqual(partition.recordErrors, []);
});

Deno.test("a nullable array of structs has no null marker before each element", () => {
  const body = {
    topics: [
      { name: "a", count: 3, assignments: [{ brokerIds: [1, 2] }] },
      { name: "b", count: 4, assignments: null },
    ],
    timeoutMs: 5000,
    validateOnly: true,
  };
  const bytes = encodeRequest({ apiKey: 37, apiVersion: 0, correlationId: 1, clientId: null }, body);
  const expectedBody = [
    ...[0, 0, 0, 2], // two topics
    ...[0, 1, 97, 0, 0, 0, 3], // "a", count 3
    ...[0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2], // one assignment: brokers [1, 2]
    ...[0, 1, 98, 0, 0, 0, 4], // "b", count 4
    ...[255, 255, 255, 255], // null assignments
    ...[0, 0, 19, 136, 1], // timeout 5000, validate only
  ];
  // Size, key 37, version 0, correlation id 1, null client id, then the body.
  const header = [0, 0, 0, 10 + expectedBody.length, 0, 37, 0, 0, 0, 0, 0, 1, 255, 255];
  assert.deepStrictEqual([...bytes], [...header, ...expectedBody]);
  assert.deepStrictEqual(decodeWholeRequest(bytes).body, body);
});
