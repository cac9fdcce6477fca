/**
 * Unclean leader election (`unclean.leader.election.enable`, KIP-704): a
 * partition whose ISR has no live member is led by a live replica outside it
 * only when the topic, the cluster-wide dynamic value, or the controller's
 * static value (in that order) allows it; the new leader leads alone and
 * RECOVERING until it reports RECOVERED through AlterPartition.
 */
import assert from "node:assert/strict";
import { decideAlterPartition } from "./alter_partition.ts";
import { decideFenceBroker, decideUnfenceBroker } from "./broker_decisions.ts";
import { isRefusal } from "./controller.ts";
import type { MetadataImage } from "./image.ts";
import { uncleanElectionEnabled, uncleanElections } from "./leader_election.ts";
import { applyAll, clusterImage, partitionOf, stateOf, TOPIC_ID } from "./_broker_test_support.ts";
import { ConfigResourceType, LeaderRecoveryState, MetadataRecordType } from "./records.ts";

const STATIC_OFF = { uncleanLeaderElectionEnable: false };
const STATIC_ON = { uncleanLeaderElectionEnable: true };

function setConfig(image: MetadataImage, resourceType: number, resourceName: string, value: string | null) {
  image.apply({
    type: MetadataRecordType.Config,
    resourceType,
    resourceName,
    name: "unclean.leader.election.enable",
    value,
  });
}

/** Broker 2 is out of the ISR of a partition led by 1; then 1 is fenced. */
function lonelyLeader(): MetadataImage {
  return clusterImage([{ id: 1 }, { id: 2 }], [{ replicas: [1, 2], isr: [1], leader: 1 }]);
}

function records(decision: ReturnType<typeof decideFenceBroker>) {
  assert.ok(!isRefusal(decision));
  return decision.records;
}

Deno.test("by default a partition whose ISR is gone stays leaderless rather than lose data", () => {
  const image = lonelyLeader();
  applyAll(image, records(decideFenceBroker(image, 1)));
  assert.deepEqual(stateOf(image, 0), { leader: -1, isr: [1], leaderEpoch: 6, partitionEpoch: 11 });
  assert.equal(partitionOf(image, 0).leaderRecoveryState, LeaderRecoveryState.Recovered);
});

Deno.test("with unclean election enabled a live out-of-sync replica leads alone, RECOVERING", () => {
  const image = lonelyLeader();
  applyAll(image, records(decideFenceBroker(image, 1, STATIC_ON)));
  assert.deepEqual(stateOf(image, 0), { leader: 2, isr: [2], leaderEpoch: 6, partitionEpoch: 11 });
  assert.equal(partitionOf(image, 0).leaderRecoveryState, LeaderRecoveryState.Recovering);
  // The leader reports that it has recovered; then the old leader may rejoin as any follower.
  const recovered = decideAlterPartition(image, {
    version: 3,
    brokerId: 2,
    brokerEpoch: 102,
    topics: [{
      topicName: "",
      topicId: TOPIC_ID,
      partitions: [{
        partitionIndex: 0,
        leaderEpoch: 6,
        newIsr: [],
        newIsrWithEpochs: [{ brokerId: 2, brokerEpoch: 102 }],
        leaderRecoveryState: LeaderRecoveryState.Recovered,
        partitionEpoch: 11,
      }],
    }],
  });
  assert.equal(recovered.response.topics[0]!.partitions[0]!.errorCode, 0);
  applyAll(image, recovered.records);
  assert.equal(partitionOf(image, 0).leaderRecoveryState, LeaderRecoveryState.Recovered);
  assert.deepEqual(stateOf(image, 0), { leader: 2, isr: [2], leaderEpoch: 6, partitionEpoch: 12 });
});

Deno.test("the topic's setting overrides the cluster-wide one, which overrides the static one", () => {
  const image = lonelyLeader();
  assert.equal(uncleanElectionEnabled(image, "orders", STATIC_ON), true);
  setConfig(image, ConfigResourceType.Broker, "", "false");
  assert.equal(uncleanElectionEnabled(image, "orders", STATIC_ON), false);
  setConfig(image, ConfigResourceType.Topic, "orders", "true");
  assert.equal(uncleanElectionEnabled(image, "orders", STATIC_OFF), true);
  setConfig(image, ConfigResourceType.Broker, "", null);
  setConfig(image, ConfigResourceType.Topic, "orders", "false");
  assert.equal(uncleanElectionEnabled(image, "orders", STATIC_ON), false);
  applyAll(image, records(decideFenceBroker(image, 1, STATIC_ON)));
  assert.equal(partitionOf(image, 0).leader, -1, "the topic said no");
});

Deno.test("turning the setting on elects the leaderless partitions that have a live replica", () => {
  const image = clusterImage([{ id: 1 }, { id: 2 }, { id: 3 }], [
    { replicas: [1, 2], isr: [1], leader: 1 },
    { replicas: [1, 3], isr: [1, 3], leader: 1 },
  ]);
  applyAll(image, records(decideFenceBroker(image, 1)));
  assert.deepEqual([partitionOf(image, 0).leader, partitionOf(image, 1).leader], [-1, 3]);
  assert.deepEqual(uncleanElections(image, STATIC_OFF), [], "nothing while the setting is off");
  setConfig(image, ConfigResourceType.Topic, "orders", "true");
  applyAll(image, uncleanElections(image, STATIC_OFF));
  assert.deepEqual(stateOf(image, 0), { leader: 2, isr: [2], leaderEpoch: 7, partitionEpoch: 12 });
  assert.deepEqual(stateOf(image, 1), { leader: 3, isr: [3], leaderEpoch: 6, partitionEpoch: 11 });
});

Deno.test("an out-of-sync broker that unfences leads a leaderless partition only when unclean election is on", () => {
  const setUp = () => {
    const image = clusterImage([{ id: 1 }, { id: 2, fenced: true }], [{
      replicas: [1, 2],
      isr: [1],
      leader: 1,
    }]);
    applyAll(image, records(decideFenceBroker(image, 1)));
    return image;
  };
  const clean = setUp();
  applyAll(clean, records(decideUnfenceBroker(clean, 2)));
  assert.equal(partitionOf(clean, 0).leader, -1);
  const unclean = setUp();
  applyAll(unclean, records(decideUnfenceBroker(unclean, 2, STATIC_ON)));
  assert.deepEqual([partitionOf(unclean, 0).leader, partitionOf(unclean, 0).isr], [2, [2]]);
  assert.equal(partitionOf(unclean, 0).leaderRecoveryState, LeaderRecoveryState.Recovering);
});
