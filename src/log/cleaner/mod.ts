/**
 * Log compaction (`cleanup.policy=compact`): Kafka's log cleaner, run in
 * bounded steps. See `log_cleaner.ts` for the driver, `clean_round.ts` for a
 * round's phases, `batch_filter.ts` for what is kept, and `segment_swap.ts`
 * for the crash-safe swap of cleaned segments.
 */
export {
  type CleanedLogOptions,
  type CleanStepResult,
  type CompletedRound,
  DEFAULT_DEDUPE_BUFFER_BYTES,
  describeRound,
  LogCleaner,
  type LogCleanerOptions,
} from "./log_cleaner.ts";
export {
  type CleanerTimerOptions,
  DEFAULT_CLEANER_STEP_BYTES,
  DEFAULT_CLEANER_STEP_MS,
  DEFAULT_CLEANER_STEP_PAUSE_MS,
  startCleanerTimer,
} from "./cleaner_timer.ts";
export {
  type CompactionConfig,
  compactionConfigOf,
  DEFAULT_COMPACTION_CONFIG,
  isCompactedPolicy,
  parseCleanupPolicy,
  type TopicSettingsLookup,
} from "./compaction_config.ts";
export { CLEANER_OFFSET_CHECKPOINT_FILE } from "./cleaner_checkpoint.ts";
export { deleteHorizonOf } from "./batch_filter.ts";
