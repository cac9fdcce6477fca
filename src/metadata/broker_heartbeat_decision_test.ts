import assert from "node:assert/strict";
import { ErrorCode } from "../protocol/mod.ts";
import { type BrokerHeartbeatRequest, decideBrokerHeartbeat } from "./broker_heartbeat_decision.ts";
import { applyAll, clusterImage, stateOf } from "./_broker_test_support.ts";
import { BrokerFencingChange, BrokerShutdownChange, MetadataRecordType } from "./records.ts";

function heartbeat(brokerId: number, extra: Partial<BrokerHeartbeatRequest> = {}): BrokerHeartbeatRequest {
  return {
    brokerId,
    brokerEpoch: 100 + brokerId,
    currentMetadataOffset: 1000,
    wantFence: false,
    wantShutDown: false,
    ...extra,
  };
}

Deno.test("heartbeats from unknown brokers or other epochs get STALE_BROKER_EPOCH", () => {
  const image = clusterImage([{ id: 1 }]);
  for (const request of [heartbeat(2), heartbeat(1, { brokerEpoch: 3 })]) {
    const decision = decideBrokerHeartbeat(image, request);
    assert.deepEqual(decision.records, []);
    assert.deepEqual(decision.response, {
      errorCode: ErrorCode.STALE_BROKER_EPOCH,
      isCaughtUp: false,
      isFenced: true,
      shouldShutDown: false,
    });
  }
});

Deno.test("a fenced broker stays fenced until it has replayed its registration", () => {
  const image = clusterImage([{ id: 1, fenced: true }]);
  const behind = decideBrokerHeartbeat(image, heartbeat(1, { currentMetadataOffset: 100 }));
  assert.deepEqual(behind.records, []);
  assert.deepEqual(behind.response, {
    errorCode: 0,
    isCaughtUp: false,
    isFenced: true,
    shouldShutDown: false,
  });
  const amended = decideBrokerHeartbeat(image, heartbeat(1, { currentMetadataOffset: 150 }), {
    registrationOffset: 151,
  });
  assert.equal(amended.response.isFenced, true, "an amended registration counts from its own offset");
  const wantsFence = decideBrokerHeartbeat(image, heartbeat(1, { wantFence: true }));
  assert.deepEqual(wantsFence.records, []);
  assert.equal(wantsFence.response.isFenced, true);
});

Deno.test("a caught-up fenced broker is unfenced and leads its leaderless partitions", () => {
  const image = clusterImage([{ id: 1, fenced: true }, { id: 2 }], [{
    replicas: [1, 2],
    isr: [1],
    leader: -1,
  }]);
  const decision = decideBrokerHeartbeat(image, heartbeat(1, { currentMetadataOffset: 101 }));
  assert.deepEqual(decision.response, {
    errorCode: 0,
    isCaughtUp: true,
    isFenced: false,
    shouldShutDown: false,
  });
  assert.deepEqual(decision.records[0], {
    type: MetadataRecordType.BrokerRegistrationChange,
    brokerId: 1,
    brokerEpoch: 101,
    fenced: BrokerFencingChange.Unfence,
    inControlledShutdown: BrokerShutdownChange.None,
  });
  applyAll(image, decision.records);
  assert.equal(image.brokers.get(1)!.fenced, false);
  assert.equal(stateOf(image, 0).leader, 1);
  const steady = decideBrokerHeartbeat(image, heartbeat(1));
  assert.deepEqual(steady.records, [], "an unfenced broker's heartbeat changes nothing");
  assert.equal(steady.response.isFenced, false);
});

Deno.test("an unfenced broker asking to be fenced is fenced", () => {
  const image = clusterImage([{ id: 1 }, { id: 2 }], [{ replicas: [1, 2], isr: [1, 2], leader: 1 }]);
  const decision = decideBrokerHeartbeat(image, heartbeat(1, { wantFence: true }));
  assert.deepEqual(decision.response, {
    errorCode: 0,
    isCaughtUp: true,
    isFenced: true,
    shouldShutDown: false,
  });
  applyAll(image, decision.records);
  assert.equal(image.brokers.get(1)!.fenced, true);
  assert.equal(stateOf(image, 0).leader, 2);
});

