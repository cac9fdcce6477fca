/**
 * The topic settings compaction follows, with Kafka's names and defaults:
 * `cleanup.policy`, `delete.retention.ms`, `min.cleanable.dirty.ratio`,
 * `min.compaction.lag.ms` and `max.compaction.lag.ms`. Segment sizes and the
 * index interval come from the log's own settings.
 */

/** What the cleaner needs to know about a topic. */
export interface CompactionConfig {
  /** `cleanup.policy` contains "compact". */
  compact: boolean;
  /** `cleanup.policy` contains "delete" (retention also applies). */
  delete: boolean;
  /** `delete.retention.ms`: how long tombstones and empty transaction markers stay after their first cleaning. */
  deleteRetentionMs: number;
  /** `min.cleanable.dirty.ratio`: the dirty share of the log above which it is cleaned. */
  minCleanableDirtyRatio: number;
  /** `min.compaction.lag.ms`: records younger than this stay uncompacted. */
  minCompactionLagMs: number;
  /** `max.compaction.lag.ms`: a dirty segment older than this is cleaned whatever the ratio. */
  maxCompactionLagMs: number;
}

/** Kafka's defaults (a topic with them does not compact: its policy is "delete"). */
export const DEFAULT_COMPACTION_CONFIG: Readonly<CompactionConfig> = Object.freeze({
  compact: false,
  delete: true,
  deleteRetentionMs: 86_400_000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
});

/** The two flags of a `cleanup.policy` value such as "compact", "delete" or "compact,delete". */
export function parseCleanupPolicy(value: string | readonly string[]): { compact: boolean; delete: boolean } {
  const parts = (typeof value === "string" ? value.split(",") : value).map((part) =>
    part.trim().toLowerCase()
  );
  return { compact: parts.includes("compact"), delete: parts.includes("delete") };
}

/** Whether a topic with this `cleanup.policy` value is compacted (and so refuses records without a key). */
export function isCompactedPolicy(value: string | readonly string[]): boolean {
  return parseCleanupPolicy(value).compact;
}

/** Reads a topic's effective settings by Kafka name (the broker's topic config resolver). */
export interface TopicSettingsLookup {
  number(name: string): number;
  string(name: string): string;
}

/** The compaction settings of a topic from its effective configuration. */
export function compactionConfigOf(settings: TopicSettingsLookup): CompactionConfig {
  return {
    ...parseCleanupPolicy(settings.string("cleanup.policy")),
    deleteRetentionMs: settings.number("delete.retention.ms"),
    minCleanableDirtyRatio: settings.number("min.cleanable.dirty.ratio"),
    minCompactionLagMs: settings.number("min.compaction.lag.ms"),
    maxCompactionLagMs: Math.min(settings.number("max.compaction.lag.ms"), Number.MAX_SAFE_INTEGER),
  };
}
