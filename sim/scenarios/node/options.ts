/**
 * The options of one simulation run, every one derived from the seed
 * ("swarm testing", as TigerBeetle's VOPR does): how many topics and
 * partitions, which producers and consumers, how often the node crashes and
 * how, how often connections reset, and how the log flushes. Runs with
 * different seeds therefore stress different corners, and a seed alone
 * replays a run exactly.
 */
import { Compression } from "../../../src/protocol/mod.ts";
import { SeededRandom } from "../../../src/io/sim/mod.ts";

/** The crash modes a run uses, and how often. */
export interface CrashOptions {
  /** Mean virtual time between crashes; Infinity for a run without crashes. */
  meanIntervalMs: number;
  /** Chance that a crash is a power loss (unsynced writes lost or torn) rather than a killed process. */
  powerLossProbability: number;
  /** Longest time the node stays down before it restarts. */
  downTimeMaxMs: number;
  /** Chance that a power loss keeps a torn part of a file's unsynced writes. */
  tornWriteProbability: number;
  /** Chance that a torn write left garbage rather than a prefix of its bytes. */
  garbageProbability: number;
  /**
   * "after-sync": new files and renames survive a power loss only once their
   * folder was synced (strict POSIX); "immediate": at once (ext4's journal in practice).
   */
  directoryDurability: "immediate" | "after-sync";
}

/** One producing client. */
export interface ProducerOptions {
  name: string;
  /** Idempotent producers take a producer id and retry the same batch after a failure. */
  idempotent: boolean;
  /** 0 (no response), 1 or -1; idempotent producers always use -1. */
  acks: 0 | 1 | -1;
  /** Produce requests outstanding at once (at most 5, as Kafka's idempotent producer allows). */
  maxInFlight: number;
  /** Largest number of partitions one request writes to. */
  partitionsPerRequestMax: number;
  recordsPerBatchMax: number;
  valueBytesMax: number;
  compression: Compression;
  /** Produce request versions to choose from (3+ carry record batches). */
  versions: number[];
  /** Chance that an answer is lost on its way (the connection breaks instead): retries the node must deduplicate. */
  answerLossProbability: number;
  /** Records it writes in all; it then only finishes what it has in flight. */
  recordsMax: number;
  /** Longest pause between two new requests (chosen so that the records spread over the fault phase). */
  pauseMaxMs: number;
  /** How its batches are stamped. */
  timestamps: TimestampMix;
}

/**
 * How a producer stamps its batches; a batch not stamped otherwise carries
 * the producer's current wall-clock time in every record.
 */
export interface TimestampMix {
  /**
   * Chance that a batch's records carry no timestamp (-1) with MaxTimestamp 0
   * in the header, as librdkafka sends them: retention must fall back to the
   * segment file's modification time, not read the header's 0 as 1970.
   */
  noTimestampProbability: number;
  /** Chance that a batch is stamped in the past (up to `oldAgeMaxMs`), so that retention deletes it soon. */
  oldProbability: number;
  oldAgeMaxMs: number;
}

/** Time-based retention: what the node deletes, and how often it looks. */
export interface RetentionOptions {
  /** log.retention.ms; -1 keeps everything. */
  retentionMs: number;
  /** log.retention.check.interval.ms. */
  checkIntervalMs: number;
}

/** One consuming client. */
export interface ConsumerOptions {
  name: string;
  /** Fetch request versions to choose from (4+ return v2 batches as stored). */
  versions: number[];
  /** Response-wide byte limit. */
  maxBytes: number;
  partitionMaxBytes: number;
  /** 0 answers at once; more makes the broker wait up to maxWaitMs for data (long poll). */
  minBytes: number;
  maxWaitMs: number;
  /** Largest number of partitions one request reads. */
  partitionsPerRequestMax: number;
  /** Chance, per fetch, of jumping back to an earlier offset to read it again. */
  seekProbability: number;
  pauseMaxMs: number;
}

