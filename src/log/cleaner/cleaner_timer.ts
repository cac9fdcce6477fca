/**
 * Runs a LogCleaner on Clock timers, as Kafka's cleaner thread runs: while
 * there is work, one bounded step at a time with a pause between steps (so
 * that requests are served in between); when there is none, it waits
 * `log.cleaner.backoff.ms` before looking again.
 */
import type { Clock, Timer } from "../../io/mod.ts";
import type { LogCleaner } from "./log_cleaner.ts";

/** The default work per step, in decompressed bytes of log. */
export const DEFAULT_CLEANER_STEP_BYTES = 1024 * 1024;
/**
 * The default longest step: about what a request may wait for the cleaner
 * (a step always finishes the batch it is on, and a swap's syncs take what
 * they take).
 */
export const DEFAULT_CLEANER_STEP_MS = 2;
/** The default pause between steps: with 2 ms steps the cleaner takes at most half of the event loop. */
export const DEFAULT_CLEANER_STEP_PAUSE_MS = 2;

/** How the timer paces the cleaner. */
export interface CleanerTimerOptions {
  clock: Clock;
  cleaner: LogCleaner;
  /** `log.cleaner.backoff.ms`: the wait when no log needs cleaning. */
  backoffMs: number;
  /** Work per step, in bytes of log. */
  stepBytes?: number;
  /** The longest a step may run on a real clock. */
  stepMs?: number;
  /** The pause between two steps of a round. */
  stepPauseMs?: number;
  log?: (line: string) => void;
}

/** Starts the cleaner's timer; `stop` cancels it (the caller then closes the cleaner). */
export function startCleanerTimer(options: CleanerTimerOptions): { stop(): void } {
  let timer: Timer | null = null;
  let stopped = false;
  const run = () => {
    if (stopped) return;
    let busy = false;
    try {
      const stepBytes = options.stepBytes ?? DEFAULT_CLEANER_STEP_BYTES;
      busy = options.cleaner.cleanStep(stepBytes, options.stepMs ?? DEFAULT_CLEANER_STEP_MS).busy;
    } catch (error) {
      // The cleaner handles its own failures; this is a bug, which must not stop the broker.
      options.log?.(`[log cleaner] step failed: ${(error as Error).stack ?? error}`);
    }
    const pauseMs = options.stepPauseMs ?? DEFAULT_CLEANER_STEP_PAUSE_MS;
    if (!stopped) timer = options.clock.setTimer(busy ? pauseMs : options.backoffMs, run);
  };
  timer = options.clock.setTimer(options.backoffMs, run);
  return {
    stop() {
      stopped = true;
      timer?.cancel();
    },
  };
}
