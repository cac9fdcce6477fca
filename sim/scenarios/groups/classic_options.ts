/**
 * The options of one consumer group simulation, all derived from the seed
 * (swarm testing): how many partitions and members, their timeouts and API
 * versions, static or dynamic membership, how often members crash, pause,
 * leave and join, how often the node crashes and how, and the network's
 * latency, lost answers and connection resets.
 */
import { SeededRandom } from "../../../src/io/sim/mod.ts";

/** One member's settings. */
export interface GroupMemberSettings {
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  joinVersions: number[];
  syncVersions: number[];
  heartbeatVersions: number[];
  commitVersions: number[];
  fetchVersions: number[];
  /** Chance, per step while stable, of committing the current positions. */
  commitProbability: number;
  /** Chance, per commit, of an outsider's commit with a made-up member id. */
  forgedCommitProbability: number;
  /** Chance, per rebalance, of replaying a pre-rebalance commit (old generation) once synced again. */
  lateCommitProbability: number;
}

/** Everything a group run does, derived from its seed. */
export interface GroupWorkloadOptions {
  seed: number;
  faultPhaseMs: number;
  partitions: number;
  /** Members at the start; churn keeps the count between 1 and membersMax. */
  initialMembers: number;
  membersMax: number;
  /** Chance that a new member is static (group.instance.id). */
  staticProbability: number;
  member: GroupMemberSettings;
  initialRebalanceDelayMs: number;
  /** Mean time between member events (crash, pause, leave, join, static restart). */
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

/** A non-empty random subset of `items`. */
function subset(random: SeededRandom, items: readonly number[]): number[] {
  const chosen = items.filter(() => random.chance(0.5));
  return chosen.length > 0 ? chosen : [random.pick(items)];
}

function memberSettings(random: SeededRandom): GroupMemberSettings {
  const sessionTimeoutMs = random.pick([1500, 3000, 6000]);
  return {
    sessionTimeoutMs,
    heartbeatIntervalMs: Math.floor(sessionTimeoutMs / random.pick([3, 5])),
    rebalanceTimeoutMs: random.pick([2000, 5000, 10_000]),
    joinVersions: subset(random, [1, 2, 3, 4, 5, 6, 7, 8, 9]),
    syncVersions: subset(random, [0, 1, 2, 3, 4, 5]),
    heartbeatVersions: subset(random, [0, 1, 2, 3, 4]),
    commitVersions: subset(random, [2, 3, 4, 5, 6, 7, 8, 9]),
    fetchVersions: subset(random, [1, 3, 5, 6, 7, 8]),
    commitProbability: random.pick([0.2, 0.5, 0.9]),
    forgedCommitProbability: random.pick([0, 0.02]),
    lateCommitProbability: random.pick([0, 0.3]),
  };
}

/** Derives a run's options from its seed. */
export function groupWorkloadOptions(seed: number): GroupWorkloadOptions {
  const random = new SeededRandom(seed).fork("group-workload");
  const minLatencyMs = random.range(0, 3);
  return {
    seed,
    faultPhaseMs: random.range(10_000, 40_000),
    partitions: random.range(1, 8),
    initialMembers: random.range(1, 4),
    membersMax: random.range(2, 6),
    staticProbability: random.pick([0, 0.3, 1]),
    member: memberSettings(random),
    initialRebalanceDelayMs: random.pick([0, 200, 3000]),
    churnMeanIntervalMs: random.pick([500, 2000, 5000]),
    pauseMaxMs: random.pick([500, 4000, 10_000]),
    nodeCrashes: {
      meanIntervalMs: random.pick([Infinity, 3000, 8000, 20_000]),
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
export function describeGroupOptions(options: GroupWorkloadOptions): string[] {
  const member = options.member;
  const crashes = options.nodeCrashes;
  return [
    `seed ${options.seed}: group on ${options.partitions} partitions, fault phase ${options.faultPhaseMs} ms`,
    `  members: ${options.initialMembers} at first, up to ${options.membersMax}, static ${
      options.staticProbability * 100
    }%, ` +
    `churn every ~${options.churnMeanIntervalMs} ms, pauses up to ${options.pauseMaxMs} ms`,
    `  timeouts: session ${member.sessionTimeoutMs} ms, heartbeat ${member.heartbeatIntervalMs} ms, ` +
    `rebalance ${member.rebalanceTimeoutMs} ms, initial delay ${options.initialRebalanceDelayMs} ms`,
    `  versions: join ${member.joinVersions}, sync ${member.syncVersions}, heartbeat ${member.heartbeatVersions}, ` +
    `commit ${member.commitVersions}, fetch ${member.fetchVersions}`,
    `  node crashes: ${
      crashes.meanIntervalMs === Infinity
        ? "none"
        : `every ~${crashes.meanIntervalMs} ms, power loss ${
          crashes.powerLossProbability * 100
        }%, down up to ${crashes.downTimeMaxMs} ms`
    }`,
    `  network: latency ${options.net.minLatencyMs}-${options.net.maxLatencyMs} ms, answers lost ${
      options.answerLossProbability * 100
    }%, resets ${
      options.connectionResetMeanIntervalMs === Infinity
        ? "none"
        : `every ~${options.connectionResetMeanIntervalMs} ms`
    }, request timeout ${options.requestTimeoutMs} ms`,
  ];
}
