/**
 * The log manager's background work, run on Clock timers as Kafka's
 * scheduler runs it: retention (deleting old segments every
 * log.retention.check.interval.ms), flushing logs past flush.ms,
 * checkpointing recovery points and log start offsets, and expiring idle
 * producers' state.
 */
import type { BrokerConfig } from "../config/mod.ts";
import type { Clock, Timer } from "../io/mod.ts";
import type { LogManager, PartitionLog } from "../log/mod.ts";

/** How often Kafka removes expired producer ids (producer.id.expiration.check.interval.ms). */
const PRODUCER_EXPIRATION_CHECK_MS = 600000;
/** The flush check period when log.flush.scheduler.interval.ms is "never": flush.ms per topic can still be set. */
const DEFAULT_FLUSH_CHECK_MS = 1000;
/**
 * Kafka starts its log tasks 30 s after start-up (log.initial.task.delay.ms);
 * a shorter period starts sooner, so that small test intervals take effect.
 */
const INITIAL_TASK_DELAY_MS = 30_000;

/** Starts the jobs; `log` hears about a job that failed (the job runs again at its next period). */
export function startPeriodicJobs(
  clock: Clock,
  logs: LogManager,
  config: BrokerConfig,
  log: (line: string) => void = () => {},
  highWatermarkOf: (log: PartitionLog) => number | undefined = () => undefined,
): { stop(): void } {
  const timers = new Set<Timer>();
  let stopped = false;
  const every = (name: string, periodMs: number, job: () => void) => {
    const schedule = (delayMs: number) => {
      const timer = clock.setTimer(delayMs, () => {
        timers.delete(timer);
        if (stopped) return;
        try {
          job();
        } catch (error) {
          log(`periodic job ${name} failed: ${(error as Error).message}`);
        }
        schedule(periodMs);
      });
      timers.add(timer);
    };
    schedule(Math.min(periodMs, INITIAL_TASK_DELAY_MS));
  };
  every("kafka-log-retention", Math.max(1, config.int("log.retention.check.interval.ms")), () => {
    logs.cleanupLogs(clock.nowMs(), undefined, highWatermarkOf);
  });
  const flushScheduler = config.int("log.flush.scheduler.interval.ms");
  every(
    "kafka-log-flusher",
    flushScheduler >= Number.MAX_SAFE_INTEGER ? DEFAULT_FLUSH_CHECK_MS : Math.max(1, flushScheduler),
    () => logs.flushDirtyLogs(clock.nowMs()),
  );
  every(
    "kafka-offset-checkpoints",
    Math.max(1, config.int("log.flush.offset.checkpoint.interval.ms")),
    () => {
      logs.checkpointRecoveryPoints();
      logs.checkpointLogStartOffsets();
    },
  );
  every(
    "producer-expiration",
    PRODUCER_EXPIRATION_CHECK_MS,
    () => logs.removeExpiredProducers(clock.nowMs()),
  );
  return {
    stop() {
      stopped = true;
      for (const timer of timers) timer.cancel();
      timers.clear();
    },
  };
}
