/**
 * The `dafka` command.
 *
 *   dafka [server.properties] [--override key=value ...]
 *
 * starts a node the way `kafka-server-start.sh` does. Without a properties
 * file, the node runs on an embedded default: a single node with broker and
 * controller roles on 127.0.0.1:9092, its data in ./dafka-data.
 */
import { BrokerConfig, EMBEDDED_DEFAULTS, parseProperties } from "./config/broker_config.ts";
import { ConfigError } from "./config/config_types.ts";
import { denoWorld } from "./io/mod.ts";
import { startNode } from "./server/node.ts";

const USAGE = "usage: dafka [server.properties] [--override key=value ...]";

/** Parses the command line into the given configuration entries. */
export function parseArguments(args: string[], readFile: (path: string) => string): Map<string, string> {
  const given = new Map<string, string>();
  const overrides = new Map<string, string>();
  let propertiesFile: string | null = null;
  for (let index = 0; index < args.length; index++) {
    const argument = args[index]!;
    if (argument === "--override") {
      const pair = args[++index];
      const equals = pair?.indexOf("=") ?? -1;
      if (!pair || equals <= 0) throw new Error(`--override needs key=value. ${USAGE}`);
      overrides.set(pair.slice(0, equals).trim(), pair.slice(equals + 1).trim());
    } else if (argument.startsWith("--override=")) {
      const pair = argument.slice("--override=".length);
      const equals = pair.indexOf("=");
      if (equals <= 0) throw new Error(`--override needs key=value. ${USAGE}`);
      overrides.set(pair.slice(0, equals).trim(), pair.slice(equals + 1).trim());
    } else if (argument === "--help" || argument === "-h") {
      throw new Error(USAGE);
    } else if (propertiesFile === null && !argument.startsWith("-")) {
      propertiesFile = argument;
    } else {
      throw new Error(`unexpected argument ${argument}. ${USAGE}`);
    }
  }
  if (propertiesFile === null) {
    for (const [key, value] of Object.entries(EMBEDDED_DEFAULTS)) given.set(key, value);
  } else {
    for (const [key, value] of parseProperties(readFile(propertiesFile))) given.set(key, value);
  }
  for (const [key, value] of overrides) given.set(key, value);
  return given;
}

async function main(): Promise<void> {
  let config: BrokerConfig;
  try {
    config = new BrokerConfig(parseArguments(Deno.args, (path) => Deno.readTextFileSync(path)));
  } catch (error) {
    console.error(error instanceof ConfigError ? `dafka: ${error.message}` : `dafka: ${(error as Error).message}`);
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
