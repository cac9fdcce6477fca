/**
 * The command-line tools: dump-log and the example cluster.
 *
 * This file is the folder's public face: other folders import from it, not from its files.
 */
export { type NodeProcessHandle, runCluster } from "./cluster_command.ts";
export { runDumpLog } from "./dump_log_command.ts";
