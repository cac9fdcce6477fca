/**
 * The `dafka` command.
 *
 *   dafka [server.properties] [--override key=value ...]
 *
 * starts a node the way `kafka-server-start.sh` does. Without a properties
 * file, the node runs on an embedded default: a single node with broker and
 * controller roles on 127.0.0.1:9092, its data in ./dafka-data.
 *
 *   dafka dump-log --files a.log,b.index [--print-data-log] [--verify]
 *
 * prints segments, indexes and producer snapshots as kafka-dump-log.sh does.
 */
import { BrokerConfig } from "./config/broker_config.ts";
import { parseArguments } from "./config/command_line.ts";
import { ConfigError } from "./config/config_types.ts";
import { denoWorld } from "./io/mod.ts";
import { startNode } from "./server/node.ts";
import { runDumpLog } from "./tools/dump_log_command.ts";

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
  let config: BrokerConfig;
  try {
    config = new BrokerConfig(parseArguments(Deno.args, (path) => Deno.readTextFileSync(path)));
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
