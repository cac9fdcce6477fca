/**
 * Bad input for the quorum: requests from a stranger (node 999, not in the
 * cluster) that claim to be voters, carry stale epochs, forge replica ids or
 * make no sense. Each must be answered with Kafka's error code and change
 * nothing in the node that gets it; both are checked.
 */
import type { RaftEnvelope, RaftNodeState, RaftRequest } from "../../src/raft/mod.ts";
import { ErrorCode } from "../../src/protocol/mod.ts";
import { InvariantViolation } from "../checkers/violation.ts";
import type { SeededRandom } from "../../src/io/sim/mod.ts";
import type { RaftHost } from "../scenarios/raft/raft_host.ts";

/** The node id bad input comes from; responses to it are checked here. */
export const STRANGER_ID = 999;
const FIRST_CORRELATION_ID = 1_000_000_000;

interface Crafted {
  body: RaftRequest;
  expected: number[];
}

function craft(random: SeededRandom, target: RaftNodeState, voters: readonly number[]): Crafted {
  const otherVoter = voters.find((voter) => voter !== target.nodeId) ?? target.nodeId;
  const epoch = target.epoch;
  const cluster = "sim-cluster";
  switch (random.int(6)) {
    case 0:
      return {
        body: {
          type: "VoteRequest",
          clusterId: cluster,
          voterId: target.nodeId,
          replicaId: STRANGER_ID,
          replicaEpoch: epoch + 1 + random.int(5),
          lastOffsetEpoch: epoch,
          lastOffset: target.logEndOffset + 1000,
          preVote: random.chance(0.5),
        },
        expected: [ErrorCode.INCONSISTENT_VOTER_SET],
      };
    case 1:
      return {
        body: {
          type: "BeginQuorumEpochRequest",
          clusterId: cluster,
          voterId: -1,
          leaderId: otherVoter,
          leaderEpoch: epoch - 1,
        },
        expected: [ErrorCode.FENCED_LEADER_EPOCH],
      };
    case 2:
      return {
        body: {
          type: "EndQuorumEpochRequest",
          clusterId: cluster,
          leaderId: STRANGER_ID,
          leaderEpoch: epoch,
          preferredCandidates: [],
        },
        expected: [ErrorCode.INCONSISTENT_VOTER_SET],
      };
    case 3:
      return {
        body: {
          type: "FetchRequest",
          clusterId: cluster,
          replicaId: random.chance(0.5) ? otherVoter : target.nodeId,
          maxWaitMs: 0,
          maxBytes: 1 << 20,
          currentLeaderEpoch: epoch,
          fetchOffset: target.logEndOffset,
          lastFetchedEpoch: target.lastFetchedEpoch,
          logStartOffset: 0,
          highWatermark: -1,
        },
        expected: [ErrorCode.INVALID_REQUEST],
      };
    case 4:
      return {
        body: {
          type: "FetchRequest",
          clusterId: random.chance(0.5) ? "another-cluster" : cluster,
          replicaId: -1,
          maxWaitMs: 0,
          maxBytes: 1 << 20,
          currentLeaderEpoch: epoch,
          fetchOffset: 0,
          lastFetchedEpoch: epoch + 1,
          logStartOffset: 0,
          highWatermark: -1,
        },
        expected: [ErrorCode.INVALID_REQUEST, ErrorCode.INCONSISTENT_CLUSTER_ID],
      };
    default:
      return {
        body: {
          type: "FetchSnapshotRequest",
          clusterId: cluster,
          replicaId: -1,
          maxBytes: 1 << 20,
          currentLeaderEpoch: epoch,
          snapshotId: { endOffset: target.logEndOffset + 7, epoch },
          position: -1,
        },
        expected: [
          ErrorCode.SNAPSHOT_NOT_FOUND,
          ErrorCode.POSITION_OUT_OF_RANGE,
          ErrorCode.NOT_LEADER_OR_FOLLOWER,
        ],
      };
  }
}

/** The parts of a state that bad input must leave alone. */
function quorumView(state: RaftNodeState): string {
  return JSON.stringify([
    state.role,
    state.epoch,
    state.leaderId,
    state.votedId,
    state.logEndOffset,
    state.highWatermark,
    state.leader?.highWatermark ?? null,
  ]);
}

export class BadInputInjector {
  injected = 0;
  answered = 0;
  readonly #expected = new Map<number, { expected: number[]; type: string }>();
  #nextCorrelationId = FIRST_CORRELATION_ID;

  constructor(private readonly random: SeededRandom, private readonly voters: readonly number[]) {}

  /** Sends one bad request straight into `host` and checks that nothing changed. */
  inject(host: RaftHost): void {
    const correlationId = this.#nextCorrelationId++;
    const made: Crafted[] = [];
    const states = host.stepAndCompare((state) => {
      made.push(craft(this.random, state, this.voters));
      return { from: STRANGER_ID, to: host.id, correlationId, body: made[0]!.body };
    });
    const crafted = made[0];
    if (states === null || crafted === undefined) return;
    this.injected++;
    this.#expected.set(correlationId, { expected: crafted.expected, type: crafted.body.type });
    if (quorumView(states.before) !== quorumView(states.after)) {
      throw new InvariantViolation(
        "bad input has no effect on the quorum",
        `${crafted.body.type} from ${STRANGER_ID} changed node ${host.id} from ${
          quorumView(states.before)
        } ` +
          `to ${quorumView(states.after)}`,
      );
    }
  }

  /** A response to the stranger: it must carry one of the expected error codes. */
  onResponse(message: RaftEnvelope): void {
    const expectation = this.#expected.get(message.correlationId);
    if (expectation === undefined) return;
    this.#expected.delete(message.correlationId);
    this.answered++;
    const errorCode = (message.body as { errorCode?: number }).errorCode ?? 0;
    if (!expectation.expected.includes(errorCode)) {
      throw new InvariantViolation(
        "bad input gets Kafka's error codes",
        `node ${message.from} answered a bad ${expectation.type} with error ${errorCode}, ` +
          `expected one of ${expectation.expected.join(", ")}`,
      );
    }
  }
}
