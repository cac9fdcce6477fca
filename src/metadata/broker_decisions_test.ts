import assert from "node:assert/strict";
import { ErrorCode } from "../protocol/mod.ts";
import {
  type BrokerRegistrationRequest,
  decideFenceBroker,
  decideRegisterBroker,
  decideUnfenceBroker,
  decideUnregisterBroker,
  unfencedBrokerIds,
} from "./broker_decisions.ts";
import { type Decision, isRefusal } from "./controller.ts";
import type { MetadataImage } from "./image.ts";
import { applyAll, CLUSTER_ID, clusterImage, incarnation, stateOf } from "./_broker_test_support.ts";
import { MetadataRecordType } from "./records.ts";

function registration(
  brokerId: number,
  extra: Partial<BrokerRegistrationRequest> = {},
): BrokerRegistrationRequest {
  return {
    brokerId,
    clusterId: CLUSTER_ID,
    incarnationId: incarnation(brokerId, 1),
    listeners: [{ name: "PLAINTEXT", host: "localhost", port: 9093, securityProtocol: 0 }],
    rack: "rack-a",
    ...extra,
  };
}

function recordsOf(decision: Decision) {
  assert.ok(!isRefusal(decision), JSON.stringify(decision));
  return decision.records;
}

function applied(image: MetadataImage, decision: Decision): MetadataImage {
  return applyAll(image, recordsOf(decision));
}

Deno.test("a new broker registers fenced at the epoch of its record's offset", () => {
  const image = clusterImage([{ id: 1 }]);
  const decision = decideRegisterBroker(image, registration(2), {
    clusterId: CLUSTER_ID,
    brokerEpoch: 42,
    sessionActive: false,
  });
  assert.ok(!isRefusal(decision));
  assert.equal(decision.brokerEpoch, 42);
  applyAll(image, decision.records);
  const broker = image.brokers.get(2)!;
  assert.equal(broker.brokerEpoch, 42);
  assert.equal(broker.fenced, true);
  assert.equal(broker.rack, "rack-a");
  assert.deepEqual(broker.endPoints, [{
    name: "PLAINTEXT",
    host: "localhost",
    port: 9093,
    securityProtocol: 0,
  }]);
  assert.deepEqual(broker.incarnationId, incarnation(2, 1));
  assert.deepEqual(unfencedBrokerIds(image), [1]);
});

Deno.test("registration refusals carry Kafka's error codes", async (t) => {
  const image = clusterImage([{ id: 1 }]);
  const context = { clusterId: CLUSTER_ID, brokerEpoch: 50, sessionActive: true };
  const cases: [string, BrokerRegistrationRequest, number][] = [
    ["another cluster id", registration(2, { clusterId: "other" }), ErrorCode.INCONSISTENT_CLUSTER_ID],
    ["another incarnation while the session lives", registration(1), ErrorCode.DUPLICATE_BROKER_REGISTRATION],
    [
      "a ZooKeeper broker",
      registration(3, { isMigratingZkBroker: true }),
      ErrorCode.BROKER_ID_NOT_REGISTERED,
    ],
    [
      "a broker below the finalized metadata.version",
      registration(3, {
        features: [{ name: "metadata.version", minSupportedVersion: 1, maxSupportedVersion: 7 }],
      }),
      ErrorCode.UNSUPPORTED_VERSION,
    ],
    [
      "a broker that omits metadata.version",
      registration(3, { features: [] }),
      ErrorCode.UNSUPPORTED_VERSION,
    ],
  ];
  for (const [name, request, errorCode] of cases) {
    await t.step(name, () => {
      const decision = decideRegisterBroker(image, request, context);
      assert.ok(isRefusal(decision), name);
      assert.equal(decision.errorCode, errorCode);
    });
  }
  await t.step("a broker supporting the finalized levels registers", () => {
    const features = [{ name: "metadata.version", minSupportedVersion: 1, maxSupportedVersion: 21 }];
    assert.ok(!isRefusal(decideRegisterBroker(image, registration(3, { features }), context)));
  });
});

Deno.test("a new incarnation replaces a registration whose session expired", () => {
  const image = clusterImage([{ id: 1, epoch: 7 }]);
  const decision = decideRegisterBroker(image, registration(1), {
    clusterId: CLUSTER_ID,
    brokerEpoch: 60,
    sessionActive: false,
  });
  assert.ok(!isRefusal(decision));
  applyAll(image, decision.records);
  assert.equal(image.brokers.get(1)!.brokerEpoch, 60);
  assert.equal(image.brokers.get(1)!.fenced, true);
});

