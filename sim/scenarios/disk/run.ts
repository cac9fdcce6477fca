/**
 * A simulation of one node whose disk fails: I/O errors on writes, reads and
 * syncs, a full disk (ENOSPC), and crashes (power loss, tearing unsynced
 * writes, or a killed process) while a client produces with acks=all,
 * reads back, and deletes records, and retention deletes segments.
 *
 * Every option comes from the seed. The topic flushes every message, so an
 * acknowledged record is a synced record. The properties checked:
 * - a disk error answers KAFKA_STORAGE_ERROR for the partition it hit and
 *   never anything wrong: an acknowledged offset is never given twice;
 * - after every restart, every acknowledged record at or above the log start
 *   is served with its offset and value, and a fetch below the start gets
 *   OFFSET_OUT_OF_RANGE;
 * - after every clean shutdown, the files pass `checkPartitionFolder`: whole
 *   batches with valid CRCs, indexes that agree with the log, no leftover
 *   `.deleted` files, and every acknowledged record in the kept segments.
 */
import { BrokerConfig } from "../../../src/config/mod.ts";
import { Compression, ErrorCode } from "../../../src/protocol/mod.ts";
import { type RunningNode, startNode } from "../../../src/server/mod.ts";
import { DiskFaultClient, type SimpleRecord } from "./disk_client.ts";
import { checkPartitionFolder, recordsOf } from "../../checkers/disk/disk_fault_checks.ts";
import { SeededRandom, SimCluster } from "../../../src/io/sim/mod.ts";
import { DiskFaultInjector } from "../../faults/disk_faults.ts";

const NODE = "node";
const PORT = 9092;
const LOG_DIRECTORY = "/kafka-logs";
const TOPIC = "faulty";
const NODE_START_MAX_MS = 60_000;

/** A run's options, all derived from its seed. */
export interface DiskFaultOptions {
  seed: number;
  rounds: number;
  partitions: number;
  segmentBytes: number;
  indexIntervalBytes: number;
  /** retention.bytes of the topic; -1 for none. */
  retentionBytes: number;
  retentionCheckIntervalMs: number;
  fileDeleteDelayMs: number;
  compression: Compression;
  /** Chances, per disk operation, of an EIO while faults are on. */
  writeErrorProbability: number;
  readErrorProbability: number;
  syncErrorProbability: number;
  /** Chance, per round, that the disk fills up (and, per round while full, that space comes back). */
  diskFullProbability: number;
  /** Chance, per round, of a crash; a power loss or a killed process. */
  crashProbability: number;
  powerLossProbability: number;
  /** Chance, per round, of a clean shutdown followed by a check of the files. */
  cleanRestartProbability: number;
  deleteRecordsProbability: number;
  tornWriteProbability: number;
  garbageProbability: number;
}

/** Derives a run's options from its seed. */
export function diskFaultOptions(seed: number): DiskFaultOptions {
  const random = new SeededRandom(seed).fork("disk-fault-options");
  return {
    seed,
    rounds: random.range(120, 260),
    partitions: random.range(1, 3),
    segmentBytes: random.pick([1024, 2048, 8192]),
    indexIntervalBytes: random.pick([1, 200, 4096]),
    retentionBytes: random.pick([-1, 3000, 12_000]),
    retentionCheckIntervalMs: random.pick([50, 500]),
    fileDeleteDelayMs: random.pick([0, 200, 5000]),
    compression: random.pick([Compression.None, Compression.None, Compression.Gzip, Compression.Lz4]),
    writeErrorProbability: random.pick([0, 0.002, 0.02]),
    readErrorProbability: random.pick([0, 0.002, 0.01]),
    syncErrorProbability: random.pick([0, 0.01]),
    diskFullProbability: random.pick([0, 0.03, 0.1]),
    crashProbability: random.pick([0.02, 0.05]),
    powerLossProbability: random.pick([0.5, 1]),
    cleanRestartProbability: random.pick([0.01, 0.04]),
    deleteRecordsProbability: random.pick([0, 0.03]),
    tornWriteProbability: random.pick([0, 0.5, 1]),
    garbageProbability: random.pick([0, 0.5]),
  };
}

/** What a run found and did. */
export interface DiskFaultResult {
  options: DiskFaultOptions;
  /** Broken properties, as sentences; empty when the run passed. */
  violations: string[];
  stats: {
    acknowledged: number;
    storageErrors: number;
    crashes: number;
    cleanRestarts: number;
    fileChecks: number;
    /** Offsets below which records were gone (retention or DeleteRecords) at the last check, summed. */
    deletedBelow: number;
  };
  cluster: SimCluster;
}

/** Runs one seed; see the file comment. */
export async function runDiskFaultSeed(
  seed: number,
  options = diskFaultOptions(seed),
): Promise<DiskFaultResult> {
  const run = new DiskFaultRun(options);
  try {
    await run.execute();
  } catch (error) {
    run.violations.push(`the run failed: ${(error as Error).stack ?? error}`);
  }
  return { options, violations: run.violations, stats: run.stats, cluster: run.cluster };
}

