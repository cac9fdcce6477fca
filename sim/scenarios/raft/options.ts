/**
 * Everything a Raft simulation run does, derived from its seed (swarm
 * testing: each seed draws its own cluster size and fault rates, so that
 * some seeds hammer one kind of fault and others another).
 */
import type { PlantedBugs, RaftTimeouts } from "../../../src/raft/mod.ts";
import { SeededRandom } from "../../../src/io/sim/mod.ts";

export interface RaftSimOptions {
  seed: number;
  voters: number[];
  observers: number[];
  timeouts: Partial<RaftTimeouts>;
  /** Virtual time of the safety phase (faults throughout). */
  safetyPhaseMs: number;
  /** The liveness phase must elect a leader and commit within this. */
  livenessBoundMs: number;
  network: {
    minLatencyMs: number;
    maxLatencyMs: number;
    dropProbability: number;
    duplicateProbability: number;
    /** A message is held up to `longDelayMaxMs` (reordering it behind later ones). */
    longDelayProbability: number;
    longDelayMaxMs: number;
  };
  faults: {
    /** Mean virtual time between partition events (Infinity: none). */
    partitionIntervalMs: number;
    partitionDurationMaxMs: number;
    crashIntervalMs: number;
    downtimeMaxMs: number;
    /** Chance that a crash loses power (unsynced writes are lost and torn) rather than kills the process. */
    powerLossProbability: number;
    pauseIntervalMs: number;
    pauseMaxMs: number;
    clockJumpIntervalMs: number;
    clockJumpMaxMs: number;
    /** Chance that a node receives a forged or stale request instead of a real message now and then. */
    badInputIntervalMs: number;
  };
  disk: {
    syncLatencyMaxMs: number;
    tornWriteProbability: number;
    /** The metadata log's segment size: small ones roll often (and keep fsyncs of the simulated disk cheap). */
    segmentBytes: number;
  };
  workload: {
    /** Mean virtual time between proposals. */
    proposalIntervalMs: number;
    /** Records per proposed batch, at most. */
    batchRecordsMax: number;
    /** A node snapshots once it applied this many new batches (Infinity: never). */
    snapshotEveryBatches: number;
    /** Chance that a leader resigns gracefully at a proposal tick. */
    resignProbability: number;
  };
  /**
   * Dynamic voters (KIP-853): node 1 starts the quorum alone, the others join
   * as observers through it, and the workload adds and removes voters one at
   * a time throughout the safety phase. Null: static voters.
   */
  membership: {
    /** Mean virtual time between voter changes asked of the leader. */
    changeIntervalMs: number;
    /** Chance that a change removes a voter rather than adds one. */
    removeProbability: number;
  } | null;
  bugs: PlantedBugs;
}

function pick<T>(random: SeededRandom, items: readonly T[]): T {
  return random.pick(items);
}

/** The options of `seed`; `bugs` plants a deliberate bug (tests of the checkers). */
export function raftSimOptions(seed: number, bugs: PlantedBugs = {}): RaftSimOptions {
  const random = new SeededRandom(seed).fork("raft-options");
  const voterCount = pick(random, [1, 3, 3, 3, 5, 5]);
  const voters = Array.from({ length: voterCount }, (_, index) => index + 1);
  const observers = random.chance(0.3) ? [100] : [];
  const never = Infinity;
  const fetchTimeoutMs = pick(random, [300, 600, 2000]);
  const proposalIntervalMs = pick(random, [20, 50, 200]);
  const snapshotEveryBatches = pick(random, [Infinity, 10, 25, 100]);
  // A snapshot in small chunks takes a while to download; the leader serves its latest two
  // snapshots, so small chunks only go with snapshots far enough apart to finish one.
  const chunkedSnapshots = snapshotEveryBatches >= 100 && proposalIntervalMs >= 50;
  return {
    seed,
    voters,
    observers,
    timeouts: {
      electionTimeoutMs: pick(random, [150, 300, 1000]),
      fetchTimeoutMs,
      requestTimeoutMs: Math.floor(fetchTimeoutMs / pick(random, [1, 2])),
      electionBackoffMaxMs: 300,
      retryBackoffMs: 20,
      // Kafka's ratio: a held fetch (500 ms) returns well within the fetch timeout (2 s).
      fetchMaxWaitMs: Math.floor(fetchTimeoutMs / pick(random, [4, 10])),
      // Small responses (one batch each) open the windows where a follower holds some of a
      // leader's batches but not the next, which elections must cope with.
      // They also slow replication down, so only with a light workload.
      fetchMaxBytes: proposalIntervalMs < 200 ? 8 * 1024 * 1024 : pick(random, [8 * 1024 * 1024, 200, 1]),
      fetchSnapshotMaxBytes: chunkedSnapshots ? pick(random, [512, 4096]) : 8 * 1024 * 1024,
    },
    safetyPhaseMs: 20_000,
    livenessBoundMs: 20_000,
    network: {
      minLatencyMs: random.int(3),
      maxLatencyMs: pick(random, [3, 10, 40]),
      dropProbability: pick(random, [0, 0, 0.01, 0.05, 0.2]),
      duplicateProbability: pick(random, [0, 0.01, 0.05]),
      longDelayProbability: pick(random, [0, 0.01, 0.05]),
      longDelayMaxMs: pick(random, [200, 1000, 3000]),
    },
    faults: {
      partitionIntervalMs: pick(random, [never, 5_000, 2_000, 800]),
      partitionDurationMaxMs: pick(random, [500, 2_000, 6_000]),
      crashIntervalMs: pick(random, [never, 6_000, 2_000, 1_000]),
      downtimeMaxMs: pick(random, [200, 2_000, 5_000]),
      powerLossProbability: pick(random, [0, 0.5, 1]),
      pauseIntervalMs: pick(random, [never, 4_000, 1_500]),
      pauseMaxMs: pick(random, [300, 1_500, 4_000]),
      clockJumpIntervalMs: pick(random, [never, 5_000]),
      clockJumpMaxMs: 60_000,
      badInputIntervalMs: pick(random, [never, 3_000, 500]),
    },
    disk: {
      syncLatencyMaxMs: pick(random, [0, 2, 10]),
      tornWriteProbability: pick(random, [0, 0.5]),
      segmentBytes: pick(random, [4096, 65536]),
    },
    workload: {
      proposalIntervalMs,
      batchRecordsMax: pick(random, [1, 3]),
      snapshotEveryBatches,
      resignProbability: pick(random, [0, 0.002, 0.02]),
    },
    membership: membershipOptions(seed),
    bugs,
  };
}

/**
 * Drawn from a fork of its own, so that the seeds of static quorums keep
 * every option they had before voter changes existed.
 */
function membershipOptions(seed: number): RaftSimOptions["membership"] {
  const random = new SeededRandom(seed).fork("raft-membership");
  if (!random.chance(0.3)) return null;
  return {
    changeIntervalMs: pick(random, [100, 400, 1500]),
    removeProbability: pick(random, [0.2, 0.4]),
  };
}

/** The options as lines, for a failure report. */
export function describeRaftOptions(options: RaftSimOptions): string[] {
  return [
    `seed ${options.seed}: voters ${options.voters.join(",")}, observers ${
      options.observers.join(",") || "none"
    }`,
    `timeouts ${JSON.stringify(options.timeouts)}`,
    `network ${JSON.stringify(options.network)}`,
    `faults ${JSON.stringify(options.faults)}`,
    `disk ${JSON.stringify(options.disk)}, workload ${JSON.stringify(options.workload)}`,
    `membership ${JSON.stringify(options.membership)}, bugs ${JSON.stringify(options.bugs)}`,
  ];
}
