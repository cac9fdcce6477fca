/**
 * Names of the files and folders in a Kafka log directory.
 *
 * A segment's files are named by its base offset written with 20 digits
 * (`00000000000000000042.log`), so that sorting names sorts offsets. A
 * partition's folder is `<topic>-<partition>`; folders being deleted, moved
 * between log directories or found stray carry `.<uniqueId>-delete`,
 * `-future` and `-stray` suffixes.
 */

export const LOG_FILE_SUFFIX = ".log";
export const INDEX_FILE_SUFFIX = ".index";
export const TIME_INDEX_FILE_SUFFIX = ".timeindex";
export const TRANSACTION_INDEX_FILE_SUFFIX = ".txnindex";
export const PRODUCER_SNAPSHOT_FILE_SUFFIX = ".snapshot";
export const DELETED_FILE_SUFFIX = ".deleted";
export const CLEANED_FILE_SUFFIX = ".cleaned";
export const SWAP_FILE_SUFFIX = ".swap";

export const DELETE_DIRECTORY_SUFFIX = "-delete";
export const FUTURE_DIRECTORY_SUFFIX = "-future";
export const STRAY_DIRECTORY_SUFFIX = "-stray";

/** The KRaft metadata log lives in a log directory but is not a partition log. */
export const METADATA_TOPIC = "__cluster_metadata";

const OFFSET_DIGITS = 20;

/** `offset` as the 20-digit prefix of a segment's file names. */
export function offsetFilePrefix(offset: number): string {
  return String(offset).padStart(OFFSET_DIGITS, "0");
}

/** A segment-related file name, such as `offsetFileName(42, ".log")`. */
export function offsetFileName(offset: number, suffix: string): string {
  return offsetFilePrefix(offset) + suffix;
}

/**
 * The offset a file name starts with (the digits before the first dot), or
 * null when the name does not start with digits and a dot.
 */
export function offsetFromFileName(name: string): number | null {
  const dot = name.indexOf(".");
  if (dot <= 0) return null;
  const digits = name.slice(0, dot);
  if (!/^[0-9]+$/.test(digits)) return null;
  const offset = Number(digits);
  return Number.isSafeInteger(offset) ? offset : null;
}

/** Joins path parts with "/". */
export function joinPath(...parts: string[]): string {
  return parts.filter((part) => part !== "").join("/").replace(/\/+/g, "/");
}

/** The folder name of a partition's log. */
export function partitionDirectoryName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** What a partition folder is for. */
export type PartitionDirectoryKind = "current" | "delete" | "future" | "stray";

/** A partition folder's name, taken apart. */
export interface ParsedPartitionDirectory {
  topic: string;
  partition: number;
  kind: PartitionDirectoryKind;
}

const SUFFIXED_PATTERN = /^(\S+)-(\S+)\.(\S+)-(delete|future|stray)$/;

/**
 * Parses `<topic>-<partition>` or `<topic>-<partition>.<uniqueId>-<delete|future|stray>`;
 * null when the name is neither (such a folder is not Kafka's).
 */
export function parsePartitionDirectoryName(name: string): ParsedPartitionDirectory | null {
  let base = name;
  let kind: PartitionDirectoryKind = "current";
  const suffixed = SUFFIXED_PATTERN.exec(name);
  if (suffixed !== null) {
    base = name.slice(0, name.lastIndexOf("."));
    kind = suffixed[4] as PartitionDirectoryKind;
  } else if (/-(delete|future|stray)$/.test(name)) {
    return null;
  }
  const dash = base.lastIndexOf("-");
  if (dash <= 0 || dash === base.length - 1) return null;
  const partitionText = base.slice(dash + 1);
  if (!/^[0-9]+$/.test(partitionText)) return null;
  const partition = Number(partitionText);
  if (partition > 0x7fffffff) return null;
  return { topic: base.slice(0, dash), partition, kind };
}