class DiskFaultRun {
  readonly cluster: SimCluster;
  readonly violations: string[] = [];
  readonly stats = {
    acknowledged: 0,
    storageErrors: 0,
    crashes: 0,
    cleanRestarts: 0,
    fileChecks: 0,
    deletedBelow: 0,
  };
  readonly #options: DiskFaultOptions;
  readonly #random: SeededRandom;
  readonly #faults: DiskFaultInjector;
  readonly #config: BrokerConfig;
  readonly #client: DiskFaultClient;
  /** Acknowledged records by partition, by offset. */
  readonly #acknowledged: Map<number, string>[];
  #node: RunningNode | null = null;
  #nextValue = 0;

  constructor(options: DiskFaultOptions) {
    this.#options = options;
    this.cluster = new SimCluster({
      seed: options.seed,
      net: { minLatencyMs: 0, maxLatencyMs: 2 },
      disk: {
        tornWriteProbability: options.tornWriteProbability,
        garbageProbability: options.garbageProbability,
      },
      logCapacity: 2000,
    });
    this.#random = this.cluster.random.fork("disk-fault-workload");
    this.#config = new BrokerConfig(
      new Map([
        ["node.id", "1"],
        ["process.roles", "broker,controller"],
        ["listeners", `PLAINTEXT://${NODE}:${PORT}`],
        ["log.dirs", LOG_DIRECTORY],
        ["log.segment.bytes", String(options.segmentBytes)],
        ["log.index.interval.bytes", String(options.indexIntervalBytes)],
        ["log.flush.interval.messages", "1"],
        ["log.retention.ms", "-1"],
        ["log.retention.check.interval.ms", String(options.retentionCheckIntervalMs)],
        ["log.segment.delete.delay.ms", String(options.fileDeleteDelayMs)],
        ["auto.create.topics.enable", "false"],
      ]),
    );
    this.#client = new DiskFaultClient(this.cluster, this.cluster.start("client"), {
      host: NODE,
      port: PORT,
    });
    this.#acknowledged = Array.from({ length: options.partitions }, () => new Map());
    this.#faults = new DiskFaultInjector(this.#disk, this.cluster.random.fork("disk-faults"), options);
  }

  get #disk() {
    return this.cluster.host(NODE).disk;
  }

  /** Records a broken property with the virtual time it was seen at. */
  #violate(description: string): void {
    this.violations.push(`${this.cluster.scheduler.nowMs} ms: ${description}`);
  }

  async execute(): Promise<void> {
    await this.#start();
    const created = await this.#client.createTopic(TOPIC, this.#options.partitions, [
      ["retention.bytes", String(this.#options.retentionBytes)],
    ]);
    if (created !== ErrorCode.NONE) throw new Error(`the topic was not created: ${created}`);
    this.#faults.on = true;
    for (let round = 0; round < this.#options.rounds && this.violations.length === 0; round++) {
      await this.#round();
    }
    this.#faults.clear();
    await this.#cleanRestart();
  }

  async #round(): Promise<void> {
    const options = this.#options;
    const random = this.#random;
    this.#faults.maybeFillDisk(random);
    const partition = random.int(options.partitions);
    await this.#produce(partition);
    if (random.chance(0.2)) await this.#fetchSome(partition);
    if (random.chance(options.deleteRecordsProbability)) await this.#deleteRecords(partition);
    await this.cluster.scheduler.runFor(random.range(1, 60));
    if (random.chance(options.crashProbability)) await this.#crashAndRestart();
    else if (random.chance(options.cleanRestartProbability)) await this.#cleanRestart();
  }

  async #produce(partition: number): Promise<void> {
    const count = this.#random.range(1, 6);
    const values = Array.from(
      { length: count },
      () => `v${this.#nextValue++}-${"x".repeat(this.#random.int(120))}`,
    );
    const answer = await this.#client.produce(TOPIC, partition, values, this.#options.compression);
    if (answer === null) return;
    if (answer.errorCode === ErrorCode.KAFKA_STORAGE_ERROR) {
      this.stats.storageErrors++;
      return;
    }
    if (answer.errorCode !== ErrorCode.NONE) return void this.#violate(`produce: error ${answer.errorCode}`);
    const known = this.#acknowledged[partition]!;
    values.forEach((value, index) => {
      const offset = answer.baseOffset + index;
      if (known.has(offset)) this.#violate(`${TOPIC}-${partition}: offset ${offset} acknowledged twice`);
      known.set(offset, value);
    });
    this.stats.acknowledged += count;
  }

  /** A fetch while faults are on: a storage error is fine, a wrong record is not. */
  async #fetchSome(partition: number): Promise<void> {
    const known = this.#acknowledged[partition]!;
    const offsets = [...known.keys()];
    const answer = await this.#client.fetch(
      TOPIC,
      partition,
      offsets.length === 0 ? 0 : this.#random.pick(offsets),
    );
    if (answer === null) return;
    if (answer.errorCode === ErrorCode.KAFKA_STORAGE_ERROR) this.stats.storageErrors++;
    for (const record of answer.records) this.#compare(partition, record, "a fetch");
  }

  async #deleteRecords(partition: number): Promise<void> {
    const latest = await this.#client.listOffset(TOPIC, partition, -1);
    if (latest === null || latest.errorCode !== ErrorCode.NONE) return;
    const target = this.#random.range(0, latest.offset);
    const answer = await this.#client.deleteRecords(TOPIC, partition, target);
    if (answer === null || answer.errorCode === ErrorCode.KAFKA_STORAGE_ERROR) return;
    if (answer.errorCode !== ErrorCode.NONE) {
      this.#violate(`delete records to ${target}: error ${answer.errorCode}`);
    } else if (answer.lowWatermark < target) {
      this.#violate(`delete records to ${target}: low watermark ${answer.lowWatermark}`);
    }
  }

  #compare(partition: number, record: SimpleRecord, where: string): void {
    const expected = this.#acknowledged[partition]!.get(record.offset);
    if (expected !== undefined && expected !== record.value) {
      this.#violate(
        `${where} of ${TOPIC}-${partition} served another record at acknowledged offset ${record.offset}`,
      );
    }
  }

  async #start(): Promise<void> {
    const world = this.cluster.start(NODE);
    this.#node = await this.cluster.scheduler.runUntilSettled(startNode(world, this.#config), {
      maxVirtualMs: NODE_START_MAX_MS,
    });
  }

  async #crashAndRestart(): Promise<void> {
    const mode = this.#random.chance(this.#options.powerLossProbability) ? "power-loss" : "process";
    this.cluster.crash(NODE, mode);
    this.#node = null;
    this.#client.reset();
    this.stats.crashes++;
    await this.#restartAndVerify();
  }

  async #cleanRestart(): Promise<void> {
    const restoreFaults = this.#faults.suspend();
    await this.cluster.scheduler.runUntilSettled(this.#node!.close(), { maxVirtualMs: NODE_START_MAX_MS });
    this.cluster.crash(NODE, "process");
    this.#node = null;
    this.#client.reset();
    this.stats.cleanRestarts++;
    this.#checkFiles();
    restoreFaults();
    await this.#restartAndVerify();
  }

  /** Starts the node with faults off and reads every partition back whole. */
  async #restartAndVerify(): Promise<void> {
    const restoreFaults = this.#faults.suspend();
    await this.#start();
    this.stats.deletedBelow = 0;
    for (let partition = 0; partition < this.#options.partitions; partition++) await this.#verify(partition);
    restoreFaults();
  }

  async #verify(partition: number): Promise<void> {
    const where = `${TOPIC}-${partition} after a restart`;
    const earliest = await this.#client.listOffset(TOPIC, partition, -2);
    const latest = await this.#client.listOffset(TOPIC, partition, -1);
    if (earliest?.errorCode !== ErrorCode.NONE || latest?.errorCode !== ErrorCode.NONE) {
      return void this.#violate(
        `${where}: ListOffsets failed (${earliest?.errorCode}, ${latest?.errorCode})`,
      );
    }
    this.stats.deletedBelow += earliest.offset;
    const known = this.#acknowledged[partition]!;
    const highest = Math.max(-1, ...known.keys());
    if (latest.offset <= highest) {
      return void this.#violate(`${where}: ends at ${latest.offset}, acknowledged ${highest}`);
    }
    const read = await this.#client.readRange(TOPIC, partition, earliest.offset, latest.offset);
    if (typeof read === "string") return void this.#violate(`${where}: ${read}`);
    const served = new Map(read.records.map((record) => [record.offset, record.value]));
    for (const [offset, value] of known) {
      if (offset >= read.logStartOffset && offset < latest.offset && served.get(offset) !== value) {
        return void this.#violate(
          `${where}: acknowledged record ${offset} is ${served.has(offset) ? "changed" : "lost"}`,
        );
      }
    }
    if (read.logStartOffset > 0) {
      const below = await this.#client.fetch(TOPIC, partition, read.logStartOffset - 1);
      if (below?.errorCode !== ErrorCode.OFFSET_OUT_OF_RANGE) {
        this.#violate(
          `${where}: a fetch below the log start ${read.logStartOffset} answered ${below?.errorCode}`,
        );
      }
    }
  }

  /** After a clean shutdown: the files themselves, read from the disk. */
  #checkFiles(): void {
    const view = this.#disk.view(null);
    this.stats.fileChecks++;
    for (let partition = 0; partition < this.#options.partitions; partition++) {
      const folder = `${LOG_DIRECTORY}/${TOPIC}-${partition}`;
      const checked = checkPartitionFolder(view, folder);
      for (const problem of checked.problems) this.#violate(`after a clean shutdown: ${problem}`);
      const firstKept = checked.segmentBaseOffsets[0] ?? 0;
      const onDisk = new Map(recordsOf(checked.batches).map((record) => [record.offset, record.value]));
      for (const [offset, value] of this.#acknowledged[partition]!) {
        if (offset >= firstKept && onDisk.get(offset) !== value) {
          this.#violate(`${folder}: acknowledged record ${offset} is not on disk after a clean shutdown`);
          break;
        }
      }
    }
  }
}
