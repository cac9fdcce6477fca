/**
 * Everything a cluster simulation run does, derived from its seed (swarm
 * testing: each seed draws its own timeouts, fault rates and workload mix,
 * so that some seeds hammer crashes and others partitions or resets).
 */
import { SeededRandom } from "../../../src/io/sim/mod.ts";
import type { ReplicationBug } from "../../faults/replication_planted_bugs.ts";

/** Deliberate bugs the checkers must catch (tests of the simulator itself). */
export interface ClusterPlantedBugs {
  /** The active controller answers CreateTopics before the topic's records commit. */
  acknowledgeCreateBeforeCommit?: boolean;
  /** A bug planted in the replication code (sim/faults/replication_planted_bugs.ts). */
  replication?: ReplicationBug;
}

/** The replicated topic's workload (replicated_workload.ts). */
export interface ReplicatedWorkloadOptions {
  partitions: number;
  producers: { acks: -1 | 1; idempotent: boolean }[];
  consumers: number;
  thinkTimeMs: number;
  requestTimeoutMs: number;
  /** Attempts of one batch by a plain producer (an idempotent one retries until stopped). */
  attemptsMax: number;
}

export interface ClusterSimOptions {
  seed: number;
  /** Node ids; each node is broker and controller, all are voters (or become voters: `dynamicQuorum`). */
  nodeIds: number[];
  /**
   * KIP-853: node 1 starts the quorum alone (`controller.quorum.bootstrap.servers`
   * naming its own controller listener), the others join as observers, and the
   * active controller adds them as voters (AddRaftVoter) under the run's faults.
   */
  dynamicQuorum: boolean;
  /** Virtual time of the safety phase (faults throughout). */
  safetyPhaseMs: number;
  /** After healing, the cluster must be serving and converged within this. */
  livenessBoundMs: number;
  /** Broker configuration that varies between seeds (Kafka's names). */
  node: {
    electionTimeoutMs: number;
    fetchTimeoutMs: number;
    heartbeatIntervalMs: number;
    sessionTimeoutMs: number;
    /** `metadata.log.max.record.bytes.between.snapshots`: small values snapshot often. */
    snapshotEveryBytes: number;
    /** `metadata.log.segment.bytes`: small segments roll often. */
    segmentBytes: number;
  };
  network: { minLatencyMs: number; maxLatencyMs: number };
  disk: { tornWriteProbability: number; directoryDurability: "immediate" | "after-sync" };
  /** Largest difference of a host's wall clock from the others'. */
  clockSkewMaxMs: number;
  faults: {
    /** Mean virtual time between partition events (Infinity: none). */
    partitionIntervalMs: number;
    partitionDurationMaxMs: number;
    /** Chance that a partition event isolates one node rather than cuts one link. */
    isolateProbability: number;
    /** Mean virtual time between connection resets. */
    resetIntervalMs: number;
    /** Mean virtual time between crashes. */
    crashIntervalMs: number;
    /** How long a crashed node stays down, at most. */
    downtimeMaxMs: number;
    /** Chance that a crash loses power (unsynced writes lost) rather than kills the process. */
    powerLossProbability: number;
    /** Mean virtual time between pauses of a node's process (a long GC, SIGSTOP); Infinity: none. */
    pauseIntervalMs: number;
    /** Shortest and longest pause. */
    pauseDurationMinMs: number;
    pauseDurationMaxMs: number;
  };
  workload: {
    /** Clients sending requests at the same time. */
    workers: number;
    /** Mean pause of a worker between two changes. */
    thinkTimeMs: number;
    /** A request unanswered for this long is abandoned (its connection closed). */
    requestTimeoutMs: number;
    /** Attempts of one change (retries after connection errors, timeouts, retriable errors). */
    attemptsMax: number;
    /** Most distinct topic names the workload makes up. */
    topicsMax: number;
  };
  /** The replicated topic's workload, and the settings of replication that vary between seeds. */
  replication: ReplicatedWorkloadOptions & {
    /** `replica.lag.time.max.ms`: small values drop lagging (paused, isolated) followers from the ISR. */
    replicaLagTimeMaxMs: number;
    /** `replica.fetch.max.bytes`: small values make a lagging follower catch up one batch per fetch. */
    replicaFetchMaxBytes: number;
    /** Chance that a power loss also loses the replicated topic's folders on that node (its replica's disk). */
    diskLossProbability: number;
    /** Virtual time between two scans of every replica's committed log. */
    scanIntervalMs: number;
  };
  bugs: ClusterPlantedBugs;
}

const NEVER = Infinity;

