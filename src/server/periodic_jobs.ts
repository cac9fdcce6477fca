/**
 * The log manager's background work, run on Clock timers as Kafka's
 * scheduler runs it: flushing logs past flush.ms, checkpointing recovery
 * points and log start offsets, and expiring idle producers' state.
 */
import type { BrokerConfig } from "../config/broker_config.ts";
import type { Clock, Timer } from "../io/types.ts";
import type { LogManager } from "../log/mod.ts";

/** How often Kafka removes expired producer ids (producer.id.expiration.check.interval.ms). */
const PRODUCER_EXPIRATION_CHECK_MS = 600000;
/** The flush check period when log.flush.scheduler.interval.ms is "never": flush.ms per topic can still be set. */
const DEFAULT_FLUSH_CHECK_MS = 1000;

export function startPeriodicJobs(clock: Clock, logs: LogManager, config: BrokerConfig): { stop(): void } {
  const timers: Timer[] = [];
  let stopped = false;
  const every = (periodMs: number, job: () => void) => {
    const schedule = () => {
      timers.push(clock.setTimer(periodMs, () => {
        if (stopped) return;
        job();
        schedule();
      }));
      if (timers.length > 16) timers.splice(0, timers.length - 16);
    };
    schedule();
  };
  const flushScheduler = config.int("log.flush.scheduler.interval.ms");
  every(
    flushScheduler >= Number.MAX_SAFE_INTEGER ? DEFAULT_FLUSH_CHECK_MS : Math.max(1, flushScheduler),
    () => {
      logs.flushDirtyLogs(clock.nowMs());
    },
  );
  every(Math.max(1, config.int("log.flush.offset.checkpoint.interval.ms")), () => {
    logs.checkpointRecoveryPoints();
    logs.checkpointLogStartOffsets();
  });
  every(PRODUCER_EXPIRATION_CHECK_MS, () => logs.removeExpiredProducers(clock.nowMs()));
  return {
    stop() {
      stopped = true;
      for (const timer of timers) timer.cancel();
    },
  };
}
