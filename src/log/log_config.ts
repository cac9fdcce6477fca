/**
 * The per-topic settings the log uses, with Kafka's names and defaults:
 * `segment.bytes`, `segment.ms`, `segment.jitter.ms`, `segment.index.bytes`,
 * `index.interval.bytes`, `flush.messages`, `flush.ms`, `retention.ms`,
 * `retention.bytes`, `file.delete.delay.ms`, `cleanup.policy`, and the
 * broker's `producer.id.expiration.ms`.
 */

export interface LogConfig {
  /** `segment.bytes`: roll when the active segment would grow past this. */
  segmentBytes: number;
  /** `segment.ms`: roll a non-empty segment this long after its first batch's timestamp. */
  segmentMs: number;
  /** `segment.jitter.ms`: subtracted from segment.ms; the caller draws it per segment. */
  segmentJitterMs: number;
  /** `segment.index.bytes`: the largest index file; a full index rolls the segment. */
  segmentIndexBytes: number;
  /** `index.interval.bytes`: log bytes between two offset index entries. */
  indexIntervalBytes: number;
  /** `flush.messages`: sync after this many unflushed messages. */
  flushMessages: number;
  /** `flush.ms`: sync when the last flush is this old (see PartitionLog.maybeFlush). */
  flushMs: number;
  /** `producer.id.expiration.ms`: forget producers idle this long. */
  producerIdExpirationMs: number;
  /** `retention.ms`: delete a segment whose newest record is older than this; negative for no limit. */
  retentionMs: number;
  /** `retention.bytes`: delete the oldest segments while the log is larger than this; negative for no limit. */
  retentionBytes: number;
  /** `file.delete.delay.ms`: how long a deleted segment's files stay as `.deleted` before removal. */
  fileDeleteDelayMs: number;
  /** `cleanup.policy` includes "delete": retention.ms and retention.bytes apply. */
  cleanupPolicyDelete: boolean;
}

/** Kafka's Long.MAX_VALUE defaults, as the largest safe integer. */
const NEVER = Number.MAX_SAFE_INTEGER;

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  segmentJitterMs: 0,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  flushMessages: NEVER,
  flushMs: NEVER,
  producerIdExpirationMs: 86_400_000,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  fileDeleteDelayMs: 60_000,
  cleanupPolicyDelete: true,
});

/** Settings as given: fixed, or read again at each use so config changes apply at once. */
export type LogConfigSource = Partial<LogConfig> | (() => Partial<LogConfig>);

/** The settings in force now, defaults filled in; numbers are capped at Kafka's "never". */
export function resolveLogConfig(source: LogConfigSource | undefined): LogConfig {
  const given = typeof source === "function" ? source() : source ?? {};
  const resolved: Record<string, unknown> = { ...DEFAULT_LOG_CONFIG };
  for (const [name, value] of Object.entries(given)) {
    if (typeof value === "number") {
      if (Number.isFinite(value)) resolved[name] = Math.min(value, NEVER);
    } else if (value !== undefined) {
      resolved[name] = value;
    }
  }
  return resolved as unknown as LogConfig;
}

/** Whether a `cleanup.policy` value ("delete", "compact", "compact,delete") includes `policy`. */
export function cleanupPolicyIncludes(value: string, policy: "delete" | "compact"): boolean {
  return value.split(",").some((part) => part.trim().toLowerCase() === policy);
}
