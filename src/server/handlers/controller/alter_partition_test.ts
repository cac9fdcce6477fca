/**
 * AlterPartition through its handler: the request as it comes off the wire at
 * each version, decided by the quorum controller against an image, committed
 * through a stand-in quorum that applies what it is given, and answered in a
 * response that encodes at that version.
 */
import assert from "node:assert/strict";
import { MetadataImage, type MetadataRecord, MetadataRecordType } from "../../../metadata/mod.ts";
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  ErrorCode,
  type ResponseInput,
} from "../../../protocol/mod.ts";
import { alterPartition } from "../../../protocol/messages/mod.ts";
import { fakeContext, fakeServices } from "../../_handler_test_support.ts";
import { QuorumController } from "../../controller/mod.ts";
import { CONTROLLER_HANDLERS_BY_KEY } from "../mod.ts";
import { alterPartitionHandler } from "./alter_partition.ts";

const TOPIC_ID = Uint8Array.from({ length: 16 }, (_, index) => index + 1);

function clusterWithOnePartition(): { image: MetadataImage; proposed: MetadataRecord[][] } {
  const image = new MetadataImage();
  for (const brokerId of [1, 2, 3]) {
    image.apply({
      type: MetadataRecordType.RegisterBroker,
      brokerId,
      brokerEpoch: 100 + brokerId,
      incarnationId: new Uint8Array(16).fill(brokerId),
      endPoints: [],
      rack: null,
      fenced: false,
    });
  }
  image.apply({ type: MetadataRecordType.Topic, name: "orders", topicId: TOPIC_ID });
  image.apply({
    type: MetadataRecordType.Partition,
    topicId: TOPIC_ID,
    partitionId: 0,
    replicas: [1, 2, 3],
    isr: [1],
    leader: 1,
    leaderEpoch: 4,
    partitionEpoch: 7,
  });
  return { image, proposed: [] };
}

function controllerOver(cluster: { image: MetadataImage; proposed: MetadataRecord[][] }): QuorumController {
  return new QuorumController({
    metadata: { image: cluster.image, nodeId: 1, clusterId: "c" },
    quorum: {
      propose: (records) => {
        cluster.proposed.push(records);
        for (const record of records) cluster.image.apply(record);
        return Promise.resolve();
      },
      logEndOffset: 0,
    },
    sessions: { touch: () => {}, sessionActive: () => true },
    placementContext: () => {
      throw new Error("AlterPartition places nothing");
    },
    log: () => {},
  });
}

/** The request of version `version` as the wire gives it to the handler. */
function wireRequest(version: number) {
  const partition = {
    partitionIndex: 0,
    leaderEpoch: 4,
    partitionEpoch: 7,
    newIsr: [1, 2],
    newIsrWithEpochs: [{ brokerId: 1, brokerEpoch: 101 }, { brokerId: 2, brokerEpoch: 102 }],
  };
  const frame = encodeRequest({ apiKey: 56, apiVersion: version, correlationId: 1, clientId: "broker-1" }, {
    brokerId: 1,
    brokerEpoch: 101,
    topics: [{ topicName: "orders", topicId: TOPIC_ID, partitions: [partition] }],
  });
  return decodeRequest(frame.subarray(4)).body;
}

Deno.test("AlterPartition at every version commits the new ISR and answers the partition's new state", async (t) => {
  for (const version of [0, 1, 2, 3]) {
    await t.step(`v${version}`, async () => {
      const cluster = clusterWithOnePartition();
      const services = fakeServices({
        control: controllerOver(cluster),
        controller: { call: (api, context, body) => api.control(context, body) },
      });
      const handler = CONTROLLER_HANDLERS_BY_KEY.get(56);
      assert.equal(handler, alterPartitionHandler, "served on the controller listener");
      const answer = await alterPartitionHandler.handle(
        fakeContext(56, version, services),
        wireRequest(version),
      );
      assert.equal(cluster.proposed.length, 1);
      assert.deepEqual(cluster.image.topicsByName.get("orders")!.partitions[0]!.isr, [1, 2]);
      // The handler answers an untyped message (what any connection sends); the encoder checks it against the schema.
      const frame = encodeResponse(
        alterPartition,
        version,
        1,
        answer as ResponseInput<typeof alterPartition>,
      );
      const decoded = decodeResponse(56, version, concat(frame).subarray(4)).body;
      assert.equal(decoded.errorCode, ErrorCode.NONE);
      const partition = decoded.topics[0]!.partitions[0]!;
      assert.deepEqual(
        [
          partition.errorCode,
          partition.leaderId,
          partition.leaderEpoch,
          partition.isr,
          partition.partitionEpoch,
        ],
        [ErrorCode.NONE, 1, 4, [1, 2], 8],
      );
    });
  }
});

Deno.test("AlterPartition from a broker at a stale epoch commits nothing and answers STALE_BROKER_EPOCH", async () => {
  const cluster = clusterWithOnePartition();
  const services = fakeServices({ control: controllerOver(cluster) });
  const body = { ...wireRequest(2), brokerEpoch: 50 };
  const answer = await alterPartitionHandler.control(fakeContext(56, 2, services), body);
  assert.deepEqual(cluster.proposed, []);
  assert.equal(answer.errorCode, ErrorCode.STALE_BROKER_EPOCH);
  assert.deepEqual(answer.topics, []);
});

Deno.test("AlterPartition refused for want of a controller fails the request at the top level", () => {
  const answer = alterPartitionHandler.refuse(wireRequest(3), 3, ErrorCode.NOT_CONTROLLER, "no controller");
  assert.deepEqual(answer, { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, topics: [] });
});

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
