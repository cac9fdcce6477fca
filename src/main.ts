/**
 * The `dafka` command.
 *
 *   dafka [server.properties] [--override key=value ...]
 *
 * starts a node the way `kafka-server-start.sh` does. Without a properties
 * file, the node runs on an embedded default: a single node with broker and
 * controller roles on 127.0.0.1:9092, its data in ./dafka-data.
 *
 *   dafka cluster [node-1.properties node-2.properties ...]
 *
 * starts one node process per file (by default the three-node example
 * cluster of config/cluster/) and stops them together.
 *
 *   dafka dump-log --files a.log,b.index [--print-data-log] [--verify]
 *
 * prints segments, indexes and producer snapshots as kafka-dump-log.sh does.
 */
import { BrokerConfig, ConfigError, parseArguments, quorumConfigOf } from "./config/mod.ts";
import { denoWorld } from "./io/mod.ts";
import { startNode } from "./server/mod.ts";
import { type NodeProcessHandle, runCluster, runDumpLog } from "./tools/mod.ts";

/** Starts `dafka <propertiesFile>` as a child process, passing its output lines on. */
function startNodeProcess(propertiesFile: string, line: (text: string) => void): NodeProcessHandle {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", new URL(import.meta.url).pathname, propertiesFile],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    let pending = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const text of lines) line(text);
    }
    if (pending !== "") line(pending);
  };
  const output = Promise.all([pump(child.stdout), pump(child.stderr)]);
  return {
    exited: output.then(() => child.status).then((status) => status.code),
    stop: () => {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
    },
  };
}

async function main(): Promise<void> {
  if (Deno.args[0] === "dump-log") {
    const readFile = (path: string) => {
      try {
        return Deno.readFileSync(path);
      } catch {
        return null;
      }
    };
    Deno.exit(runDumpLog(Deno.args.slice(1), { readFile, print: (line) => console.log(line) }));
  }
  if (Deno.args[0] === "cluster") {
    Deno.exit(
      await runCluster(Deno.args.slice(1), {
        startNode: startNodeProcess,
        print: (line) => console.log(line),
        onStop: (handler) => {
          Deno.addSignalListener("SIGINT", handler);
          Deno.addSignalListener("SIGTERM", handler);
        },
      }),
    );
  }
  let config: BrokerConfig;
  try {
    config = new BrokerConfig(parseArguments(Deno.args, (path) => Deno.readTextFileSync(path)));
    quorumConfigOf(config);
  } catch (error) {
    console.error(
      error instanceof ConfigError ? `dafka: ${error.message}` : `dafka: ${(error as Error).message}`,
    );
    Deno.exit(1);
  }
  for (const warning of config.warnings) console.error(`WARN ${warning}`);
  const node = await startNode(denoWorld(), config);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await node.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}

if (import.meta.main) await main();