/** The options of `seed`; `bugs` plants a deliberate bug. */
export function clusterSimOptions(seed: number, bugs: ClusterPlantedBugs = {}): ClusterSimOptions {
  const random = new SeededRandom(seed).fork("cluster-options");
  const pick = <T>(items: readonly T[]): T => random.pick(items);
  const heartbeatIntervalMs = pick([250, 500]);
  const sessionTimeoutMs = heartbeatIntervalMs * pick([4, 8]);
  // A fork of its own, so that adding pauses left every other option of a seed as it was.
  const pauses = new SeededRandom(seed).fork("cluster-pause-options");
  return {
    seed,
    nodeIds: [1, 2, 3],
    // A fork of its own, so that the seeds of static quorums keep every option they had.
    dynamicQuorum: new SeededRandom(seed).fork("cluster-quorum-options").chance(0.3),
    safetyPhaseMs: 20_000,
    livenessBoundMs: 60_000,
    node: {
      electionTimeoutMs: pick([300, 1000]),
      fetchTimeoutMs: pick([1000, 2000]),
      heartbeatIntervalMs,
      sessionTimeoutMs,
      snapshotEveryBytes: pick([2_000, 10_000, 20_971_520]),
      segmentBytes: pick([4096, 65_536, 1_073_741_824]),
    },
    network: { minLatencyMs: random.int(2), maxLatencyMs: pick([2, 5, 20]) },
    disk: {
      tornWriteProbability: pick([0, 0.5]),
      // Strict POSIX folders ("after-sync") are durable only once their parent is synced (caught a
      // metadata folder that a power loss removed whole); some file systems are kinder ("immediate").
      directoryDurability: pick(["immediate", "after-sync"] as const),
    },
    clockSkewMaxMs: pick([0, 0, 5_000]),
    faults: {
      partitionIntervalMs: pick([NEVER, 4_000, 1_500]),
      partitionDurationMaxMs: pick([500, 3_000, 8_000]),
      isolateProbability: pick([0.2, 0.5, 0.8]),
      resetIntervalMs: pick([NEVER, 2_000, 500]),
      crashIntervalMs: pick([NEVER, 5_000, 2_000]),
      downtimeMaxMs: pick([300, 3_000, 8_000]),
      powerLossProbability: pick([0, 0.5, 1]),
      pauseIntervalMs: pauses.pick([NEVER, 4_000, 1_500]),
      // From a hiccup to long enough that the node's broker session expires twice over.
      pauseDurationMinMs: 100,
      pauseDurationMaxMs: pauses.pick([500, sessionTimeoutMs, 2 * sessionTimeoutMs]),
    },
    workload: {
      workers: pick([1, 2, 3]),
      thinkTimeMs: pick([20, 100, 400]),
      requestTimeoutMs: pick([1_000, 3_000, 10_000]),
      attemptsMax: pick([1, 3, 5]),
      topicsMax: pick([8, 30]),
    },
    replication: replicationOptions(seed),
    bugs,
  };
}

/** The replicated topic's options, from a fork of their own (the other options of a seed stay as they were). */
function replicationOptions(seed: number): ClusterSimOptions["replication"] {
  const random = new SeededRandom(seed).fork("cluster-replication-options");
  const producers = Array.from({ length: 1 + random.int(2) }, () => ({
    acks: random.pick([-1, -1, 1] as const),
    idempotent: random.chance(0.5),
  }));
  return {
    partitions: 1 + random.int(3),
    producers,
    consumers: random.pick([0, 1]),
    thinkTimeMs: random.pick([30, 100, 300]),
    requestTimeoutMs: random.pick([1_000, 3_000]),
    attemptsMax: random.pick([1, 3, 10]),
    replicaLagTimeMaxMs: random.pick([1_000, 3_000, 30_000]),
    replicaFetchMaxBytes: 1_048_576,
    diskLossProbability: random.pick([0, 0, 0.3]),
    scanIntervalMs: 250,
  };
}

/** JSON where Infinity reads "never" (JSON.stringify would print null). */
function json(value: unknown): string {
  return JSON.stringify(value, (_key, item) => item === Infinity ? "never" : item);
}

/** The options as lines, for a report. */
export function describeClusterOptions(options: ClusterSimOptions): string[] {
  return [
    `seed ${options.seed}: nodes ${options.nodeIds.join(",")}${
      options.dynamicQuorum ? " (dynamic quorum)" : ""
    }, ` +
    `safety ${options.safetyPhaseMs} ms, ` +
    `liveness bound ${options.livenessBoundMs} ms`,
    `node ${json(options.node)}`,
    `network ${json(options.network)}, disk ${json(options.disk)}, ` +
    `clock skew ${options.clockSkewMaxMs} ms`,
    `faults ${json(options.faults)}`,
    `workload ${json(options.workload)}, bugs ${json(options.bugs)}`,
    `replication ${json(options.replication)}`,
  ];
}
