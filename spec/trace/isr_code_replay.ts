/**
 * Trace validation of src/replication against spec/isr.qnt: replays the
 * steps of traces that `quint run --out-itf` drew from the spec through the
 * real state machines, and compares what they compute with what the spec's
 * next state says.
 *
 * What the real code decides, and is compared, per spec action:
 * - `fetch` / `fetchResponseLost`: the leader's `divergingEpoch` answer and
 *   `FollowerState.onAnswer` (truncate where the spec's follower log ends, or
 *   append), the
 *   leader's `LeaderState.onFollowerFetch` (its high watermark after), and
 *   `FollowerState.highWatermark` (the follower's high watermark after).
 * - `learnMetadata` making a leader: a new `LeaderState` from the broker's
 *   log end and high watermark (its high watermark and epoch start offset);
 *   an ISR change at the same epoch: `onCommittedState`.
 * - `expandIsr`: `proposeIsrChange` must propose the spec's joiner (the
 *   KAFKA-7128 threshold and the controller's eligibility, KIP-841/KIP-903),
 *   then the controller's answer. `shrinkIsr`: the controller's answer
 *   (the spec drops followers at any time; lag is timing it abstracts).
 * - `produce`: `onLocalAppend`.
 *
 * The logs, the controller and the clients are the spec's: src/replication
 * holds neither (the logs are src/log's, the controller src/controller's).
 * Epoch lookups are Kafka's endOffsetFor over the spec's log, with the
 * leader's own epoch starting at its epoch start offset as the leader epoch
 * cache has it.
 *
 * Time: each step is one millisecond later and replica.lag.time.max.ms is
 * 0, so a replica outside the ISR counts for the high watermark only when it
 * is at the leader's log end (where it lowers nothing), as in the spec.
 */
import type { ItfState, ItfTrace } from "./itf.ts";
import {
  divergingEpoch,
  type EpochEnd,
  FollowerState,
  type LeaderSettings,
  LeaderState,
  UNDEFINED_EPOCH,
} from "../../src/replication/mod.ts";

/** The spec's types, as decoded from ITF. */
interface Entry {
  epoch: number;
  value: number;
}
interface SpecBroker {
  alive: boolean;
  brokerEpoch: number;
  log: Entry[];
  flushed: number;
  highWatermark: number;
  role: string;
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
  isr: number[];
  epochStartOffset: number;
  followerEnd: Record<string, number>;
  followerBrokerEpoch: Record<string, number>;
}
interface SpecController {
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
  isr: number[];
  elr: number[];
  fenced: number[];
  brokerEpochs: Record<string, number>;
}
interface SpecAction {
  name: string;
  broker: number;
  other: number;
}

const BROKERS = [1, 2, 3];

function brokersOf(state: ItfState): Record<string, SpecBroker> {
  return state.brokers as Record<string, SpecBroker>;
}

function controllerOf(state: ItfState): SpecController {
  return state.controller as SpecController;
}

function lastEpochOf(log: Entry[]): number {
  return log.length === 0 ? UNDEFINED_EPOCH : log[log.length - 1]!.epoch;
}

/**
 * Kafka's LeaderEpochFileCache.endOffsetFor over a log of entries (plus, on
 * a leader, its own epoch from its start offset): the largest epoch <= the
 * requested one and where it ends; for one below every epoch, the requested
 * epoch and the first epoch's start; UNDEFINED past the latest.
 */
function endOffsetFor(
  log: Entry[],
  requested: number,
  own?: { epoch: number; startOffset: number },
): EpochEnd {
  const starts: { epoch: number; startOffset: number }[] = [];
  log.forEach((entry, offset) => {
    if (starts.length === 0 || starts[starts.length - 1]!.epoch !== entry.epoch) {
      starts.push({ epoch: entry.epoch, startOffset: offset });
    }
  });
  if (own !== undefined && (starts.length === 0 || starts[starts.length - 1]!.epoch < own.epoch)) {
    starts.push({ epoch: own.epoch, startOffset: own.startOffset });
  }
  if (requested === UNDEFINED_EPOCH || starts.length === 0) return { epoch: UNDEFINED_EPOCH, endOffset: -1 };
  if (starts[starts.length - 1]!.epoch === requested) return { epoch: requested, endOffset: log.length };
  const higher = starts.findIndex((start) => start.epoch > requested);
  if (higher < 0) return { epoch: UNDEFINED_EPOCH, endOffset: -1 };
  if (higher === 0) return { epoch: requested, endOffset: starts[0]!.startOffset };
  return { epoch: starts[higher - 1]!.epoch, endOffset: starts[higher]!.startOffset };
}