/** Everything a run does, derived from its seed. */
export interface WorkloadOptions {
  seed: number;
  /** Virtual time of the phase with faults; a quiet phase follows it. */
  faultPhaseMs: number;
  topics: { name: string; partitions: number }[];
  /** log.segment.bytes: small, so that segments roll often. */
  segmentBytes: number;
  /** log.index.interval.bytes: small, so that the offset index has many entries. */
  indexIntervalBytes: number;
  /**
   * log.flush.interval.messages=1: every acknowledged record is synced before
   * its acknowledgement. Otherwise Kafka's default (never), where only what
   * was synced survives a power loss.
   */
  flushEveryMessage: boolean;
  producers: ProducerOptions[];
  consumers: ConsumerOptions[];
  crashes: CrashOptions;
  /** Mean virtual time between resets of a random client connection; Infinity for none. */
  connectionResetMeanIntervalMs: number;
  /** How long a client waits for an answer before it drops the connection and retries. */
  requestTimeoutMs: number;
  net: { minLatencyMs: number; maxLatencyMs: number; maxChunkBytes: number };
  retention: RetentionOptions;
  /** Largest difference of a host's wall clock from the others' (clients' timestamps against the node's clock). */
  clockSkewMaxMs: number;
  /** Mean virtual time between steps of the node's wall clock (NTP, an operator); Infinity for none. */
  clockJumpMeanIntervalMs: number;
  /** Largest step of the node's wall clock, either way. */
  clockJumpMaxMs: number;
}

const COMPRESSIONS = [
  Compression.None,
  Compression.Gzip,
  Compression.Snappy,
  Compression.Lz4,
  Compression.Zstd,
];

/** A non-empty random subset of `items`, in their order. */
function subset<T>(random: SeededRandom, items: readonly T[]): T[] {
  const chosen = items.filter(() => random.chance(0.5));
  return chosen.length > 0 ? chosen : [random.pick(items)];
}

/** Picks one of `choices`, each given as [weight, value]. */
function weighted<T>(random: SeededRandom, choices: [number, T][]): T {
  const total = choices.reduce((sum, [weight]) => sum + weight, 0);
  let draw = random.next() * total;
  for (const [weight, value] of choices) {
    if (draw < weight) return value;
    draw -= weight;
  }
  return choices[choices.length - 1]![1];
}

function producerOptions(
  random: SeededRandom,
  index: number,
  partitionCount: number,
  faultPhaseMs: number,
): ProducerOptions {
  const idempotent = random.chance(0.6);
  const acks = idempotent ? -1 : weighted<0 | 1 | -1>(random, [[1, 0], [2, 1], [2, -1]]);
  const recordsPerBatchMax = weighted(random, [[2, 1], [3, 5], [2, 20]]);
  const partitionsPerRequestMax = random.range(1, Math.min(3, partitionCount));
  const recordsMax = weighted(random, [[2, 500], [2, 1500], [1, 4000]]);
  // The records of a request on average, and so the pause that spreads recordsMax over the fault phase (or half of it, or twice).
  const recordsPerRequest = ((recordsPerBatchMax + 1) / 2) * ((partitionsPerRequestMax + 1) / 2);
  const pauseMeanMs = faultPhaseMs / (recordsMax / recordsPerRequest) * random.pick([0.5, 1, 2]);
  // Drawn in the order the seeds always drew them, so that every seed keeps its run.
  const maxInFlight = random.range(1, 5);
  const valueBytesMax = weighted(random, [[1, 0], [3, 64], [2, 600]]);
  const compression = random.chance(0.5) ? Compression.None : random.pick(COMPRESSIONS);
  const versions = subset(random, [3, 5, 7, 8, 9, 10, 11]);
  // Kafka refuses zstd below Produce v7 (UNSUPPORTED_COMPRESSION_TYPE), as a client would never send it.
  const zstdVersions = versions.filter((version) => version >= 7);
  return {
    name: `producer-${index + 1}`,
    idempotent,
    acks,
    maxInFlight,
    partitionsPerRequestMax,
    recordsPerBatchMax,
    valueBytesMax,
    compression,
    versions: compression !== Compression.Zstd ? versions : zstdVersions.length > 0 ? zstdVersions : [7],
    answerLossProbability: acks === 0 ? 0 : random.pick([0, 0.02, 0.1]),
    recordsMax,
    pauseMaxMs: Math.max(1, Math.round(pauseMeanMs * 2)),
    // Filled in by `workloadOptions` from a random source of their own, so that adding them changed no other option.
    timestamps: { noTimestampProbability: 0, oldProbability: 0, oldAgeMaxMs: 0 },
  };
}

/** Far enough back to matter, well inside producer.id.expiration.ms (a day), which counts from a batch's timestamp. */
const HOUR_MS = 3_600_000;

