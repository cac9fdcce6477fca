/**
 * `deno task sim`: runs the simulation.
 *
 *   deno task sim --seed N       one seed: its options, progress and result
 *   deno task sim --seeds K      K random seeds
 *   deno task sim --seconds S    random seeds for S seconds of real time (60 by default)
 *   --folders immediate|after-sync   folder entries durable at once, or only once their folder
 *                                    is synced (strict POSIX); by default each seed chooses
 *   --bug trust-client-max-timestamp   plants a bug the checkers must catch
 *   --verbose                    progress of every seed
 *
 * A failing seed is printed with the command that replays it, and the
 * world's log of that run; the exit code is then 1.
 */
import { parseArgs } from "node:util";
import { NODE_BUGS, type NodeBug } from "../../faults/node_planted_bugs.ts";
import { type RunResult, runSeed, type RunSeedOptions } from "./run.ts";
import { describeOptions, type WorkloadOptions, workloadOptions } from "./options.ts";

const SEED_MAX = 0xffff_ffff;

type FolderDurability = WorkloadOptions["crashes"]["directoryDurability"];

function usage(): never {
  console.error(
    "usage: deno task sim [--seed N | --seeds K | --seconds S] [--folders immediate|after-sync] " +
      `[--bug ${NODE_BUGS.join("|")}] [--verbose]`,
  );
  Deno.exit(2);
}

/** What the command line changes in every run. */
interface CommandOptions {
  folders: FolderDurability | undefined;
  bug: NodeBug | undefined;
}

/** The options of a seed, with the command line's overrides. */
function adjusted(folders: FolderDurability | undefined): RunSeedOptions["adjust"] {
  if (folders === undefined) return undefined;
  return (options) => ({ ...options, crashes: { ...options.crashes, directoryDurability: folders } });
}

function summary(result: RunResult): string {
  const stats = result.stats;
  return `${stats.crashes["power-loss"]} power losses, ${stats.crashes.process} process kills, ` +
    `${stats.connectionResets} resets; ${stats.batchesSent} batches sent (${stats.batchRetries} retries), ` +
    `${stats.batchesAcknowledged} acknowledged (${stats.retriesAcknowledged} after a retry, ` +
    `${stats.duplicatesAnswered} recognised duplicates), ` +
    `${stats.newProducerIds} producer ids; ${stats.fetches} fetches, ${stats.recordsFetched} records fetched; ` +
    `${stats.recordsInLog} records in the log at the end, ${stats.requiredRecords} required to survive; ` +
    `retention deleted ${stats.segmentsDeleted} segments (${stats.recordsDeleted} records), ` +
    `${stats.clockJumps} clock jumps; ` +
    `${result.virtualMs} virtual ms`;
}

function reportFailure(result: RunResult, command: CommandOptions): void {
  console.error(`\nFAILED seed ${result.seed}: ${result.violation!.message}`);
  console.error("world log:");
  result.cluster.printLog(console.error);
  for (const line of describeOptions(result.options)) console.error(line);
  console.error(`\nFAILED seed ${result.seed}: ${result.violation!.message}`);
  console.error(`replay: ${replayCommand(result.seed, command)}`);
}

function replayCommand(seed: number, { folders, bug }: CommandOptions): string {
  return `deno task sim --seed ${seed}${folders === undefined ? "" : ` --folders ${folders}`}` +
    (bug === undefined ? "" : ` --bug ${bug}`);
}

async function runOne(
  seed: number,
  verbose: boolean,
  command: CommandOptions,
): Promise<boolean> {
  const started = performance.now();
  const result = await runSeed(seed, {
    log: verbose ? (line) => console.log(line) : undefined,
    adjust: adjusted(command.folders),
    bug: command.bug,
  });
  if (result.violation !== null) {
    reportFailure(result, command);
    return false;
  }
  console.log(`seed ${seed} passed in ${Math.round(performance.now() - started)} ms`);
  if (verbose) console.log(`  ${summary(result)}`);
  return true;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      options: {
        seed: { type: "string" },
        seeds: { type: "string" },
        seconds: { type: "string" },
        folders: { type: "string" },
        bug: { type: "string" },
        verbose: { type: "boolean", short: "v" },
      },
    }));
  } catch {
    usage();
  }
  const folders = values.folders as FolderDurability | undefined;
  if (folders !== undefined && folders !== "immediate" && folders !== "after-sync") usage();
  const bug = values.bug as NodeBug | undefined;
  if (bug !== undefined && !NODE_BUGS.includes(bug)) usage();
  const command: CommandOptions = { folders, bug };
  if (values.seed !== undefined) {
    const seed = Number(values.seed);
    if (!Number.isSafeInteger(seed) || seed < 0) usage();
    const adjust = adjusted(folders) ?? ((options: WorkloadOptions) => options);
    for (const line of describeOptions(adjust(workloadOptions(seed)))) console.log(line);
    const started = performance.now();
    const result = await runSeed(seed, { log: (line) => console.log(line), adjust, bug });
    if (result.violation !== null) {
      reportFailure(result, command);
      Deno.exit(1);
    }
    console.log(`seed ${seed} passed in ${Math.round(performance.now() - started)} ms: ${summary(result)}`);
    return;
  }
  const seedsMax = values.seeds !== undefined ? Number(values.seeds) : Infinity;
  const seconds = values.seeds !== undefined ? Infinity : Number(values.seconds ?? 60);
  if (!(seedsMax > 0) || !(seconds > 0)) usage();
  const started = performance.now();
  let runs = 0;
  const failures: number[] = [];
  while (runs < seedsMax && performance.now() - started < seconds * 1000) {
    const seed = Math.floor(Math.random() * SEED_MAX);
    const passed = await runOne(seed, values.verbose ?? false, command);
    runs++;
    if (!passed) failures.push(seed);
  }
  const elapsedMinutes = (performance.now() - started) / 60_000;
  console.log(
    `${runs} seeds in ${(elapsedMinutes * 60).toFixed(1)} s (${
      (runs / elapsedMinutes).toFixed(1)
    } seeds per minute), ` +
      `${failures.length} failed`,
  );
  for (const seed of failures) console.log(`replay: ${replayCommand(seed, command)}`);
  if (failures.length > 0) Deno.exit(1);
}

if (import.meta.main) await main();