/** What replaying found: how many steps, of which actions, and the first mismatch if any. */
export interface IsrReplayResult {
  steps: number;
  actions: Set<string>;
  mismatch: string | null;
}

/** One trace's replay: the real LeaderState of each broker that leads. */
class TraceReplay {
  readonly #leaders = new Map<number, LeaderState>();
  #nowMs = 0;

  constructor(initial: ItfState, private readonly minInsyncReplicas: number) {
    const brokers = brokersOf(initial);
    for (const id of BROKERS) {
      const broker = brokers[String(id)]!;
      if (broker.role === "Leader") this.#startLeader(id, broker);
    }
  }

  #settings(controller: SpecController): LeaderSettings {
    return {
      replicaLagTimeMaxMs: 0,
      minInsyncReplicas: this.minInsyncReplicas,
      eligible: (brokerId, brokerEpoch) =>
        !controller.fenced.includes(brokerId) && controller.brokerEpochs[String(brokerId)] === brokerEpoch,
    };
  }

  #startLeader(id: number, broker: SpecBroker): LeaderState {
    const leader = new LeaderState({
      localId: id,
      leaderEpoch: broker.leaderEpoch,
      partitionEpoch: broker.partitionEpoch,
      replicas: BROKERS,
      isr: broker.isr,
      leaderEpochStartOffset: broker.log.length,
      highWatermark: broker.highWatermark,
      nowMs: this.#nowMs,
    });
    this.#leaders.set(id, leader);
    return leader;
  }

  #leader(id: number): LeaderState {
    const leader = this.#leaders.get(id);
    if (leader === undefined) throw new Error(`broker ${id} leads in the spec but has no LeaderState`);
    return leader;
  }

  /** Replays one step; returns a mismatch or null. */
  step(before: ItfState, after: ItfState, action: SpecAction): string | null {
    this.#nowMs++;
    const brokersBefore = brokersOf(before);
    const brokersAfter = brokersOf(after);
    const controllerBefore = controllerOf(before);
    const controllerAfter = controllerOf(after);
    const id = action.broker;
    const self = brokersBefore[String(id)]!;
    const selfAfter = brokersAfter[String(id)]!;
    switch (action.name) {
      case "fetch":
      case "fetchResponseLost": {
        const leaderId = action.other;
        const leaderSpec = brokersBefore[String(leaderId)]!;
        const leaderAfter = brokersAfter[String(leaderId)]!;
        const leader = this.#leader(leaderId);
        const fetchOffset = self.log.length;
        const diverging = divergingEpoch(
          fetchOffset,
          lastEpochOf(self.log),
          (epoch) =>
            endOffsetFor(leaderSpec.log, epoch, {
              epoch: leader.leaderEpoch,
              startOffset: leader.leaderEpochStartOffset,
            }),
        );
        const follower = new FollowerState(leaderId, self.leaderEpoch);
        const followerLog = {
          logStartOffset: 0,
          logEndOffset: self.log.length,
          highWatermark: self.highWatermark,
          endOffsetFor: (epoch: number) => endOffsetFor(self.log, epoch),
        };
        if (diverging !== null) {
          if (action.name === "fetchResponseLost") return null;
          const answer = {
            errorCode: 0,
            highWatermark: -1,
            logStartOffset: 0,
            divergingEpoch: diverging,
            records: null,
          };
          const step = follower.onAnswer(answer, followerLog);
          if (step.kind !== "truncate" || step.offset !== selfAfter.log.length) {
            return `follower ${id} takes ${
              JSON.stringify(step)
            }, the spec truncates to ${selfAfter.log.length}`;
          }
          return null;
        }
        leader.onFollowerFetch(
          id,
          { fetchOffset, brokerEpoch: self.brokerEpoch, nowMs: this.#nowMs },
          leaderSpec.log.length,
          this.#settings(controllerBefore),
        );
        if (leader.highWatermark !== leaderAfter.highWatermark) {
          return `leader ${leaderId}'s high watermark is ${leader.highWatermark}, the spec's ${leaderAfter.highWatermark}`;
        }
        if (action.name === "fetch") {
          const answer = {
            errorCode: 0,
            highWatermark: leader.highWatermark,
            logStartOffset: 0,
            divergingEpoch: null,
            records: null,
          };
          const step = follower.onAnswer(answer, followerLog);
          if (step.kind !== "append") return `follower ${id} takes ${JSON.stringify(step)}, the spec appends`;
          // The records of the answer are the leader's from the fetch offset: the log ends where the leader's does.
          const highWatermark = FollowerState.highWatermark(
            step.highWatermark,
            leaderSpec.log.length,
            self.highWatermark,
          );
          if (highWatermark !== selfAfter.highWatermark) {
            return `follower ${id}'s high watermark is ${highWatermark}, the spec's ${selfAfter.highWatermark}`;
          }
        }
        return null;
      }
      case "learnMetadata": {
        if (selfAfter.role !== "Leader") {
          this.#leaders.delete(id);
          return null;
        }
        const current = this.#leaders.get(id);
        if (current === undefined || current.leaderEpoch !== selfAfter.leaderEpoch) {
          const leader = this.#startLeader(id, { ...self, ...selfAfter, highWatermark: self.highWatermark });
          if (leader.leaderEpochStartOffset !== selfAfter.epochStartOffset) {
            return `leader ${id} starts its epoch at ${leader.leaderEpochStartOffset}, the spec at ${selfAfter.epochStartOffset}`;
          }
          return this.#compareHighWatermark(id, leader, selfAfter);
        }
        current.onCommittedState({
          leaderEpoch: controllerAfter.leaderEpoch,
          partitionEpoch: controllerAfter.partitionEpoch,
          isr: controllerAfter.isr,
        });
        // The spec moves the high watermark as the ISR shrinks; the code at its next append or fetch.
        current.onLocalAppend(self.log.length, this.#nowMs, this.#settings(controllerAfter));
        return this.#compareHighWatermark(id, current, selfAfter);
      }
      case "expandIsr":
      case "shrinkIsr": {
        const leader = this.#leader(id);
        if (action.name === "expandIsr") {
          const settings = {
            ...this.#settings(controllerBefore),
            replicaLagTimeMaxMs: Number.POSITIVE_INFINITY,
          };
          const proposal = leader.proposeIsrChange(self.log.length, this.#nowMs, settings);
          const joiners = proposal?.isr.map((member) =>
            member.brokerId
          ).filter((b) => !leader.isr.includes(b)) ??
            [];
          // With two followers the code may pick the other joiner first; it must see one.
          if (joiners.length !== 1) {
            return `leader ${id} proposes ${JSON.stringify(proposal)}, the spec adds ${action.other}`;
          }
          if (joiners[0] !== action.other) leader.onAnswer(null);
        }
        const committed = {
          leaderEpoch: controllerAfter.leaderEpoch,
          partitionEpoch: controllerAfter.partitionEpoch,
          isr: controllerAfter.isr,
        };
        if (leader.inFlight !== null) leader.onAnswer(committed);
        else leader.onCommittedState(committed);
        leader.onLocalAppend(self.log.length, this.#nowMs, this.#settings(controllerAfter));
        return this.#compareHighWatermark(id, leader, selfAfter);
      }
      case "produce": {
        const leader = this.#leader(id);
        leader.onLocalAppend(selfAfter.log.length, this.#nowMs, this.#settings(controllerBefore));
        return this.#compareHighWatermark(id, leader, selfAfter);
      }
      case "crash":
        this.#leaders.delete(id);
        return null;
      default:
        // Controller steps (fence, unfence, restart's registration), flush and the clients'
        // steps change nothing src/replication holds.
        return null;
    }
  }

  #compareHighWatermark(id: number, leader: LeaderState, spec: SpecBroker): string | null {
    return leader.highWatermark === spec.highWatermark
      ? null
      : `leader ${id}'s high watermark is ${leader.highWatermark}, the spec's ${spec.highWatermark}`;
  }
}

/** Replays the steps of `traces` through src/replication, stopping at the first mismatch. */
export function replayIsrTraces(
  traces: { name: string; trace: ItfTrace }[],
  minInsyncReplicas = 1,
): IsrReplayResult {
  const result: IsrReplayResult = { steps: 0, actions: new Set(), mismatch: null };
  for (const { name, trace } of traces) {
    const replay = new TraceReplay(trace.states[0]!, minInsyncReplicas);
    for (let index = 1; index < trace.states.length; index++) {
      const action = trace.states[index]!.lastAction as SpecAction;
      result.actions.add(action.name);
      let mismatch: string | null;
      try {
        mismatch = replay.step(trace.states[index - 1]!, trace.states[index]!, action);
      } catch (error) {
        mismatch = (error as Error).message;
      }
      if (mismatch !== null) {
        result.mismatch = `${name} step ${index} (${action.name} at broker ${action.broker}): ${mismatch}`;
        return result;
      }
      result.steps++;
    }
  }
  return result;
}
