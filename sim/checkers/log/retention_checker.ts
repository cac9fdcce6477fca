/**
 * The checker of time-based retention: the node deletes a segment only once
 * its newest record is older than `retention.ms` by the node's own wall
 * clock, and an acknowledged record leaves the log only that way.
 *
 * It watches the node's simulated disk: every time a partition's first
 * `.log` file is renamed away or removed (retention deletes the oldest
 * segments, in order; recovery only ever drops the newest ones), it reads
 * the file while its bytes are still there and applies Kafka's rule with
 * facts the node cannot bend:
 *
 * - the newest timestamp is the largest one the producers gave the
 *   segment's records (from the ledger, not from the batch headers the node
 *   wrote), or, when none of them carries one (-1, as librdkafka sends
 *   them), the file's modification time as the simulated disk stamped it;
 * - "now" is the node host's wall clock at the moment of the deletion, the
 *   clock the node's retention reads, skewed and stepped as it may be.
 *
 * So a record with timestamp T deleted at D needs D - T > retention.ms; a
 * record without one, written at W, needs D - mtime > retention.ms with
 * mtime >= W's wall time (on a clock that only moves forwards, mtime is at
 * least the wall time at which the batch was first sent). A record without
 * a timestamp that shares a segment with older stamped ones goes with them,
 * as in Kafka. Records deleted so are remembered: the log checker accepts
 * them missing, and reports any other acknowledged record that went below
 * the log start offset or out of the log.
 */
import { Directory, FileContent, type SimDisk } from "../../../src/io/sim/mod.ts";
import { parsePartitionFolder, scanSegment, SEGMENT_FILE } from "./disk_scan.ts";
import type { Ledger } from "./ledger.ts";
import type { Violations } from "../violation.ts";

/** What the checker needs to know of the run. */
export interface RetentionCheckerOptions {
  /** log.retention.ms (every topic uses the broker's); negative: nothing may be deleted. */
  retentionMs: number;
  /** The node's log directory on its simulated disk. */
  logDirectory: string;
  /** The workload's topics (other folders are not checked). */
  topics: ReadonlySet<string>;
}

/** Counters for the run's summary. */
export interface RetentionStats {
  segmentsDeleted: number;
  recordsDeleted: number;
}

/** Where a segment's newest timestamp came from, for reports. */
interface NewestTimestamp {
  timestampMs: number;
  source: string;
}

export class RetentionChecker {
  readonly stats: RetentionStats = { segmentsDeleted: 0, recordsDeleted: 0 };
  /** Ids of the records retention deleted as it may. */
  readonly #deleted = new Set<string>();
  /** Partitions ("topic-partition") where retention deleted something. */
  readonly #touched = new Set<string>();

  constructor(
    readonly options: RetentionCheckerOptions,
    private readonly ledger: Ledger,
    private readonly violations: Violations,
  ) {}

  /** Watches `disk` (the node's), whose wall clock is `nowMs`. */
  watch(disk: SimDisk, nowMs: () => number): void {
    disk.beforeEntryLeaves = (path) => this.#entryLeaving(disk, path, nowMs());
  }

  /** Whether retention deleted record `id`, as it may. */
  deletedLegally(id: string): boolean {
    return this.#deleted.has(id);
  }

  /** Whether retention deleted anything in the partition (an idle producer's state may have gone with it). */
  deletedFrom(key: string): boolean {
    return this.#touched.has(key);
  }

  #entryLeaving(disk: SimDisk, path: string, nowMs: number): void {
    const prefix = `${this.options.logDirectory}/`;
    if (!path.startsWith(prefix)) return;
    const [folderName, fileName, ...rest] = path.slice(prefix.length).split("/");
    if (folderName === undefined || fileName === undefined || rest.length > 0) return;
    if (!SEGMENT_FILE.test(fileName)) return;
    const partition = parsePartitionFolder(folderName);
    if (partition === null || !this.options.topics.has(partition.topic)) return;
    const folder = disk.lookup(`${prefix}${folderName}`);
    if (!(folder instanceof Directory)) return;
    const segments = [...folder.entries.keys()].filter((name) => SEGMENT_FILE.test(name)).sort();
    // Only the oldest segment can go to retention; a newer one leaving is recovery truncating a tail.
    if (segments[0] !== fileName) return;
    const file = folder.entries.get(fileName);
    if (!(file instanceof FileContent)) return;
    this.#segmentDeleted(path, file, nowMs, `${partition.topic}-${partition.partition}`);
  }

  #segmentDeleted(path: string, file: FileContent, nowMs: number, key: string): void {
    const ids = scanSegment(file.readAll(), { topic: "", partition: 0, path })
      .map((record) => record.id)
      .filter((id): id is string => id !== null && this.ledger.locate(id) !== undefined);
    // An empty segment loses nothing; one deleted before (its removal undone by a power loss) was judged then.
    if (ids.length === 0 || ids.every((id) => this.#deleted.has(id))) return;
    const newest = this.#newestTimestamp(ids, file);
    const ageMs = nowMs - newest.timestampMs;
    const retentionMs = this.options.retentionMs;
    if (retentionMs < 0 || ageMs <= retentionMs) {
      const acknowledged = ids.filter((id) => this.ledger.locate(id)!.batch.acknowledged);
      this.violations.report(
        "retention deletes only segments older than retention.ms",
        `${path} deleted at wall time ${nowMs}: its newest timestamp ${newest.timestampMs} (${newest.source}) ` +
          `is ${ageMs} ms old, retention.ms=${retentionMs}; it held ${ids.length} records ` +
          `(${acknowledged.length} acknowledged, first ${acknowledged[0] ?? ids[0]})`,
      );
      return;
    }
    for (const id of ids) this.#deleted.add(id);
    this.#touched.add(key);
    this.stats.segmentsDeleted++;
    this.stats.recordsDeleted += ids.length;
  }

  #newestTimestamp(ids: string[], file: FileContent): NewestTimestamp {
    let newest: NewestTimestamp = { timestampMs: -1, source: "no record has a timestamp" };
    for (const id of ids) {
      const batch = this.ledger.locate(id)!.batch;
      if (batch.timestampMs > newest.timestampMs) {
        newest = { timestampMs: batch.timestampMs, source: `record ${id}` };
      }
    }
    if (newest.timestampMs >= 0) return newest;
    return { timestampMs: file.modifiedMs, source: "no record has a timestamp: the file's mtime" };
  }
}
