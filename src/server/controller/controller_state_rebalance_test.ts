/**
 * The active controller's automatic leader rebalance
 * (`auto.leader.rebalance.enable`): every check interval it moves
 * leaderships back to preferred replicas, only while this node is the active
 * controller and only when enabled. Over a simulated clock and a stand-in
 * quorum that applies what it commits.
 */
import assert from "node:assert/strict";
import { ManualClock } from "../../io/sim/mod.ts";
import { MetadataImage, type MetadataRecord, MetadataRecordType } from "../../metadata/mod.ts";
import type { MetadataQuorum } from "../raft_driver/mod.ts";
import type { ControllerChannel } from "./controller_channel.ts";
import { ControllerState } from "./controller_state.ts";

const TOPIC_ID = Uint8Array.from({ length: 16 }, (_, index) => index + 1);
const CHECK_MS = 300_000;

/** Partition 0 prefers broker 1 but is led by 2 (1 was away and came back). */
function imbalancedImage(): MetadataImage {
  const image = new MetadataImage();
  for (const brokerId of [1, 2]) {
    image.apply({
      type: MetadataRecordType.RegisterBroker,
      brokerId,
      brokerEpoch: 10 + brokerId,
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
    replicas: [1, 2],
    isr: [1, 2],
    leader: 2,
    leaderEpoch: 3,
    partitionEpoch: 4,
  });
  return image;
}

function stateOver(image: MetadataImage, options: { enabled: boolean; active: { value: boolean } }) {
  const clock = new ManualClock();
  const proposed: MetadataRecord[][] = [];
  const quorum = {
    get isActiveController() {
      return options.active.value;
    },
    node: { epoch: 1 },
    propose: (records: MetadataRecord[]) => {
      proposed.push(records);
      for (const record of records) image.apply(record);
      return Promise.resolve();
    },
  } as unknown as MetadataQuorum;
  const channel = { exclusive: <T>(work: () => Promise<T>) => work() } as unknown as ControllerChannel;
  const state = new ControllerState({
    clock,
    quorum,
    channel,
    image: () => image,
    sessionTimeoutMs: 1_000_000_000,
    checkIntervalMs: 1_000_000_000,
    leaderRebalance: { enabled: options.enabled, checkIntervalMs: CHECK_MS },
    log: () => {},
  });
  return { clock, proposed, state };
}

/** Lets the promise chain of a fired timer run. */
async function settle(): Promise<void> {
  for (let index = 0; index < 5; index++) await Promise.resolve();
}

Deno.test("the active controller moves leadership back to the preferred replica at the next check", async () => {
  const image = imbalancedImage();
  const { clock, proposed, state } = stateOver(image, { enabled: true, active: { value: true } });
  state.start();
  clock.advance(CHECK_MS - 1);
  await settle();
  assert.equal(proposed.length, 0, "not before the interval");
  clock.advance(1);
  await settle();
  assert.equal(image.topicsByName.get("orders")!.partitions[0]!.leader, 1);
  assert.equal(image.topicsByName.get("orders")!.partitions[0]!.leaderEpoch, 4);
  clock.advance(CHECK_MS);
  await settle();
  assert.equal(proposed.length, 1, "nothing more once balanced");
  state.close();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("no rebalance when disabled, nor on a node that is not the active controller", async () => {
  const disabled = stateOver(imbalancedImage(), { enabled: false, active: { value: true } });
  disabled.state.start();
  disabled.clock.advance(CHECK_MS * 3);
  await settle();
  assert.equal(disabled.proposed.length, 0);
  disabled.state.close();

  const active = { value: false };
  const image = imbalancedImage();
  const standby = stateOver(image, { enabled: true, active });
  standby.state.start();
  standby.clock.advance(CHECK_MS);
  await settle();
  assert.equal(standby.proposed.length, 0, "a standby controller leaves it alone");
  active.value = true;
  standby.clock.advance(CHECK_MS);
  await settle();
  assert.equal(image.topicsByName.get("orders")!.partitions[0]!.leader, 1, "until it becomes active");
  standby.state.close();
});