Deno.test("a broker leading nothing that asks to shut down is fenced and told to stop", async (t) => {
  for (const [name, fenced] of [["unfenced", false], ["fenced", true]] as const) {
    await t.step(name, () => {
      const image = clusterImage([{ id: 1, fenced }, { id: 2 }], [{
        replicas: [2, 1],
        isr: [2, 1],
        leader: 2,
      }]);
      const decision = decideBrokerHeartbeat(image, heartbeat(1, { wantShutDown: true }));
      assert.deepEqual(decision.response, {
        errorCode: 0,
        isCaughtUp: true,
        isFenced: true,
        shouldShutDown: true,
      });
      applyAll(image, decision.records);
      assert.equal(image.brokers.get(1)!.fenced, true);
      assert.deepEqual(stateOf(image, 0).isr, [2]);
    });
  }
});

Deno.test("a leader asking to shut down goes through controlled shutdown", async (t) => {
  const image = clusterImage([{ id: 1 }, { id: 2 }], [
    { replicas: [1, 2], isr: [1, 2], leader: 1 },
    { replicas: [1], isr: [1], leader: 1 },
  ]);
  const request = heartbeat(1, { wantShutDown: true });
  await t.step("entering it moves leaderships and keeps the broker unfenced", () => {
    const decision = decideBrokerHeartbeat(image, request);
    assert.deepEqual(decision.response, {
      errorCode: 0,
      isCaughtUp: true,
      isFenced: false,
      shouldShutDown: false,
    });
    assert.equal(decision.inControlledShutdown, true);
    applyAll(image, decision.records);
    assert.deepEqual(image.brokers.get(1)!.inControlledShutdown, true);
    assert.equal(image.brokers.get(1)!.fenced, false);
    assert.deepEqual([stateOf(image, 0).leader, stateOf(image, 0).isr], [2, [2]]);
    assert.deepEqual([stateOf(image, 1).leader, stateOf(image, 1).isr], [-1, [1]]);
  });
  await t.step("it waits until the active brokers replayed the shutdown", () => {
    const decision = decideBrokerHeartbeat(image, request, {
      controlledShutdownOffset: 500,
      lowestActiveOffset: 499,
    });
    assert.deepEqual(decision.records, []);
    assert.equal(decision.inControlledShutdown, true);
    assert.equal(decision.response.shouldShutDown, false);
  });
  await t.step("then it is fenced and told to stop", () => {
    const decision = decideBrokerHeartbeat(image, request, {
      controlledShutdownOffset: 500,
      lowestActiveOffset: 500,
    });
    assert.deepEqual(decision.response, {
      errorCode: 0,
      isCaughtUp: true,
      isFenced: true,
      shouldShutDown: true,
    });
    assert.equal(decision.inControlledShutdown, false);
    applyAll(image, decision.records);
    assert.equal(image.brokers.get(1)!.fenced, true);
  });
});

Deno.test("a controller that lost track of a controlled shutdown starts it again without a second mark", () => {
  const image = clusterImage([{ id: 1 }, { id: 2 }], [{ replicas: [1, 2], isr: [1, 2], leader: 1 }]);
  applyAll(image, [{
    type: MetadataRecordType.BrokerRegistrationChange,
    brokerId: 1,
    brokerEpoch: 101,
    fenced: BrokerFencingChange.None,
    inControlledShutdown: BrokerShutdownChange.InControlledShutdown,
  }]);
  const decision = decideBrokerHeartbeat(image, heartbeat(1, { wantShutDown: true }));
  assert.equal(decision.inControlledShutdown, true);
  assert.deepEqual(decision.records.map((record) => record.type), [MetadataRecordType.PartitionChange]);
});
