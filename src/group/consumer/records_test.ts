import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type ConsumerGroupRecord,
  ConsumerGroupRecordType,
  decodeConsumerGroupRecord,
  encodeConsumerGroupRecord,
  isConsumerGroupRecordKey,
} from "./records.ts";
import { ProtocolError } from "../../protocol/mod.ts";

Deno.test("group epoch record has Kafka's key and value bytes", () => {
  const encoded = encodeConsumerGroupRecord({
    type: ConsumerGroupRecordType.GROUP_METADATA,
    groupId: "g",
    value: { epoch: 5 },
  });
  // Key: int16 type 3, int16 length 1, "g". Value: int16 version 0, int32 epoch, no tagged fields.
  assert.deepEqual([...encoded.key], [0, 3, 0, 1, 0x67]);
  assert.deepEqual([...encoded.value!], [0, 0, 0, 0, 0, 5, 0]);
});

Deno.test("member keys carry group and member ids and tombstones have no value", () => {
  const encoded = encodeConsumerGroupRecord({
    type: ConsumerGroupRecordType.CURRENT_MEMBER_ASSIGNMENT,
    groupId: "g",
    memberId: "m",
    value: null,
  });
  assert.deepEqual([...encoded.key], [0, 8, 0, 1, 0x67, 0, 1, 0x6d]);
  assert.equal(encoded.value, null);
  assert.deepEqual(decodeConsumerGroupRecord(encoded.key, null), {
    type: ConsumerGroupRecordType.CURRENT_MEMBER_ASSIGNMENT,
    groupId: "g",
    memberId: "m",
    value: null,
  });
});

Deno.test("keys of other record types are left to other decoders", () => {
  const offsetCommitKey = new Uint8Array([0, 1, 0, 1, 0x67, 0, 1, 0x74, 0, 0, 0, 0]);
  assert.equal(isConsumerGroupRecordKey(offsetCommitKey), false);
  assert.equal(decodeConsumerGroupRecord(offsetCommitKey, null), null);
});

Deno.test("values of an unknown version are refused", () => {
  const encoded = encodeConsumerGroupRecord({
    type: ConsumerGroupRecordType.GROUP_METADATA,
    groupId: "g",
    value: { epoch: 1 },
  });
  const value = encoded.value!.slice();
  value[1] = 1;
  assert.throws(() => decodeConsumerGroupRecord(encoded.key, value), ProtocolError);
});

const uuid = fc.uint8Array({ minLength: 16, maxLength: 16 });
const name = fc.string({ maxLength: 12 });
const topicPartitions = fc.array(
  fc.record({ topicId: uuid, partitions: fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 5 }) }),
  { maxLength: 4 },
);

const recordArbitrary: fc.Arbitrary<ConsumerGroupRecord> = fc.oneof(
  fc.record({
    type: fc.constant(ConsumerGroupRecordType.GROUP_METADATA),
    groupId: name,
    value: fc.option(fc.record({ epoch: fc.integer({ min: -1, max: 1_000_000 }) })),
  }),
  fc.record({
    type: fc.constant(ConsumerGroupRecordType.PARTITION_METADATA),
    groupId: name,
    value: fc.option(fc.record({
      topics: fc.array(
        fc.record({
          topicId: uuid,
          topicName: name,
          numPartitions: fc.integer({ min: 0, max: 1000 }),
          partitionMetadata: fc.array(
            fc.record({ partition: fc.nat(100), racks: fc.array(name, { maxLength: 2 }) }),
            { maxLength: 2 },
          ),
        }),
        { maxLength: 3 },
      ),
    })),
  }),
  fc.record({
    type: fc.constant(ConsumerGroupRecordType.MEMBER_METADATA),
    groupId: name,
    memberId: name,
    value: fc.option(fc.record({
      instanceId: fc.option(name),
      rackId: fc.option(name),
      clientId: name,
      clientHost: name,
      subscribedTopicNames: fc.array(name, { maxLength: 3 }),
      subscribedTopicRegex: fc.option(name),
      rebalanceTimeoutMs: fc.integer({ min: -1, max: 300_000 }),
      serverAssignor: fc.option(name),
      classicMemberMetadata: fc.option(fc.record({
        sessionTimeoutMs: fc.nat(100_000),
        supportedProtocols: fc.array(
          fc.record({ name, metadata: fc.uint8Array({ maxLength: 8 }) }),
          { maxLength: 2 },
        ),
      })),
    })),
  }),
  fc.record({
    type: fc.constant(ConsumerGroupRecordType.TARGET_ASSIGNMENT_METADATA),
    groupId: name,
    value: fc.option(fc.record({ assignmentEpoch: fc.integer({ min: -1, max: 1_000_000 }) })),
  }),
  fc.record({
    type: fc.constant(ConsumerGroupRecordType.TARGET_ASSIGNMENT_MEMBER),
    groupId: name,
    memberId: name,
    value: fc.option(fc.record({ topicPartitions })),
  }),
  fc.record({
    type: fc.constant(ConsumerGroupRecordType.CURRENT_MEMBER_ASSIGNMENT),
    groupId: name,
    memberId: name,
    value: fc.option(fc.record({
      memberEpoch: fc.integer({ min: -2, max: 1_000_000 }),
      previousMemberEpoch: fc.integer({ min: -2, max: 1_000_000 }),
      state: fc.constantFrom(0, 1, 2, 127),
      assignedPartitions: topicPartitions,
      partitionsPendingRevocation: topicPartitions,
    })),
  }),
) as fc.Arbitrary<ConsumerGroupRecord>;

Deno.test("every record survives an encode and decode round trip", () => {
  fc.assert(fc.property(recordArbitrary, (record) => {
    const encoded = encodeConsumerGroupRecord(record);
    assert.equal(isConsumerGroupRecordKey(encoded.key), true);
    assert.deepEqual(decodeConsumerGroupRecord(encoded.key, encoded.value), plain(record));
  }));
});

/** fast-check builds objects without a prototype; the decoder builds plain ones. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
}
