/**
 * What the simulators' command lines share: a failing seed's report (world
 * log, options, the command that replays it) and the sweep over random
 * seeds for a count or a time budget, with seeds per minute at the end.
 */

/** Prints everything needed to understand and replay a failing seed. */
export function reportFailure(failure: {
  seed: number;
  message: string;
  printLog: (write: (line: string) => void) => void;
  optionLines: string[];
  replay: string;
}): void {
  console.error(`\nFAILED seed ${failure.seed}: ${failure.message}`);
  console.error("world log:");
  failure.printLog(console.error);
  for (const line of failure.optionLines) console.error(line);
  console.error(`\nFAILED seed ${failure.seed}: ${failure.message}`);
  console.error(`replay: ${failure.replay}`);
}

export interface SweepOptions {
  /** Seeds to run (Infinity: until the time budget is spent). */
  seeds: number;
  /** Time budget in seconds (Infinity: until `seeds` ran). */
  seconds: number;
  seedMax: number;
  /** Runs one seed; true when it passed (it reports its own failure). */
  runSeed: (seed: number) => Promise<boolean>;
  /** The command that replays a seed. */
  replay: (seed: number) => string;
}

/** Runs random seeds; prints the tally and the failing seeds; returns whether all passed. */
export async function sweepSeeds(options: SweepOptions): Promise<boolean> {
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const failing: number[] = [];
  let runs = 0;
  for (; runs < options.seeds && performance.now() < deadline; runs++) {
    // The simulator may draw its seeds from the real world: each is printed to replay it.
    const seed = Math.floor(Math.random() * options.seedMax);
    if (!(await options.runSeed(seed))) failing.push(seed);
  }
  const minutes = (performance.now() - started) / 60_000;
  console.log(`${runs} seeds, ${failing.length} failing, ${(runs / minutes).toFixed(1)} seeds per minute`);
  if (failing.length === 0) return true;
  console.log(`failing seeds: ${failing.join(" ")}`);
  for (const seed of failing) console.log(`replay: ${options.replay(seed)}`);
  return false;
}
