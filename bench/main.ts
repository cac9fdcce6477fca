/**
 * `deno task bench`: produce then consume N records of 100 B and of 1 KiB
 * with kcat (librdkafka), against Dafka and, in the same run with the same
 * client, against librdkafka's in-memory mock broker (the ceiling set by the
 * client). Reports records/s, MB/s, Dafka's peak RSS and its start-up time.
 *
 *   deno task bench [--records 1000000]
 */
import { NodeProcess } from "../test/support/node_process.ts";
import { benchReplication, printReplication } from "./replication.ts";

const args = Deno.args;
const recordsIndex = args.indexOf("--records");
const RECORDS = recordsIndex >= 0 ? Number(args[recordsIndex + 1]) : 1_000_000;
const SIZES = [100, 1024];
/** Each measurement is repeated and the fastest run kept, to damp noise from the shared 2-core machine. */
const REPEATS = 3;

interface Result {
  target: string;
  size: number;
  produceSeconds: number;
  consumeSeconds: number;
}

function payloadFile(directory: string, size: number): string {
  return payloadFileOf(directory, size, RECORDS);
}

/** A file of `records` lines of `size` bytes (newline included), for kcat -l. */
function payloadFileOf(directory: string, size: number, records: number): string {
  const RECORDS = records;
  const path = `${directory}/payload-${size}-${records}.txt`;
  const line = new TextEncoder().encode("x".repeat(size - 1) + "\n");
  const chunkLines = 10000;
  const chunk = new Uint8Array(line.length * chunkLines);
  for (let index = 0; index < chunkLines; index++) chunk.set(line, index * line.length);
  const file = Deno.openSync(path, { write: true, create: true, truncate: true });
  for (let written = 0; written < RECORDS; written += chunkLines) {
    file.writeSync(
      written + chunkLines <= RECORDS ? chunk : chunk.subarray(0, (RECORDS - written) * line.length),
    );
  }
  file.close();
  return path;
}

async function timed(command: string, args: string[]): Promise<number> {
  const start = performance.now();
  const output = await new Deno.Command(command, { args, stdout: "null", stderr: "piped" }).output();
  if (!output.success) throw new Error(`${command} failed: ${new TextDecoder().decode(output.stderr)}`);
  return (performance.now() - start) / 1000;
}

async function measure(target: string, bootstrap: string, size: number, file: string): Promise<Result> {
  const runs: Result[] = [];
  for (let attempt = 0; attempt < REPEATS; attempt++) {
    runs.push(await measureOnce(target, bootstrap, size, file, attempt));
  }
  return {
    target,
    size,
    produceSeconds: Math.min(...runs.map((run) => run.produceSeconds)),
    consumeSeconds: Math.min(...runs.map((run) => run.consumeSeconds)),
  };
}

async function measureOnce(
  target: string,
  bootstrap: string,
  size: number,
  file: string,
  attempt: number,
): Promise<Result> {
  const topic = `bench-${size}-${attempt}`;
  const common = ["-b", bootstrap, "-t", topic, "-X", "topic.metadata.refresh.interval.ms=600000"];
  const produceSeconds = await timed("kcat", [
    "-P",
    ...common,
    "-l",
    "-X",
    "linger.ms=5",
    "-X",
    "batch.size=1000000",
    "-X",
    "queue.buffering.max.messages=1000000",
    file,
  ]);
  const consumeSeconds = await timed("kcat", [
    "-C",
    ...common,
    "-o",
    "beginning",
    "-e",
    "-q",
    "-c",
    String(RECORDS),
    "-f",
    "%o\n",
  ]);
  return { target, size, produceSeconds, consumeSeconds };
}

async function startMock(): Promise<{ bootstrap: string; stop: () => Promise<void> }> {
  const child = new Deno.Command("/usr/bin/python3", {
    args: [new URL("./mock_cluster.py", import.meta.url).pathname],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("mock cluster did not start");
    text += value;
  }
  reader.releaseLock();
  return {
    bootstrap: text.trim(),
    stop: async () => {
      await child.stdin.close();
      await child.status;
    },
  };
}

function rssMegabytes(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Records per run of the replication bench (it produces on four logs per record: one node, three replicas). */
const REPLICATION_RECORDS = Math.min(RECORDS, 300_000);

async function main(): Promise<void> {
  const directory = Deno.makeTempDirSync({ prefix: "dafka-bench-" });
  if (args.includes("--replication-only")) {
    const records = recordsIndex >= 0 ? RECORDS : REPLICATION_RECORDS;
    try {
      printReplication(await benchReplication(directory, payloadFileOf(directory, 100, records), records));
    } finally {
      Deno.removeSync(directory, { recursive: true });
    }
    return;
  }
  const files = new Map(SIZES.map((size) => [size, payloadFile(directory, size)]));
  const results: Result[] = [];
  const diskSeconds = await timed("dd", [
    "if=/dev/zero",
    `of=${directory}/dd-test`,
    "bs=1M",
    `count=${Math.round(RECORDS * 1024 / 1e6)}`,
  ]);
  Deno.removeSync(`${directory}/dd-test`);

  const mock = await startMock();
  for (const size of SIZES) {
    results.push(await measure("librdkafka mock", mock.bootstrap, size, files.get(size)!));
  }
  await mock.stop();

  const node = new NodeProcess({ logDir: `${directory}/dafka` });
  const startedAt = performance.now();
  await node.start();
  const startupMs = performance.now() - startedAt;
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMegabytes(node.pid!))), 100);
  for (const size of SIZES) results.push(await measure("Dafka", node.bootstrap, size, files.get(size)!));
  clearInterval(sampler);
  await node.stop();
  const replication = await benchReplication(
    directory,
    payloadFileOf(directory, 100, REPLICATION_RECORDS),
    REPLICATION_RECORDS,
  );
  Deno.removeSync(directory, { recursive: true });

  console.log(`records per run: ${RECORDS}`);
  console.log("| target | record size | produce rec/s | produce MB/s | consume rec/s | consume MB/s |");
  console.log("|---|---|---|---|---|---|");
  for (const result of results) {
    const megabytes = (RECORDS * result.size) / 1e6;
    console.log(
      `| ${result.target} | ${result.size} B | ${Math.round(RECORDS / result.produceSeconds)} | ${
        (megabytes / result.produceSeconds).toFixed(1)
      } | ${Math.round(RECORDS / result.consumeSeconds)} | ${
        (megabytes / result.consumeSeconds).toFixed(1)
      } |`,
    );
  }
  for (const size of SIZES) {
    const mockResult = results.find((result) => result.target !== "Dafka" && result.size === size)!;
    const dafka = results.find((result) => result.target === "Dafka" && result.size === size)!;
    console.log(
      `${size} B: Dafka produce = ${
        (mockResult.produceSeconds / dafka.produceSeconds).toFixed(2)
      } of the mock ceiling, consume = ${
        (mockResult.consumeSeconds / dafka.consumeSeconds).toFixed(2)
      } of the mock ceiling`,
    );
  }
  console.log(
    `page-cache write ceiling of this machine (dd, 1 MiB blocks): ${
      ((RECORDS * 1024) / 1e6 / diskSeconds).toFixed(0)
    } MB/s`,
  );
  console.log(`Dafka peak RSS: ${peakRss.toFixed(0)} MB; listening ${startupMs.toFixed(0)} ms after spawn`);
  printReplication(replication);
}

await main();
