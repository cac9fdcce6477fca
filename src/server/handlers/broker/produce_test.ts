import assert from "node:assert/strict";
import { decodeResponse, encodeResponse, ErrorCode } from "../../../protocol/mod.ts";
import { produce } from "../../../protocol/messages/mod.ts";
import { fakeContext, fakeServices } from "../../_handler_test_support.ts";
import { CloseConnection } from "../../handler.ts";
import { produceHandler } from "./produce.ts";
import { imageWith, metadataOver } from "./_image_test_support.ts";

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

Deno.test("KIP-951: produce v10 to a follower names the current leader and carries its endpoint", async () => {
  const image = imageWith({ elsewhere: [{ replicas: [2, 1, 3], leader: 2, leaderEpoch: 7 }] });
  const services = fakeServices({
    metadata: metadataOver(image),
    partitions: { partition: () => undefined, partitionErrorCode: () => ErrorCode.NOT_LEADER_OR_FOLLOWER },
  });
  const answer = await produceHandler.handle(fakeContext(0, 10, services), request(1, "elsewhere"));
  const partition = answer!.responses[0]!.partitionResponses[0]!;
  assert.equal(partition.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  assert.deepEqual(partition.currentLeader, { leaderId: 2, leaderEpoch: 7 });
  assert.deepEqual(answer!.nodeEndpoints, [{ nodeId: 2, host: "broker-2", port: 9092, rack: "rack-2" }]);
  // The hint survives the wire at v10 (tagged fields), and v9 has no room for it.
  const decoded = decodeResponse(0, 10, encodeResponse(produce, 10, 1, answer!).slice(1).reduce(concat));
  assert.deepEqual(decoded.body.responses[0]!.partitionResponses[0]!.currentLeader, {
    leaderId: 2,
    leaderEpoch: 7,
  });
  assert.equal(decoded.body.nodeEndpoints[0]!.host, "broker-2");
  const old = await produceHandler.handle(fakeContext(0, 9, services), request(1, "elsewhere"));
  assert.equal(old!.responses[0]!.partitionResponses[0]!.currentLeader, undefined);
});

Deno.test("KIP-951: a leader that is fenced is named without an endpoint; an unknown topic gets no hint", async () => {
  const image = imageWith({ elsewhere: [{ replicas: [3], leader: 3, leaderEpoch: 2 }] }, { fenced: [3] });
  const services = fakeServices({
    metadata: metadataOver(image),
    partitions: {
      partition: () => undefined,
      partitionErrorCode: (topic) =>
        topic === "elsewhere" ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    },
  });
  const answer = await produceHandler.handle(fakeContext(0, 11, services), request(1, "elsewhere"));
  assert.deepEqual(answer!.responses[0]!.partitionResponses[0]!.currentLeader, {
    leaderId: 3,
    leaderEpoch: 2,
  });
  assert.deepEqual(answer!.nodeEndpoints, []);
  const unknown = await produceHandler.handle(fakeContext(0, 11, services), request(1, "missing"));
  assert.equal(unknown!.responses[0]!.partitionResponses[0]!.currentLeader, undefined);
});

function concat(left: Uint8Array, right: Uint8Array): Uint8Array {
  const out = new Uint8Array(left.length + right.length);
  out.set(left);
  out.set(right, left.length);
  return out;
}
