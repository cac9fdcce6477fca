/**
 * The `dafka` command.
 *
 *   dafka [server.properties] [--override key=value ...]
 *
 * starts a node the way `kafka-server-start.sh` does. Without a properties
 * file, the node runs on an embedded default: a single node with broker and
 * controller roles on 127.0.0.1:9092, its data in ./dafka-data.
 */
import { BrokerConfig } from "./config/broker_config.ts";
import { parseArguments } from "./config/command_line.ts";
import { ConfigError } from "./config/config_types.ts";
import { denoWorld } from "./io/mod.ts";
import { startNode } from "./server/node.ts";

async function main(): Promise<void> {
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