Deno.test("a restarted broker leaves every ISR it shares before it registers again (it may have lost its tail)", () => {
  const image = clusterImage([{ id: 1, fenced: true }, { id: 2 }, { id: 3 }], [
    { replicas: [1, 2, 3], isr: [1, 2, 3], leader: 2 },
    { replicas: [1, 2], isr: [1], leader: -1 },
    { replicas: [2, 3], isr: [2, 3], leader: 2 },
  ]);
  const decision = decideRegisterBroker(image, registration(1), {
    clusterId: CLUSTER_ID,
    brokerEpoch: 60,
    sessionActive: false,
  });
  const records = recordsOf(decision);
  assert.equal(
    records.at(-1)!.type,
    MetadataRecordType.RegisterBroker,
    "partitions first, then the registration",
  );
  applyAll(image, records);
  assert.deepEqual(stateOf(image, 0), { leader: 2, isr: [2, 3], leaderEpoch: 5, partitionEpoch: 11 });
  // The only ISR member stays in it (an ISR is never empty), and leads again once unfenced.
  assert.deepEqual(stateOf(image, 1), { leader: -1, isr: [1], leaderEpoch: 5, partitionEpoch: 10 });
  assert.deepEqual(stateOf(image, 2), { leader: 2, isr: [2, 3], leaderEpoch: 5, partitionEpoch: 10 });
  applied(image, decideUnfenceBroker(image, 1));
  assert.deepEqual(stateOf(image, 1), { leader: 1, isr: [1], leaderEpoch: 6, partitionEpoch: 11 });
});

Deno.test("a restarted leader that was never fenced loses its leadership and ISR places at registration", () => {
  const image = clusterImage([{ id: 1 }, { id: 2 }], [{ replicas: [1, 2], isr: [1, 2], leader: 1 }]);
  const decision = decideRegisterBroker(image, registration(1), {
    clusterId: CLUSTER_ID,
    brokerEpoch: 60,
    sessionActive: false,
  });
  applyAll(image, recordsOf(decision));
  assert.deepEqual(stateOf(image, 0), { leader: 2, isr: [2], leaderEpoch: 6, partitionEpoch: 11 });
});

Deno.test("the same incarnation registering again keeps its epoch and state", () => {
  const image = clusterImage([{ id: 1, epoch: 7 }]);
  const request = registration(1, { incarnationId: incarnation(1), rack: "rack-b" });
  const decision = decideRegisterBroker(image, request, {
    clusterId: CLUSTER_ID,
    brokerEpoch: 60,
    sessionActive: true,
  });
  assert.ok(!isRefusal(decision));
  assert.equal(decision.brokerEpoch, 7);
  applyAll(image, decision.records);
  const broker = image.brokers.get(1)!;
  assert.deepEqual([broker.brokerEpoch, broker.fenced, broker.rack], [7, false, "rack-b"]);
});

Deno.test("fencing moves leadership to the first live ISR replica in replica order", () => {
  const image = clusterImage([{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4, fenced: true }], [
    { replicas: [1, 4, 3, 2], isr: [1, 2, 3, 4], leader: 1 },
    { replicas: [2, 1, 3], isr: [2, 1, 3], leader: 2 },
    { replicas: [2, 3], isr: [2, 3], leader: 2 },
  ]);
  const records = recordsOf(decideFenceBroker(image, 1));
  assert.equal(
    records.at(-1)!.type,
    MetadataRecordType.BrokerRegistrationChange,
    "partitions first, then fencing",
  );
  applyAll(image, records);
  assert.equal(image.brokers.get(1)!.fenced, true);
  // Broker 4 is in the ISR but fenced, so 3 (before 2 in the replicas) leads.
  assert.deepEqual(stateOf(image, 0), { leader: 3, isr: [2, 3, 4], leaderEpoch: 6, partitionEpoch: 11 });
  // Not the leader: only the ISR shrinks, and the leader epoch stays.
  assert.deepEqual(stateOf(image, 1), { leader: 2, isr: [2, 3], leaderEpoch: 5, partitionEpoch: 11 });
  assert.deepEqual(stateOf(image, 2), { leader: 2, isr: [2, 3], leaderEpoch: 5, partitionEpoch: 10 });
});

