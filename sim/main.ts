/**
 * `deno task sim`: the one command line of every simulation scenario.
 *
 *   deno task sim <scenario> --seed N      one seed: its options, progress and result
 *   deno task sim <scenario> --seeds K     K random seeds
 *   deno task sim <scenario> --seconds S   random seeds for S seconds of real time (60 by default)
 *   --bug NAME           plants a bug the checkers must catch (each scenario lists its own)
 *   --after-sync         folders durable only once synced (strict POSIX) instead of the seed's choice
 *   --protocol P         the group protocol (classic or consumer) instead of the seed's choice
 *   --trace FILE         with --seed: every node's trace, as JSON lines (raft)
 *   --verbose            progress lines, and every seed's summary
 *
 * Scenarios: node, groups, disk, raft, cluster (`deno task sim` alone lists
 * them). A failing seed is printed with its options, the world's log and
 * the command that replays it exactly; the exit code is then 1.
 */
import { parseArgs } from "node:util";
import type { Scenario, ScenarioFlagName, ScenarioFlags, ScenarioResult } from "./scenario.ts";
import { scenarioNamed, SCENARIOS } from "./scenarios/mod.ts";
import { reportFailure, sweepSeeds } from "./seed_sweep.ts";

const SEED_MAX = 0xffff_ffff;
const SECONDS_DEFAULT = 60;

function usage(problem?: string): never {
  if (problem !== undefined) console.error(problem);
  console.error(
    "usage: deno task sim <scenario> [--seed N | --seeds K | --seconds S] [--bug NAME] [--after-sync] " +
      "[--protocol classic|consumer] [--trace FILE] [--verbose]",
  );
  for (const scenario of SCENARIOS) {
    const bugs = scenario.bugs.length === 0 ? "" : `; bugs: ${scenario.bugs.join(", ")}`;
    const flags = scenario.flags.length === 0
      ? ""
      : `; flags: ${scenario.flags.map((flag) => `--${flag}`).join(" ")}`;
    console.error(`  ${scenario.name.padEnd(8)} ${scenario.description}${bugs}${flags}`);
  }
  Deno.exit(2);
}

/** The command-line flags that replay a seed exactly, after `--seed N`. */
function replayFlags(values: Record<string, string | boolean | undefined>): string {
  let flags = "";
  if (values.bug !== undefined) flags += ` --bug ${values.bug}`;
  if (values["after-sync"]) flags += " --after-sync";
  if (values.protocol !== undefined) flags += ` --protocol ${values.protocol}`;
  return flags;
}

function checkFlags(scenario: Scenario, values: Record<string, string | boolean | undefined>): void {
  if (values.bug !== undefined && !scenario.bugs.includes(values.bug as string)) {
    usage(`${scenario.name} has no bug ${values.bug}; known: ${scenario.bugs.join(", ") || "none"}`);
  }
  for (const flag of ["after-sync", "protocol", "trace"] as const satisfies ScenarioFlagName[]) {
    if (values[flag] !== undefined && values[flag] !== false && !scenario.flags.includes(flag)) {
      usage(`${scenario.name} takes no --${flag}`);
    }
  }
}

function report(scenario: Scenario, result: ScenarioResult, flags: string): void {
  reportFailure({
    seed: result.seed,
    message: result.failure!,
    printLog: (write) => result.printLog(write),
    optionLines: result.optionLines,
    replay: `deno task sim ${scenario.name} --seed ${result.seed}${flags}`,
  });
}

async function runOneSeed(scenario: Scenario, seed: number, flags: ScenarioFlags, trace?: string) {
  const lines: string[] = [];
  const started = performance.now();
  const result = await scenario.run(seed, {
    ...flags,
    log: (line) => console.log(line),
    trace: trace === undefined ? undefined : (line) => lines.push(line),
  });
  if (trace !== undefined) {
    await Deno.writeTextFile(trace, lines.join("\n") + "\n");
    console.log(`${lines.length} trace entries written to ${trace}`);
  }
  return { result, elapsedMs: Math.round(performance.now() - started) };
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: Deno.args,
      allowPositionals: true,
      options: {
        seed: { type: "string" },
        seeds: { type: "string" },
        seconds: { type: "string" },
        bug: { type: "string" },
        "after-sync": { type: "boolean" },
        protocol: { type: "string" },
        trace: { type: "string" },
        verbose: { type: "boolean", short: "v" },
      },
    });
  } catch (error) {
    usage((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) usage();
  const scenario = scenarioNamed(positionals[0]!);
  if (scenario === undefined) usage(`unknown scenario ${positionals[0]}`);
  checkFlags(scenario, values);
  const flags: ScenarioFlags = {
    bug: values.bug,
    afterSync: values["after-sync"],
    protocol: values.protocol,
  };
  const replay = replayFlags(values);
  if (values.seed !== undefined) {
    const seed = Number(values.seed);
    if (!Number.isSafeInteger(seed) || seed < 0) usage(`bad seed ${values.seed}`);
    const { result, elapsedMs } = await runOneSeed(scenario, seed, flags, values.trace);
    if (result.failure !== null) {
      report(scenario, result, replay);
      Deno.exit(1);
    }
    for (const line of result.optionLines) console.log(line);
    console.log(`seed ${seed} passed in ${elapsedMs} ms: ${result.summary}`);
    return;
  }
  if (values.trace !== undefined) usage("--trace needs --seed");
  const seeds = values.seeds === undefined ? Infinity : Number(values.seeds);
  const seconds = values.seeds === undefined ? Number(values.seconds ?? SECONDS_DEFAULT) : Infinity;
  if (!(seeds > 0) || !(seconds > 0)) usage();
  const allPassed = await sweepSeeds({
    seeds,
    seconds,
    seedMax: SEED_MAX,
    runSeed: async (seed) => {
      const result = await scenario.run(seed, {
        ...flags,
        log: values.verbose ? (line) => console.log(line) : undefined,
      });
      if (result.failure !== null) report(scenario, result, replay);
      else if (values.verbose) console.log(`seed ${seed} passed: ${result.summary}`);
      return result.failure === null;
    },
    replay: (seed) => `deno task sim ${scenario.name} --seed ${seed}${replay}`,
  });
  if (!allPassed) Deno.exit(1);
}

if (import.meta.main) await main();
