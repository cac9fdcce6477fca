/**
 * The command line of `dafka dump-log`, as `kafka-dump-log.sh` takes it:
 *
 *   dafka dump-log --files a.log,b.index [--print-data-log] [--verify]
 *
 * File access comes in as functions so that the command is testable
 * without a file system.
 */
import {
  dumpOffsetIndex,
  type DumpOptions,
  type DumpResult,
  dumpSegment,
  dumpSnapshot,
  dumpTimeIndex,
} from "./dump_log.ts";

export const DUMP_LOG_USAGE =
  "usage: dafka dump-log --files <file>[,<file>...] [--print-data-log] [--verify]";

export interface DumpLogIo {
  readFile(path: string): Uint8Array | null;
  print(line: string): void;
}

/** Runs the command; returns the exit code (1 when a file is missing or --verify found problems). */
export function runDumpLog(args: string[], io: DumpLogIo): number {
  const options: DumpOptions = { printData: false, verify: false };
  let files: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const argument = args[index]!;
    if (argument === "--files") files = (args[++index] ?? "").split(",").filter((file) => file !== "");
    else if (argument.startsWith("--files=")) {
      files = argument.slice(8).split(",").filter((file) => file !== "");
    } else if (argument === "--print-data-log" || argument === "--deep-iteration") options.printData = true;
    else if (
      argument === "--verify" || argument === "--index-sanity-check" || argument === "--verify-index-only"
    ) {
      options.verify = true;
    } else {
      io.print(`unknown argument ${argument}. ${DUMP_LOG_USAGE}`);
      return 2;
    }
  }
  if (files.length === 0) {
    io.print(DUMP_LOG_USAGE);
    return 2;
  }
  let failed = false;
  for (const file of files) {
    const bytes = io.readFile(file);
    if (bytes === null) {
      io.print(`${file}: no such file`);
      failed = true;
      continue;
    }
    const result = dumpFile(file, bytes, options, io);
    for (const line of result.lines) io.print(line);
    for (const problem of result.problems) io.print(`PROBLEM ${file}: ${problem}`);
    if (options.verify && result.problems.length > 0) failed = true;
  }
  return failed ? 1 : 0;
}

function dumpFile(file: string, bytes: Uint8Array, options: DumpOptions, io: DumpLogIo): DumpResult {
  const name = file.split("/").at(-1)!;
  const segmentOf = () => io.readFile(file.replace(/\.(time)?index$/, ".log"));
  if (file.endsWith(".log")) return dumpSegment(name, bytes, options);
  if (file.endsWith(".timeindex")) {
    return dumpTimeIndex(name, bytes, options.verify ? segmentOf() : null, options);
  }
  if (file.endsWith(".index")) {
    return dumpOffsetIndex(name, bytes, options.verify ? segmentOf() : null, options);
  }
  if (file.endsWith(".snapshot")) return dumpSnapshot(name, bytes);
  return { lines: [`Ignoring ${name}: not a .log, .index, .timeindex or .snapshot file`], problems: [] };
}
