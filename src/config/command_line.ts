/**
 * The command line of `dafka`, as `kafka-server-start.sh` reads it:
 * an optional properties file, then `--override key=value` pairs.
 */
import { EMBEDDED_DEFAULTS, parseProperties } from "./broker_config.ts";

export const USAGE = "usage: dafka [server.properties] [--override key=value ...]";

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
