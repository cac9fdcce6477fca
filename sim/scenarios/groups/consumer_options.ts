/**
 * The options of one KIP-848 consumer group simulation, all derived from
 * the seed (swarm testing): partitions and members, the coordinator's
 * session timeout and heartbeat interval, the members' rebalance timeout,
 * ConsumerGroupHeartbeat versions and server assignor, static membership,
 * how often members crash, pause, leave and join, how often the node
 * crashes and how, and the network's latency, lost answers and resets.
 */
import { SeededRandom } from "../../../src/io/sim/mod.ts";

/** Everything a consumer group run does, derived from its seed. */
export interface ConsumerGroupWorkloadOptions {
  seed: number;
  faultPhaseMs: number;
  partitions: number;
  /** Members at the start; churn keeps the count between 1 and membersMax. */
  initialMembers: number;
  membersMax: number;
  /** Chance that a new member is static (an instance id). */
  staticProbability: number;
  /** group.consumer.session.timeout.ms of the node. */
  sessionTimeoutMs: number;
  /** group.consumer.heartbeat.interval.ms of the node. */
  heartbeatIntervalMs: number;
  /** What members send as their rebalance timeout. */
  rebalanceTimeoutMs: number;
  /** ConsumerGroupHeartbeat versions members use (v0: the coordinator makes the member id). */
  heartbeatVersions: number[];
  /** The server assignor members ask for (null: the node's default). */
  serverAssignor: string | null;
  /** Chance, per step, of committing the positions of the held partitions. */
  commitProbability: number;
  /** Chance, per commit, of an outsider's commit with a made-up member id. */
  forgedCommitProbability: number;
  /** Mean time between member events (crash, pause, leave, join). */
  churnMeanIntervalMs: number;
  /** Longest pause of a member (a long GC pause makes it a zombie). */
  pauseMaxMs: number;
  nodeCrashes: { meanIntervalMs: number; powerLossProbability: number; downTimeMaxMs: number };
  connectionResetMeanIntervalMs: number;
  /** Chance that an answer is lost on its way back (the client sees its connection break). */
  answerLossProbability: number;
  requestTimeoutMs: number;
  net: { minLatencyMs: number; maxLatencyMs: number; maxChunkBytes: number };
}

/** Derives a run's options from its seed. */
export function consumerGroupWorkloadOptions(seed: number): ConsumerGroupWorkloadOptions {
  const random = new SeededRandom(seed).fork("consumer-group-workload");
  const minLatencyMs = random.range(0, 3);
  const sessionTimeoutMs = random.pick([1500, 3000, 6000]);
  const versions = random.pick([[0], [1], [0, 1]]);
  return {
    seed,
    faultPhaseMs: random.range(8_000, 25_000),
    partitions: random.range(1, 8),
    initialMembers: random.range(1, 4),
    membersMax: random.range(2, 6),
    staticProbability: random.pick([0, 0.3, 1]),
    sessionTimeoutMs,
    heartbeatIntervalMs: Math.floor(sessionTimeoutMs / random.pick([3, 5])),
    rebalanceTimeoutMs: random.pick([1000, 3000, 10_000]),
    heartbeatVersions: versions,
    serverAssignor: random.pick([null, "uniform", "range"]),
    commitProbability: random.pick([0.2, 0.5, 0.9]),
    forgedCommitProbability: random.pick([0, 0.02]),
    churnMeanIntervalMs: random.pick([500, 2000, 5000]),
    pauseMaxMs: random.pick([500, 4000, 10_000]),
    nodeCrashes: {
      meanIntervalMs: random.pick([Infinity, 3000, 8000]),
      powerLossProbability: random.pick([0, 0.5, 1]),
      downTimeMaxMs: random.pick([0, 500, 3000]),
    },
    connectionResetMeanIntervalMs: random.pick([Infinity, 1000, 5000]),
    answerLossProbability: random.pick([0, 0.01, 0.05]),
    requestTimeoutMs: random.pick([1000, 3000]),
    net: {
      minLatencyMs,
      maxLatencyMs: minLatencyMs + random.range(0, 20),
      maxChunkBytes: random.pick([64, 1024, 65_536]),
    },
  };
}

/** The options as lines of text, printed at the start of a run. */
export function describeConsumerGroupOptions(options: ConsumerGroupWorkloadOptions): string[] {
  const crashes = options.nodeCrashes;
  const every = (ms: number) => ms === Infinity ? "none" : `every ~${ms} ms`;
  return [
    `seed ${options.seed}: KIP-848 group on ${options.partitions} partitions, fault phase ${options.faultPhaseMs} ms`,
    `  members: ${options.initialMembers} at first, up to ${options.membersMax}, static ${
      options.staticProbability * 100
    }%, churn every ~${options.churnMeanIntervalMs} ms, pauses up to ${options.pauseMaxMs} ms`,
    `  session ${options.sessionTimeoutMs} ms, heartbeat ${options.heartbeatIntervalMs} ms, rebalance ${options.rebalanceTimeoutMs} ms, ` +
    `heartbeat versions ${options.heartbeatVersions}, assignor ${options.serverAssignor ?? "default"}`,
    `  commits ${options.commitProbability * 100}% per step, forged ${
      options.forgedCommitProbability * 100
    }%`,
    `  node crashes: ${every(crashes.meanIntervalMs)}, power loss ${crashes.powerLossProbability * 100}%, ` +
    `down up to ${crashes.downTimeMaxMs} ms`,
    `  network: latency ${options.net.minLatencyMs}-${options.net.maxLatencyMs} ms, answers lost ${
      options.answerLossProbability * 100
    }%, resets ${
      every(options.connectionResetMeanIntervalMs)
    }, request timeout ${options.requestTimeoutMs} ms`,
  ];
}