function retentionOptions(random: SeededRandom): RetentionOptions {
  return {
    retentionMs: weighted(random, [[1, -1], [1, 1000], [2, 3000], [1, 10_000]]),
    checkIntervalMs: random.pick([50, 250, 1000]),
  };
}

/**
 * Only plain producers send records without timestamps: Kafka (and Dafka)
 * forget, at a restart, an idempotent producer whose last batch carries
 * none, since producer.id.expiration.ms counts from it; its next batch is
 * then accepted whatever its sequence, and a retry may be appended twice.
 * That is Kafka's behaviour, not what the idempotence checks look for.
 */
function timestampMix(random: SeededRandom, retentionMs: number, idempotent: boolean): TimestampMix {
  const noTimestampProbability = random.pick([0, 0.3, 0.7, 1]);
  return {
    noTimestampProbability: idempotent ? 0 : noTimestampProbability,
    oldProbability: random.pick([0, 0.1, 0.3]),
    // Up to three retention periods back, so that some old batches go at once and others a little later.
    oldAgeMaxMs: retentionMs >= 0 ? 3 * retentionMs : HOUR_MS,
  };
}

function consumerOptions(random: SeededRandom, index: number, partitionCount: number): ConsumerOptions {
  const longPoll = random.chance(0.5);
  return {
    name: `consumer-${index + 1}`,
    versions: subset(random, [4, 5, 7, 9, 11, 12, 13, 15, 16]),
    maxBytes: weighted(random, [[1, 1], [2, 2000], [2, 1 << 20]]),
    partitionMaxBytes: weighted(random, [[1, 1], [2, 1500], [2, 1 << 20]]),
    minBytes: longPoll ? weighted(random, [[2, 1], [1, 5000]]) : 0,
    maxWaitMs: longPoll ? random.range(10, 800) : 0,
    partitionsPerRequestMax: random.range(1, partitionCount),
    seekProbability: random.pick([0, 0.01, 0.1]),
    pauseMaxMs: weighted(random, [[1, 0], [2, 20], [1, 300]]),
  };
}

function crashOptions(random: SeededRandom): CrashOptions {
  return {
    meanIntervalMs: weighted(random, [[1, Infinity], [2, 1000], [3, 4000], [2, 12_000]]),
    powerLossProbability: random.pick([0, 0.5, 1]),
    downTimeMaxMs: random.pick([0, 100, 2000]),
    tornWriteProbability: random.pick([0, 0.5, 1]),
    garbageProbability: random.pick([0, 0.3]),
    directoryDurability: random.chance(0.25) ? "after-sync" : "immediate",
  };
}

/** Derives a run's options from its seed. */
export function workloadOptions(seed: number): WorkloadOptions {
  const random = new SeededRandom(seed).fork("workload");
  const topicCount = random.range(1, 3);
  const topics = Array.from({ length: topicCount }, (_, index) => ({
    name: `topic-${index + 1}`,
    partitions: random.range(1, 3),
  }));
  const partitionCount = topics.reduce((sum, topic) => sum + topic.partitions, 0);
  const producerCount = random.range(1, 4);
  const consumerCount = random.range(1, 3);
  const minLatencyMs = random.range(0, 2);
  const faultPhaseMs = random.range(5_000, 30_000);
  const options: WorkloadOptions = {
    seed,
    faultPhaseMs,
    topics,
    segmentBytes: weighted(random, [[2, 2048], [2, 16_384], [1, 1 << 20]]),
    indexIntervalBytes: random.pick([1, 256, 4096]),
    flushEveryMessage: random.chance(0.5),
    producers: Array.from(
      { length: producerCount },
      (_, index) => producerOptions(random, index, partitionCount, faultPhaseMs),
    ),
    consumers: Array.from(
      { length: consumerCount },
      (_, index) => consumerOptions(random, index, partitionCount),
    ),
    crashes: crashOptions(random),
    connectionResetMeanIntervalMs: weighted(random, [[1, Infinity], [2, 500], [2, 3000]]),
    requestTimeoutMs: random.pick([1000, 5000]),
    net: {
      minLatencyMs,
      maxLatencyMs: minLatencyMs + random.range(0, 10),
      maxChunkBytes: weighted(random, [[1, 64], [2, 1024], [3, 65_536]]),
    },
    retention: { retentionMs: -1, checkIntervalMs: 1000 },
    clockSkewMaxMs: 0,
    clockJumpMeanIntervalMs: Infinity,
    clockJumpMaxMs: 0,
  };
  return withTimeOptions(options, new SeededRandom(seed).fork("time"));
}

