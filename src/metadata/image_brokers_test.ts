import assert from "node:assert/strict";
import { applyAll, clusterImage, incarnation } from "./_broker_test_support.ts";
import { decodeRecord, encodeRecord, recordVersion } from "./record_codec.ts";
import { MetadataRecordType, type RegisterBrokerRecord } from "./records.ts";

Deno.test("broker records fence, unfence, mark shutdown and unregister in the image", () => {
  const image = clusterImage([{ id: 1, epoch: 10 }]);
  assert.deepStrictEqual(image.brokers.get(1), {
    brokerId: 1,
    brokerEpoch: 10,
    incarnationId: incarnation(1),
    endPoints: [{ name: "PLAINTEXT", host: "broker-1", port: 9092, securityProtocol: 0 }],
    rack: null,
    fenced: false,
    inControlledShutdown: false,
  });
  applyAll(image, [{ type: MetadataRecordType.FenceBroker, id: 1, epoch: 10 }]);
  assert.equal(image.brokers.get(1)!.fenced, true);
  applyAll(image, [{ type: MetadataRecordType.UnfenceBroker, id: 1, epoch: 10 }]);
  assert.equal(image.brokers.get(1)!.fenced, false);
  const change = {
    type: MetadataRecordType.BrokerRegistrationChange,
    brokerId: 1,
    brokerEpoch: 10,
    fenced: 1,
    inControlledShutdown: 1,
  } as const;
  applyAll(image, [change]);
  assert.deepStrictEqual([image.brokers.get(1)!.fenced, image.brokers.get(1)!.inControlledShutdown], [
    true,
    true,
  ]);
  applyAll(image, [{ ...change, fenced: 0, inControlledShutdown: 0 }]);
  assert.equal(image.brokers.get(1)!.fenced, true, "0 means no change");
  applyAll(image, [{ type: MetadataRecordType.UnregisterBroker, brokerId: 1, brokerEpoch: 10 }]);
  assert.equal(image.brokers.has(1), false);
});

Deno.test("broker records for another epoch or an unknown broker stop replay", () => {
  const image = clusterImage([{ id: 1, epoch: 10 }]);
  assert.throws(() => image.apply({ type: MetadataRecordType.FenceBroker, id: 1, epoch: 11 }));
  assert.throws(() => image.apply({ type: MetadataRecordType.UnfenceBroker, id: 2, epoch: 10 }));
  assert.throws(() =>
    image.apply({ type: MetadataRecordType.UnregisterBroker, brokerId: 1, brokerEpoch: 9 })
  );
  assert.throws(() =>
    image.apply({
      type: MetadataRecordType.BrokerRegistrationChange,
      brokerId: 1,
      brokerEpoch: 10,
      fenced: 2,
      inControlledShutdown: 0,
    })
  );
  assert.equal(image.brokers.get(1)!.fenced, false);
});

Deno.test("a controlled shutdown is written at the record version that carries it", () => {
  const change = {
    type: MetadataRecordType.BrokerRegistrationChange,
    brokerId: 1,
    brokerEpoch: 10,
    fenced: 0,
    inControlledShutdown: 1,
  } as const;
  assert.equal(recordVersion(change), 1);
  assert.equal(recordVersion({ ...change, inControlledShutdown: 0 }), 0);
  assert.deepStrictEqual(decodeRecord(encodeRecord(change)), { ...change, logDirs: [] });
  const register: RegisterBrokerRecord = {
    type: MetadataRecordType.RegisterBroker,
    brokerId: 1,
    brokerEpoch: 10,
    incarnationId: incarnation(1),
    endPoints: [],
    rack: "r",
    fenced: false,
    inControlledShutdown: true,
  };
  assert.equal(recordVersion(register), 1);
  const decoded = decodeRecord(encodeRecord(register));
  assert.ok(decoded.type === MetadataRecordType.RegisterBroker && decoded.inControlledShutdown === true);
});