Deno.test("fencing the last ISR member leaves no leader and keeps it in the ISR", () => {
  const image = clusterImage([{ id: 1 }, { id: 2 }], [
    { replicas: [1, 2], isr: [1], leader: 1 },
    { replicas: [1, 2], isr: [1, 2], leader: 1 },
  ]);
  applied(image, decideFenceBroker(image, 1));
  assert.deepEqual(stateOf(image, 0), { leader: -1, isr: [1], leaderEpoch: 6, partitionEpoch: 11 });
  assert.deepEqual(stateOf(image, 1), { leader: 2, isr: [2], leaderEpoch: 6, partitionEpoch: 11 });
});

Deno.test("fencing elects no fenced, unregistered or out-of-ISR replica", () => {
  const image = clusterImage([{ id: 1 }, { id: 2, fenced: true }, { id: 3 }], [
    { replicas: [1, 2, 9, 3], isr: [1, 2, 9], leader: 1 },
  ]);
  applied(image, decideFenceBroker(image, 1));
  assert.deepEqual(stateOf(image, 0), { leader: -1, isr: [2, 9], leaderEpoch: 6, partitionEpoch: 11 });
});

Deno.test("fencing a fenced broker writes nothing; an unknown one is refused", () => {
  const image = clusterImage([{ id: 1, fenced: true }]);
  assert.deepEqual(recordsOf(decideFenceBroker(image, 1)), []);
  const refusal = decideFenceBroker(image, 5);
  assert.ok(isRefusal(refusal));
  assert.equal(refusal.errorCode, ErrorCode.BROKER_ID_NOT_REGISTERED);
});

Deno.test("unfencing elects leaders for leaderless partitions whose ISR can lead", () => {
  const image = clusterImage([{ id: 1, fenced: true }, { id: 2 }, { id: 3, fenced: true }], [
    { replicas: [2, 1], isr: [1], leader: -1 },
    { replicas: [3, 2], isr: [3], leader: -1 },
    { replicas: [1, 2], isr: [2], leader: 2 },
  ]);
  const records = recordsOf(decideUnfenceBroker(image, 1));
  assert.equal(records[0]!.type, MetadataRecordType.BrokerRegistrationChange, "unfencing first");
  applyAll(image, records);
  assert.equal(image.brokers.get(1)!.fenced, false);
  assert.deepEqual(stateOf(image, 0), { leader: 1, isr: [1], leaderEpoch: 6, partitionEpoch: 11 });
  assert.deepEqual(stateOf(image, 1), { leader: -1, isr: [3], leaderEpoch: 5, partitionEpoch: 10 });
  assert.deepEqual(stateOf(image, 2), { leader: 2, isr: [2], leaderEpoch: 5, partitionEpoch: 10 });
  assert.deepEqual(recordsOf(decideUnfenceBroker(image, 1)), [], "already unfenced");
});

Deno.test("fencing then unfencing the only ISR member brings its leadership back", () => {
  const image = clusterImage([{ id: 1 }], [{ replicas: [1], isr: [1], leader: 1 }]);
  applied(image, decideFenceBroker(image, 1));
  assert.equal(stateOf(image, 0).leader, -1);
  applied(image, decideUnfenceBroker(image, 1));
  assert.deepEqual(stateOf(image, 0), { leader: 1, isr: [1], leaderEpoch: 7, partitionEpoch: 12 });
});

Deno.test("unregistering moves leadership away and removes the registration", () => {
  const image = clusterImage([{ id: 1 }, { id: 2 }], [{ replicas: [1, 2], isr: [1, 2], leader: 1 }]);
  applied(image, decideUnregisterBroker(image, 1));
  assert.equal(image.brokers.has(1), false);
  assert.deepEqual(stateOf(image, 0), { leader: 2, isr: [2], leaderEpoch: 6, partitionEpoch: 11 });
  assert.equal(
    (decideUnregisterBroker(image, 1) as { errorCode: number }).errorCode,
    ErrorCode.BROKER_ID_NOT_REGISTERED,
  );
});

Deno.test("placement uses unfenced brokers not in controlled shutdown, sorted", () => {
  const image = clusterImage([{ id: 5 }, { id: 3, fenced: true }, { id: 1 }, { id: 4 }]);
  applyAll(image, [{
    type: MetadataRecordType.BrokerRegistrationChange,
    brokerId: 4,
    brokerEpoch: 104,
    fenced: 0,
    inControlledShutdown: 1,
  }]);
  assert.deepEqual(unfencedBrokerIds(image), [1, 5]);
});
