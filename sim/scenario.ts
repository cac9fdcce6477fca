/**
 * What every simulation scenario offers the one command line (`sim/main.ts`)
 * and the seed sweep: run a seed with the command line's flags, and say what
 * it found in a shape the reports share. A scenario derives every option of
 * a run from its seed ("swarm testing"); the flags only force a choice
 * (plant a bug, strict folder durability, a group protocol).
 */

/** The flags a scenario may take besides the seed. */
export interface ScenarioFlags {
  /** A planted bug, by name; the checkers must catch it. */
  bug?: string;
  /** Folders durable only once synced (strict POSIX) on every host, instead of the seed's choice. */
  afterSync?: boolean;
  /** The group protocol ("classic" or "consumer"), instead of the seed's choice. */
  protocol?: string;
  /** Hears every line of the nodes' traces (the raft scenario's trace validation). */
  trace?: (line: string) => void;
  /** Progress lines of the run; silent by default. */
  log?: (line: string) => void;
}

/** The optional flags, by their command-line names. */
export type ScenarioFlagName = "after-sync" | "protocol" | "trace";

/** What one seed found, in the form every report prints. */
export interface ScenarioResult {
  seed: number;
  /** The first broken invariant, as a sentence; null when the seed passed. */
  failure: string | null;
  /** The run's counters in one line. */
  summary: string;
  /** The options the seed chose (with the flags applied), as lines. */
  optionLines: string[];
  /** The world's log, kept for a failure. */
  printLog(write: (line: string) => void): void;
}

/** One kind of simulation. */
export interface Scenario {
  /** The name on the command line: `deno task sim <name>`. */
  name: string;
  /** What one seed is, for the usage text. */
  description: string;
  /** The bugs `--bug` can plant. */
  bugs: readonly string[];
  /** The optional flags it takes. */
  flags: readonly ScenarioFlagName[];
  /** Runs one seed. */
  run(seed: number, flags: ScenarioFlags): Promise<ScenarioResult>;
}
