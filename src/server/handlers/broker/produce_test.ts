import assert from "node:assert/strict";
import { ErrorCode } from "../../../protocol/mod.ts";
import { fakeContext, fakeServices } from "../../_handler_test_support.ts";
import { CloseConnection } from "../../handler.ts";
import { produceHandler } from "./produce.ts";

// The handler needs only the partition lookup: these tests fake that alone.
const notHere = fakeServices({
  partitions: {
    partition: () => undefined,
    partitionErrorCode: (topic) =>
      topic === "elsewhere" ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  },
});

const request = (acks: number, topic: string) => ({
  transactionalId: null,
  acks,
  timeoutMs: 1000,
  topicData: [{ name: topic, partitionData: [{ index: 0, records: new Uint8Array(70) }] }],
});

Deno.test("produce to a partition led elsewhere answers the lookup's error per partition", async () => {
  const answer = await produceHandler.handle(fakeContext(0, 9, notHere), request(-1, "elsewhere"));
  const partition = answer!.responses[0]!.partitionResponses[0]!;
  assert.equal(partition.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  assert.equal(partition.baseOffset, -1);
});

Deno.test("produce with acks other than -1, 0 or 1 is INVALID_REQUIRED_ACKS, without asking for the partition", async () => {
  const untouched = fakeServices({});
  const answer = await produceHandler.handle(fakeContext(0, 9, untouched), request(2, "any"));
  assert.equal(answer!.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.INVALID_REQUIRED_ACKS);
});

Deno.test("a failed acks=0 produce closes the connection (there is no response to carry the error)", async () => {
  await assert.rejects(
    async () => await produceHandler.handle(fakeContext(0, 9, notHere), request(0, "missing")),
    CloseConnection,
  );
});

Deno.test("a fake without the part a handler uses says what is missing", async () => {
  await assert.rejects(
    async () => await produceHandler.handle(fakeContext(0, 9, fakeServices({})), request(1, "t")),
    /the fake services have no partitions/,
  );
});
