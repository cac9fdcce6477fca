/**
 * Network namespaces for tests that cut a node off the network: one
 * namespace per node, each with an `eth0` joined by a veth pair to a
 * bridge in a namespace of its own, on a private /24 (10.213.x.0). The root
 * namespace gets one more veth into the bridge so that the test process and
 * the clients it runs reach every node directly. Names carry the test's
 * pid, so parallel runs do not collide; `dispose` removes everything, and
 * is safe to call after a half-finished `create`.
 */
import { run } from "./node_process.ts";

export const IP = "/usr/sbin/ip";

/** Whether this machine lets us create a network namespace; the reason when it does not. */
export async function probeNamespaces(): Promise<{ available: boolean; reason: string }> {
  const name = `dafka-${Deno.pid}-probe`;
  try {
    await run(IP, ["netns", "add", name], { timeoutMs: 10000 });
  } catch (error) {
    return { available: false, reason: `\`ip netns add\` failed: ${(error as Error).message.trim()}` };
  }
  await run(IP, ["netns", "del", name], { timeoutMs: 10000 }).catch(() => {});
  return { available: true, reason: "" };
}

export interface Namespace {
  /** The namespace's name, for `ip netns exec`. */
  name: string;
  /** Its address on the bridge. */
  address: string;
}

export class NamespaceNet {
  readonly namespaces: Namespace[];
  readonly #tag: string;
  readonly #bridgeNs: string;
  readonly #subnet: string;
  readonly #rootLink: string;

  private constructor(count: number, subnet: number) {
    this.#tag = `dk${Deno.pid}`;
    this.#bridgeNs = `dafka-${Deno.pid}-br`;
    this.#subnet = `10.213.${subnet}`;
    this.#rootLink = `${this.#tag}r`;
    this.namespaces = Array.from({ length: count }, (_, index) => ({
      name: `dafka-${Deno.pid}-n${index + 1}`,
      address: `${this.#subnet}.${index + 1}`,
    }));
  }

  /** Builds `count` namespaces on a /24 that the root namespace does not route yet. */
  static async create(count: number): Promise<NamespaceNet> {
    const routes = await run(IP, ["-4", "route", "show"]);
    // The pid picks the subnet, so that parallel runs differ; skip any already routed here.
    let subnet = Deno.pid % 250 + 1;
    while (routes.includes(`10.213.${subnet}.`)) subnet = subnet % 250 + 1;
    const net = new NamespaceNet(count, subnet);
    try {
      await net.#build();
    } catch (error) {
      await net.dispose();
      throw error;
    }
    return net;
  }

  /** The root namespace's address on the bridge. */
  get rootAddress(): string {
    return `${this.#subnet}.254`;
  }

  /** The words that run a command inside namespace `index`. */
  execPrefix(index: number): string[] {
    return [IP, "netns", "exec", this.namespaces[index]!.name];
  }

  /** Takes namespace `index`'s only interface down: its node keeps running, but reaches no one. */
  async cut(index: number): Promise<void> {
    await ip("-n", this.namespaces[index]!.name, "link", "set", "eth0", "down");
  }

  /** Brings namespace `index`'s interface back up (its address stays; the route returns with the link). */
  async restore(index: number): Promise<void> {
    await ip("-n", this.namespaces[index]!.name, "link", "set", "eth0", "up");
  }

  async #build(): Promise<void> {
    const bridge = this.#bridgeNs;
    await ip("netns", "add", bridge);
    await ip("-n", bridge, "link", "set", "lo", "up");
    await ip("-n", bridge, "link", "add", "br0", "type", "bridge");
    await ip("-n", bridge, "link", "set", "br0", "up");
    for (const [index, namespace] of this.namespaces.entries()) {
      const port = `${this.#tag}b${index + 1}`;
      await ip("netns", "add", namespace.name);
      await ip("-n", namespace.name, "link", "set", "lo", "up");
      // Created inside the bridge's namespace, the peer moved straight into the node's.
      await ip(
        "-n",
        bridge,
        "link",
        "add",
        port,
        "type",
        "veth",
        "peer",
        "name",
        "eth0",
        "netns",
        namespace.name,
      );
      await ip("-n", bridge, "link", "set", port, "master", "br0", "up");
      await ip("-n", namespace.name, "addr", "add", `${namespace.address}/24`, "dev", "eth0");
      await ip("-n", namespace.name, "link", "set", "eth0", "up");
    }
    const rootPort = `${this.#tag}rb`;
    await ip("link", "add", this.#rootLink, "type", "veth", "peer", "name", rootPort, "netns", bridge);
    await ip("-n", bridge, "link", "set", rootPort, "master", "br0", "up");
    await ip("addr", "add", `${this.rootAddress}/24`, "dev", this.#rootLink);
    await ip("link", "set", this.#rootLink, "up");
  }

  /** Deletes the root veth and every namespace (their veths and the bridge go with them). */
  async dispose(): Promise<void> {
    const failures: string[] = [];
    const attempt = async (...args: string[]) => {
      try {
        await ip(...args);
      } catch (error) {
        const message = (error as Error).message;
        // What a half-finished create never made is no failure.
        if (!/Cannot find device|No such file|does not exist|Cannot open network namespace/.test(message)) {
          failures.push(message);
        }
      }
    };
    await attempt("link", "del", this.#rootLink);
    for (const namespace of this.namespaces) await attempt("netns", "del", namespace.name);
    await attempt("netns", "del", this.#bridgeNs);
    if (failures.length > 0) throw new Error(`cleaning up the namespaces:\n${failures.join("\n")}`);
  }
}

async function ip(...args: string[]): Promise<string> {
  return await run(IP, args, { timeoutMs: 10000 });
}
