/**
 * Runs the Python client scripts of test/clients/: each takes one JSON request
 * on stdin and prints one JSON answer on stdout. Always the system Python,
 * where the Debian packages of confluent_kafka and kafka-python live.
 */
import { run } from "./node_process.ts";

const CLIENTS = new URL("../clients/", import.meta.url).pathname;

/** The interpreter with confluent_kafka and kafka-python installed. */
export const PYTHON = "/usr/bin/python3";

/** Sends `request` to test/clients/`script` and returns its parsed answer. */
export async function runPythonClient<T = Record<string, unknown>>(
  script: string,
  request: Record<string, unknown>,
  timeoutMs = 60000,
): Promise<T> {
  const stdout = await run(PYTHON, [`${CLIENTS}${script}`], {
    stdin: JSON.stringify(request),
    timeoutMs,
    // Keep test/clients free of __pycache__ folders.
    env: { PYTHONDONTWRITEBYTECODE: "1" },
  });
  const lastLine = stdout.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(lastLine) as T;
  } catch {
    throw new Error(`${script} printed no JSON answer:\n${stdout}`);
  }
}
