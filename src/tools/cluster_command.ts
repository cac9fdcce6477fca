/**
 * `dafka cluster [properties files...]`: starts one node process per
 * properties file (by default the three of `config/cluster/`), prefixes
 * each line they print with the node's file name, and stops them all when
 * it is stopped. Each node is an ordinary `dafka <file>`: the same three
 * commands can be run by hand in three terminals instead, and any one of
 * them killed and restarted.
 */

/** A started node process. */
export interface NodeProcessHandle {
  /** Resolves with the exit code. */
  exited: Promise<number>;
  stop(): void;
}

export interface ClusterCommandIo {
  /** Starts `dafka <propertiesFile>`, calling `line` for each line it prints. */
  startNode(propertiesFile: string, line: (text: string) => void): NodeProcessHandle;
  print(line: string): void;
  /** Calls `handler` once when the user asks to stop (Ctrl-C, SIGTERM). */
  onStop(handler: () => void): void;
}

export const DEFAULT_CLUSTER_FILES = [
  "config/cluster/node-1.properties",
  "config/cluster/node-2.properties",
  "config/cluster/node-3.properties",
];

/** Runs the cluster until every node has exited; resolves with the highest exit code. */
export async function runCluster(args: string[], io: ClusterCommandIo): Promise<number> {
  const files = args.length > 0 ? args : DEFAULT_CLUSTER_FILES;
  const nodes = files.map((file) => {
    const label = file.replace(/^.*\//, "").replace(/\.properties$/, "");
    return io.startNode(file, (text) => io.print(`[${label}] ${text}`));
  });
  io.onStop(() => {
    for (const node of nodes) node.stop();
  });
  io.print(`started ${nodes.length} nodes from ${files.join(", ")}; Ctrl-C stops them all`);
  const codes = await Promise.all(nodes.map((node) => node.exited));
  return Math.max(0, ...codes);
}
