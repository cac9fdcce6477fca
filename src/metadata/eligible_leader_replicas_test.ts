/**
 * KIP-966's eligible leader replicas, on when `eligible.leader.replicas.version`
 * is finalized at 1: each rule as Kafka's PartitionChangeBuilder applies it.
 *
 * - an ISR that drops below min.insync.replicas moves the members it loses
 *   into the ELR; an ISR at or above it clears the ELR; ELR members are never
 *   in the ISR;
 * - a fenced (or shut down) last ISR member leaves the ISR too, which may then
 *   be empty; the partition's last leader is kept in lastKnownElr;
 * - a leaderless partition with an empty ISR elects from the ELR (cleanly: the
 *   new leader leads an ISR of itself);
 * - a broker that restarts without a clean shutdown leaves the ELR;
 * - with ISR and ELR empty, the last known leader is elected when it is back,
 *   uncleanly (RECOVERING);
 * - an unclean election clears the ELR.
 */
import assert from "node:assert/strict";
import { decideAlterPartition } from "./alter_partition.ts";
import { decideFenceBroker, decideRegisterBroker, decideUnfenceBroker } from "./broker_decisions.ts";
import { type Decision, isRefusal } from "./controller.ts";
import type { MetadataImage } from "./image.ts";
import { effectiveMinIsr, ELR_FEATURE, elrEnabled, uncleanElections } from "./leader_election.ts";
import {
  applyAll,
  CLUSTER_ID,
  clusterImage,
  incarnation,
  partitionOf,
  TOPIC_ID,
} from "./_broker_test_support.ts";
import { ConfigResourceType, LeaderRecoveryState, MetadataRecordType } from "./records.ts";

/** Three replicas, all in sync, led by 1, min.insync.replicas=2, ELR on. */
function replicatedImage(minIsr = "2"): MetadataImage {
  const image = clusterImage([{ id: 1 }, { id: 2 }, { id: 3 }], [{
    replicas: [1, 2, 3],
    isr: [1, 2, 3],
    leader: 1,
  }]);
  image.apply({ type: MetadataRecordType.FeatureLevel, name: ELR_FEATURE, featureLevel: 1 });
  image.apply({
    type: MetadataRecordType.Config,
    resourceType: ConfigResourceType.Topic,
    resourceName: "orders",
    name: "min.insync.replicas",
    value: minIsr,
  });
  return image;
}

function recordsOf(decision: Decision) {
  assert.ok(!isRefusal(decision), JSON.stringify(decision));
  return decision.records;
}

/** The leader shrinks or grows the ISR (AlterPartition v3). */
function leaderReports(image: MetadataImage, isr: number[]) {
  const partition = partitionOf(image, 0);
  const decision = decideAlterPartition(image, {
    version: 3,
    brokerId: partition.leader,
    brokerEpoch: image.brokers.get(partition.leader)!.brokerEpoch,
    topics: [{
      topicName: "",
      topicId: TOPIC_ID,
      partitions: [{
        partitionIndex: 0,
        leaderEpoch: partition.leaderEpoch,
        newIsr: [],
        newIsrWithEpochs: isr.map((brokerId) => ({
          brokerId,
          brokerEpoch: image.brokers.get(brokerId)!.brokerEpoch,
        })),
        leaderRecoveryState: 0,
        partitionEpoch: partition.partitionEpoch,
      }],
    }],
  });
  assert.equal(decision.response.topics[0]!.partitions[0]!.errorCode, 0);
  return applyAll(image, decision.records);
}

function elrState(image: MetadataImage) {
  const partition = partitionOf(image, 0);
  return {
    leader: partition.leader,
    isr: partition.isr,
    elr: [...partition.eligibleLeaderReplicas].sort(),
    lastKnownElr: partition.lastKnownElr,
  };
}

Deno.test("ELR is on only with the feature finalized at 1 or more", () => {
  const image = clusterImage([{ id: 1 }]);
  assert.equal(elrEnabled(image), false);
  image.apply({ type: MetadataRecordType.FeatureLevel, name: ELR_FEATURE, featureLevel: 1 });
  assert.equal(elrEnabled(image), true);
});

Deno.test("the effective min ISR is the topic's, else the cluster's, else the static value, capped by the replicas", () => {
  const image = replicatedImage("5");
  const topic = image.topicsByName.get("orders")!;
  assert.equal(
    effectiveMinIsr(image, topic, { uncleanLeaderElectionEnable: false }),
    3,
    "capped at 3 replicas",
  );
  image.apply({
    type: MetadataRecordType.Config,
    resourceType: ConfigResourceType.Topic,
    resourceName: "orders",
    name: "min.insync.replicas",
    value: null,
  });
  assert.equal(
    effectiveMinIsr(image, topic, { uncleanLeaderElectionEnable: false, minInsyncReplicas: 2 }),
    2,
  );
  image.apply({
    type: MetadataRecordType.Config,
    resourceType: ConfigResourceType.Broker,
    resourceName: "",
    name: "min.insync.replicas",
    value: "1",
  });
  assert.equal(
    effectiveMinIsr(image, topic, { uncleanLeaderElectionEnable: false, minInsyncReplicas: 2 }),
    1,
  );
});

