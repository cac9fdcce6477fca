/**
 * Broker sessions on the active controller, with the simulated clock and a
 * stand-in quorum whose leadership the test moves: a broker silent for the
 * session timeout is fenced, one that heartbeats is not, and a failover
 * never fences a live broker: every broker starts the new term with a
 * fresh session, and a fencing decision taken in an earlier term (left
 * waiting behind a proposal that could not commit) is dropped.
 */
import assert from "node:assert/strict";
import { ManualClock, settle } from "../../io/sim/mod.ts";
import { MetadataImage, type MetadataRecord, MetadataRecordType } from "../../metadata/mod.ts";
import type { MetadataQuorum } from "../raft_driver/mod.ts";
import type { ControllerChannel } from "./controller_channel.ts";
import { ControllerState } from "./controller_state.ts";

const SESSION_TIMEOUT_MS = 1000;
const CHECK_INTERVAL_MS = 100;

/** Brokers 1, 2 and 3, registered and unfenced (metadata.version finalized). */
function threeBrokers(): MetadataImage {
  const image = new MetadataImage();
  image.apply({ type: MetadataRecordType.FeatureLevel, name: "metadata.version", featureLevel: 21 });
  for (const brokerId of [1, 2, 3]) {
    image.apply({
      type: MetadataRecordType.RegisterBroker,
      brokerId,
      brokerEpoch: 10 + brokerId,
      incarnationId: new Uint8Array(16).fill(brokerId),
      endPoints: [{ name: "PLAINTEXT", host: `node-${brokerId}`, port: 9092, securityProtocol: 0 }],
      rack: null,
      fenced: false,
    });
  }
  return image;
}

/** A stand-in quorum: the test sets its leadership; proposals are recorded and applied at once. */
class Quorum {
  isActiveController = false;
  readonly node = { epoch: 0 };
  /** Brokers fenced through a proposal, in order. */
  readonly fenced: number[] = [];
  constructor(readonly image: MetadataImage) {}

  propose(records: MetadataRecord[]): Promise<void> {
    for (const record of records) {
      if (record.type === MetadataRecordType.BrokerRegistrationChange && record.fenced === 1) {
        this.fenced.push(record.brokerId);
      }
      this.image.apply(record);
    }
    return Promise.resolve();
  }
}

/** The controller lock, as the channel's: one piece of work at a time, in order. */
class Lock {
  #queue: Promise<unknown> = Promise.resolve();
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(work);
    this.#queue = result.catch(() => {});
    return result;
  }
}

function setUp() {
  const clock = new ManualClock();
  const quorum = new Quorum(threeBrokers());
  const lock = new Lock();
  const state = new ControllerState({
    clock,
    quorum: quorum as unknown as MetadataQuorum,
    channel: lock as unknown as ControllerChannel,
    image: () => quorum.image,
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    checkIntervalMs: CHECK_INTERVAL_MS,
    log: () => {},
  });
  state.start();
  /** This node becomes the active controller of `epoch`. */
  const lead = (epoch: number) => {
    quorum.node.epoch = epoch;
    quorum.isActiveController = true;
    state.onQuorumChange();
  };
  /** Leadership moves to another node in `epoch`. */
  const lose = (epoch: number) => {
    quorum.node.epoch = epoch;
    quorum.isActiveController = false;
    state.onQuorumChange();
  };
  /** Moves time in steps, letting the work the timers start run, with `heartbeating` brokers heard from. */
  const pass = async (ms: number, heartbeating: number[] = []) => {
    for (let elapsed = 0; elapsed < ms; elapsed += CHECK_INTERVAL_MS / 2) {
      if (quorum.isActiveController) { for (const brokerId of heartbeating) state.touch(brokerId); }
      clock.advance(CHECK_INTERVAL_MS / 2);
      await settle();
    }
  };
  return { quorum, lock, state, lead, lose, pass };
}

Deno.test("a broker silent for the session timeout is fenced; brokers that heartbeat are not", async () => {
  const { quorum, state, lead, pass } = setUp();
  lead(1);
  await pass(3 * SESSION_TIMEOUT_MS, [1, 3]);
  assert.deepEqual(quorum.fenced, [2]);
  state.close();
});

Deno.test("a new active controller gives every broker a fresh session", async () => {
  const { quorum, state, lead, lose, pass } = setUp();
  lead(1);
  await pass(SESSION_TIMEOUT_MS / 2, [1, 2, 3]);
  lose(2);
  // Another node leads for longer than a session: this node's own view of the sessions is old.
  await pass(2 * SESSION_TIMEOUT_MS);
  lead(3);
  // Every broker heartbeats to the new controller within its fresh session: none is fenced.
  await pass(SESSION_TIMEOUT_MS / 2);
  await pass(2 * SESSION_TIMEOUT_MS, [1, 2, 3]);
  assert.deepEqual(quorum.fenced, []);
  state.close();
});

Deno.test("a fencing decision left waiting across a failover does not fence a broker of the new term", async () => {
  const { quorum, lock, state, lead, lose, pass } = setUp();
  lead(1);
  // A proposal that cannot commit holds the controller lock (this node is cut off from the quorum).
  let release: () => void = () => {};
  void lock.exclusive(() => new Promise<void>((resolve) => (release = resolve)));
  // Brokers 2 and 3 cannot reach it either: their sessions lapse, and fencing them waits for the lock.
  await pass(2 * SESSION_TIMEOUT_MS, [1]);
  assert.deepEqual(quorum.fenced, []);
  // Leadership moves away and comes back: the new term gives every broker a fresh session.
  lose(2);
  await pass(SESSION_TIMEOUT_MS);
  lead(3);
  // The stuck proposal fails at last and the lock runs what waited for it, in the new term.
  release();
  await pass(SESSION_TIMEOUT_MS / 2);
  assert.deepEqual(quorum.fenced, [], "no broker fenced by a decision of the old term");
  // Within the new term, silence still fences: broker 2 never heartbeats, brokers 1 and 3 do.
  await pass(2 * SESSION_TIMEOUT_MS, [1, 3]);
  assert.deepEqual(quorum.fenced, [2]);
  state.close();
});
