import assert from "node:assert/strict";
import fc from "fast-check";
import { messageArbitrary } from "../../test/support/schema_arbitrary.ts";
import {
  decodeMetadataRecord,
  encodeMetadataRecord,
  METADATA_RECORDS,
  MetadataRecordType,
} from "./metadata_records.ts";
import { ProtocolError } from "./reader.ts";
import { parseRange } from "./schema.ts";

const TOPIC_ID = Uint8Array.from({ length: 16 }, (_, index) => index + 1);

Deno.test("every metadata record round-trips through its log framing at every version", async (t) => {
  for (const schema of METADATA_RECORDS.values()) {
    await t.step(`${schema.name} (${schema.apiKey}) ${schema.versions}`, () => {
      const range = parseRange(schema.versions);
      for (let version = range.min; version <= range.max; version++) {
        fc.assert(
          fc.property(messageArbitrary(schema.fields, version, true), (value) => {
            const bytes = encodeMetadataRecord(schema.apiKey, version, value);
            assert.deepStrictEqual(decodeMetadataRecord(bytes), { type: schema.apiKey, version, value });
          }),
          { numRuns: 100 },
        );
      }
    });
  }
});

Deno.test("a metadata record starts with frame version 1, its type and its version", () => {
  const bytes = encodeMetadataRecord(MetadataRecordType.Topic, 0, { name: "foo", topicId: TOPIC_ID });
  const expected = [1, 2, 0, 4, ..."foo".split("").map((letter) => letter.charCodeAt(0)), ...TOPIC_ID, 0];
  assert.deepStrictEqual([...bytes], expected);
});

Deno.test("partition change records carry only the changed fields, as tagged fields", () => {
  const bytes = encodeMetadataRecord(MetadataRecordType.PartitionChange, 0, {
    partitionId: 3,
    topicId: TOPIC_ID,
    leader: 7,
  });
  // Frame, type 5, version 0, partition 3, the topic id, then one tagged field: tag 1, 4 bytes, leader 7.
  assert.deepStrictEqual([...bytes], [1, 5, 0, 0, 0, 0, 3, ...TOPIC_ID, 1, 1, 4, 0, 0, 0, 7]);
  const decoded = decodeMetadataRecord(bytes).value;
  assert.equal(decoded.leader, 7);
  assert.equal(decoded.isr, null, "an absent list means unchanged");
  assert.equal(decoded.leaderRecoveryState, -1);
});

Deno.test("metadata record decoding rejects bad frames", async (t) => {
  await t.step("frame version 0 (the 2.8 preview) and unknown frame versions", () => {
    assert.throws(() => decodeMetadataRecord(Uint8Array.of(0, 2, 0)), ProtocolError);
    assert.throws(() => decodeMetadataRecord(Uint8Array.of(15, 2, 0)), ProtocolError);
  });
  await t.step("unknown record types and versions", () => {
    assert.throws(() => decodeMetadataRecord(Uint8Array.of(1, 99, 0, 0)), ProtocolError);
    assert.throws(() => decodeMetadataRecord(Uint8Array.of(1, 2, 5, 0)), ProtocolError);
    // Typed as a plain number: the check under test is the runtime one, not the fields' types.
    const registerBroker: number = MetadataRecordType.RegisterBroker;
    assert.throws(() => encodeMetadataRecord(registerBroker, 4, {}), ProtocolError);
  });
  await t.step("malformed varints and trailing bytes", () => {
    assert.throws(
      () => decodeMetadataRecord(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80)),
      ProtocolError,
    );
    assert.throws(
      () => decodeMetadataRecord(Uint8Array.of(1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80)),
      ProtocolError,
    );
    const noOp = encodeMetadataRecord(MetadataRecordType.NoOp, 0, {});
    assert.deepStrictEqual([...noOp], [1, 20, 0, 0]);
    assert.throws(() => decodeMetadataRecord(Uint8Array.of(...noOp, 0)), ProtocolError);
  });
});

Deno.test("broker registration changes carry fencing as a tagged int8: 1 fences, -1 unfences", () => {
  const bytes = encodeMetadataRecord(MetadataRecordType.BrokerRegistrationChange, 0, {
    brokerId: 2,
    brokerEpoch: 9,
    fenced: -1,
  });
  // Frame, type 17, version 0, broker 2, epoch 9, then tag 0 of 1 byte: 0xff.
  assert.deepStrictEqual([...bytes], [1, 17, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 9, 1, 0, 1, 0xff]);
  const decoded = decodeMetadataRecord(bytes).value;
  assert.equal(decoded.fenced, -1);
  assert.equal(decoded.inControlledShutdown, 0, "absent in version 0");
});

Deno.test("fence and unregister records have Kafka's types and field names", () => {
  const fence = encodeMetadataRecord(MetadataRecordType.FenceBroker, 0, { id: 3, epoch: 4 });
  assert.deepStrictEqual([...fence], [1, 7, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 4, 0]);
  assert.equal(MetadataRecordType.UnfenceBroker, 8);
  const unregister = encodeMetadataRecord(MetadataRecordType.UnregisterBroker, 0, {
    brokerId: 3,
    brokerEpoch: 4,
  });
  assert.deepStrictEqual([...unregister], [1, 1, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 4, 0]);
});