/** Retention, timestamps and clocks, drawn after the rest so that seeds kept every earlier option. */
function withTimeOptions(options: WorkloadOptions, random: SeededRandom): WorkloadOptions {
  const retention = retentionOptions(random);
  const jumps = random.chance(0.25);
  return {
    ...options,
    retention,
    producers: options.producers.map((producer) => ({
      ...producer,
      timestamps: timestampMix(random, retention.retentionMs, producer.idempotent),
    })),
    clockSkewMaxMs: random.pick([0, 0, 2000]),
    clockJumpMeanIntervalMs: jumps ? random.pick([1000, 5000]) : Infinity,
    clockJumpMaxMs: jumps ? random.pick([500, 5000]) : 0,
  };
}

/** The options as lines of text, printed at the start of a run. */
export function describeOptions(options: WorkloadOptions): string[] {
  const crashes = options.crashes;
  const lines = [
    `seed ${options.seed}: fault phase ${options.faultPhaseMs} ms, ${
      options.topics.map((topic) => `${topic.name}[${topic.partitions}]`).join(" ")
    }`,
    `  log: segment.bytes=${options.segmentBytes} index.interval.bytes=${options.indexIntervalBytes} ` +
    `flush ${options.flushEveryMessage ? "every message" : "never (only on roll and shutdown)"}`,
    `  crashes: ${
      crashes.meanIntervalMs === Infinity ? "none" : `every ~${crashes.meanIntervalMs} ms, ` +
        `power loss ${crashes.powerLossProbability * 100}%, down up to ${crashes.downTimeMaxMs} ms, ` +
        `torn ${crashes.tornWriteProbability * 100}%, garbage ${crashes.garbageProbability * 100}%, ` +
        `folders durable ${crashes.directoryDurability}`
    }`,
    `  network: latency ${options.net.minLatencyMs}-${options.net.maxLatencyMs} ms, chunks up to ${options.net.maxChunkBytes} B, ` +
    `resets ${
      options.connectionResetMeanIntervalMs === Infinity
        ? "none"
        : `every ~${options.connectionResetMeanIntervalMs} ms`
    }, request timeout ${options.requestTimeoutMs} ms`,
    `  time: retention.ms=${options.retention.retentionMs} check every ${options.retention.checkIntervalMs} ms, ` +
    `clock skew up to ${options.clockSkewMaxMs} ms, node clock jumps ${
      options.clockJumpMeanIntervalMs === Infinity
        ? "none"
        : `every ~${options.clockJumpMeanIntervalMs} ms by up to ${options.clockJumpMaxMs} ms`
    }`,
  ];
  for (const producer of options.producers) {
    lines.push(
      `  ${producer.name}: ${producer.idempotent ? "idempotent" : "plain"} acks=${producer.acks} ` +
        `in-flight ${producer.maxInFlight}, ${producer.partitionsPerRequestMax} partitions/request, ` +
        `answers lost ${producer.answerLossProbability * 100}%, ` +
        `${producer.recordsPerBatchMax} records x ${producer.valueBytesMax} B, ` +
        `${Compression[producer.compression]}, versions ${producer.versions.join(",")}, ` +
        `${producer.recordsMax} records, pause ${producer.pauseMaxMs} ms, ` +
        `no timestamp ${producer.timestamps.noTimestampProbability * 100}%, ` +
        `old ${producer.timestamps.oldProbability * 100}% (up to ${producer.timestamps.oldAgeMaxMs} ms)`,
    );
  }
  for (const consumer of options.consumers) {
    lines.push(
      `  ${consumer.name}: versions ${
        consumer.versions.join(",")
      }, maxBytes ${consumer.maxBytes}/${consumer.partitionMaxBytes}, ` +
        `minBytes ${consumer.minBytes} wait ${consumer.maxWaitMs} ms, ${consumer.partitionsPerRequestMax} partitions/request, ` +
        `seek ${consumer.seekProbability}, pause ${consumer.pauseMaxMs} ms`,
    );
  }
  return lines;
}
