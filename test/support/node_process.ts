/**
 * Runs a real Dafka node process for tests: on a free port, in a fresh folder,
 * started with Kafka's `--override` settings, waited on until it accepts
 * connections (with a bound), stopped cleanly or with kill -9.
 */

const ROOT = new URL("../../", import.meta.url).pathname;

/** A port that was free a moment ago. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function canConnect(hostname: string, port: number): Promise<boolean> {
  try {
    const connection = await Deno.connect({ hostname, port });
    connection.close();
    return true;
  } catch {
    return false;
  }
}

/** Polls `condition` every 50 ms until it holds or `timeoutMs` passes. */
export async function waitFor(
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export interface NodeOptions {
  port?: number;
  logDir?: string;
  overrides?: Record<string, string>;
  /** The address the node listens on and is reached at (127.0.0.1 unless told). */
  host?: string;
  /** Words run before `deno run ...`, e.g. `ip netns exec <ns>` to start the node in a network namespace. */
  commandPrefix?: string[];
}

export class NodeProcess {
  readonly port: number;
  readonly logDir: string;
  readonly overrides: Record<string, string>;
  readonly host: string;
  readonly commandPrefix: readonly string[];
  #child: Deno.ChildProcess | null = null;
  #stderr: Promise<string> | null = null;
  #exited = false;

  constructor(options: NodeOptions = {}) {
    this.port = options.port ?? freePort();
    this.logDir = options.logDir ?? Deno.makeTempDirSync({ prefix: "dafka-test-" });
    this.overrides = options.overrides ?? {};
    this.host = options.host ?? "127.0.0.1";
    this.commandPrefix = options.commandPrefix ?? [];
  }

  /** The process id while running. */
  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  /** Whether the process was started and has not exited (or been stopped) since. */
  get running(): boolean {
    return this.#child !== null && !this.#exited;
  }

  get bootstrap(): string {
    return `${this.host}:${this.port}`;
  }

  /** Starts the node and waits until it accepts connections. */
  async start(): Promise<this> {
    const settings: Record<string, string> = {
      "listeners": `PLAINTEXT://${this.host}:${this.port}`,
      "log.dirs": this.logDir,
      ...this.overrides,
    };
    const [command, ...prefixArgs] = [...this.commandPrefix, Deno.execPath()];
    const args = [...prefixArgs, "run", "--allow-all", `${ROOT}src/main.ts`];
    for (const [key, value] of Object.entries(settings)) args.push("--override", `${key}=${value}`);
    this.#child = new Deno.Command(command!, { args, stdout: "null", stderr: "piped", cwd: ROOT })
      .spawn();
    this.#stderr = new Response(this.#child.stderr).text();
    const child = this.#child;
    this.#exited = false;
    child.status.then(() => {
      if (this.#child === child) this.#exited = true;
    });
    try {
      await waitFor(
        async () => this.#exited || await canConnect(this.host, this.port),
        30000,
        `node on ${this.host}:${this.port}`,
      );
    } catch (error) {
      // A node that never listened must not outlive the test that started it.
      throw new Error(`${(error as Error).message}:\n${await this.kill()}`, { cause: error });
    }
    if (this.#exited) throw new Error(`node exited during start-up:\n${await this.#stderr}`);
    return this;
  }

  /** kill -9: no clean shutdown. Returns what the node wrote to stderr. */
  async kill(): Promise<string> {
    if (!this.#child) return "";
    const child = this.#child;
    try {
      child.kill("SIGKILL");
    } catch {
      // It has exited already.
    }
    await child.status;
    const output = await this.#stderr!;
    this.#child = null;
    return output;
  }

  /** SIGTERM, then waits for the clean shutdown. */
  async stop(): Promise<string> {
    if (!this.#child) return "";
    const child = this.#child;
    try {
      child.kill("SIGTERM");
    } catch {
      // It has exited already.
    }
    await child.status;
    const output = await this.#stderr!;
    this.#child = null;
    return output;
  }

  /** Stops the node and deletes its folder. */
  async dispose(): Promise<string> {
    const output = await this.kill();
    Deno.removeSync(this.logDir, { recursive: true });
    return output;
  }
}

function killQuietly(child: Deno.ChildProcess): void {
  try {
    child.kill("SIGKILL");
  } catch {
    // It has exited already.
  }
}

/** Writes all of `input` to the child's stdin and closes it; a child that exits without reading it is no error. */
async function writeStdin(child: Deno.ChildProcess, input: Uint8Array | string): Promise<void> {
  const writer = child.stdin.getWriter();
  try {
    await writer.write(typeof input === "string" ? new TextEncoder().encode(input) : input);
    await writer.close();
  } catch {
    // Broken pipe: the child's exit status and stderr say why.
  }
}

/** Runs a command to completion; returns stdout, throws with stderr on failure. */
export async function run(
  command: string,
  args: string[],
  options: { stdin?: Uint8Array | string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<string> {
  const child = new Deno.Command(command, {
    args,
    stdin: options.stdin !== undefined ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
    env: options.env,
  }).spawn();
  const timer = setTimeout(() => killQuietly(child), options.timeoutMs ?? 60000);
  let output: Deno.CommandOutput;
  try {
    if (options.stdin !== undefined) await writeStdin(child, options.stdin);
    output = await child.output();
  } finally {
    // Also on a failure: no timer and no child outlive the test.
    clearTimeout(timer);
  }
  const stdout = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    throw new Error(
      `${command} ${args.join(" ")} failed (${output.code}):\n${
        new TextDecoder().decode(output.stderr)
      }\n${stdout}`,
    );
  }
  return stdout;
}