Deno.test("an ISR below min ISR moves the members it loses into the ELR; enough ISR clears it", () => {
  const image = replicatedImage();
  leaderReports(image, [1, 2]);
  assert.deepEqual(elrState(image).elr, [], "at min ISR nothing is eligible beyond the ISR");
  leaderReports(image, [1]);
  assert.deepEqual(elrState(image), { leader: 1, isr: [1], elr: [2], lastKnownElr: [] });
  leaderReports(image, [1, 3]);
  assert.deepEqual(elrState(image).elr, [], "back at min ISR: cleared");
});

Deno.test("ELR members are never in the ISR", () => {
  const image = replicatedImage("3");
  leaderReports(image, [1, 2]);
  assert.deepEqual(elrState(image).elr, [3]);
  leaderReports(image, [1]);
  assert.deepEqual(elrState(image).elr, [2, 3]);
  const state = elrState(image);
  assert.ok(state.elr.every((id) => !state.isr.includes(id)));
});

/** ISR [1], ELR [2] (the ISR shrank one member at a time), then 2 and 1 fenced in that order. */
function bothAway(): MetadataImage {
  const image = replicatedImage();
  leaderReports(image, [1, 2]);
  leaderReports(image, [1]);
  applyAll(image, recordsOf(decideFenceBroker(image, 2)));
  applyAll(image, recordsOf(decideFenceBroker(image, 1)));
  return image;
}

Deno.test("fencing the last ISR member empties the ISR, keeps it eligible, and remembers the last leader", () => {
  assert.deepEqual(elrState(bothAway()), { leader: -1, isr: [], elr: [1, 2], lastKnownElr: [1] });
});

Deno.test("with an empty ISR a live ELR member is elected at once, cleanly, leading an ISR of itself", () => {
  const image = replicatedImage();
  leaderReports(image, [1, 2]);
  leaderReports(image, [1]);
  applyAll(image, recordsOf(decideFenceBroker(image, 1)));
  assert.deepEqual(elrState(image), { leader: 2, isr: [2], elr: [1], lastKnownElr: [] });
  assert.equal(partitionOf(image, 0).leaderRecoveryState, LeaderRecoveryState.Recovered);
});

Deno.test("a leaderless partition with an empty ISR elects an ELR member cleanly when one is back", () => {
  const image = bothAway();
  applyAll(image, recordsOf(decideUnfenceBroker(image, 2)));
  assert.deepEqual(elrState(image), { leader: 2, isr: [2], elr: [1], lastKnownElr: [] });
  assert.equal(partitionOf(image, 0).leaderRecoveryState, LeaderRecoveryState.Recovered);
});

Deno.test("a broker that restarts without a clean shutdown leaves the ELR", () => {
  const image = bothAway();
  const restarted = decideRegisterBroker(image, {
    brokerId: 2,
    clusterId: CLUSTER_ID,
    incarnationId: incarnation(2, 1),
    listeners: [],
    rack: null,
  }, { clusterId: CLUSTER_ID, brokerEpoch: 500, sessionActive: false });
  applyAll(image, recordsOf(restarted));
  assert.deepEqual(elrState(image), { leader: -1, isr: [], elr: [1], lastKnownElr: [1] });
});

Deno.test("with ISR and ELR empty the last known leader is elected when back, RECOVERING", () => {
  const image = replicatedImage("1");
  // min ISR 1: only losing the last member makes anyone eligible.
  leaderReports(image, [1]);
  assert.deepEqual(elrState(image).elr, []);
  const restarted = decideRegisterBroker(image, {
    brokerId: 1,
    clusterId: CLUSTER_ID,
    incarnationId: incarnation(1, 1),
    listeners: [],
    rack: null,
  }, { clusterId: CLUSTER_ID, brokerEpoch: 500, sessionActive: false });
  applyAll(image, recordsOf(restarted));
  assert.deepEqual(elrState(image), { leader: -1, isr: [], elr: [], lastKnownElr: [1] });
  applyAll(image, recordsOf(decideUnfenceBroker(image, 1)));
  assert.deepEqual(elrState(image), { leader: 1, isr: [1], elr: [], lastKnownElr: [] });
  assert.equal(partitionOf(image, 0).leaderRecoveryState, LeaderRecoveryState.Recovering);
});

Deno.test("an unclean election clears the ELR", () => {
  const image = bothAway();
  // Both eligible replicas are away; 3 is live but out of sync.
  applyAll(image, uncleanElections(image, { uncleanLeaderElectionEnable: true }));
  const state = elrState(image);
  assert.deepEqual([state.leader, state.isr, state.elr], [3, [3], []]);
  assert.equal(partitionOf(image, 0).leaderRecoveryState, LeaderRecoveryState.Recovering);
});
