/**
 * Dafka's deterministic simulator: in-memory implementations of the I/O seam
 * (`src/io/types.ts`) driven by one seeded random source and a virtual clock,
 * with faults (crashes, restarts, partitions, connection resets, clock jumps,
 * lost and torn unsynced writes, disk errors).
 *
 * It lives under src/io/ beside the Deno implementation because it is the
 * other implementation of the same seam: it imports nothing but
 * `src/io/types.ts`, so src/ unit tests and the simulator (sim/) both build
 * on it and no import circle forms. Production code never imports it.
 *
 * A run is a `SimCluster` built from a seed; each host's `start()` returns
 * the `World` a node runs on, and `cluster.scheduler.runUntil` drives time.
 */
export { SeededRandom } from "./random.ts";
export { Incarnation, isAlive, never } from "./incarnation.ts";
export { type RunOptions, Scheduler, settle } from "./scheduler.ts";
export { SimClock, SIMULATION_EPOCH_MS, WallClock } from "./clock.ts";
export { SIM_NET_DEFAULTS, SimListener, SimNet, type SimNetOptions } from "./net.ts";
export { NetError, SimConnection } from "./net_connection.ts";
export { type DiskFaults, SIM_DISK_DEFAULTS, SimDisk, type SimDiskOptions } from "./disk.ts";
export type { DiskOperation } from "./disk_errors.ts";
export type { TearOptions } from "./disk_file.ts";
export { LogRing } from "./log_ring.ts";
export { type CrashMode, SimCluster, type SimClusterOptions, SimHost } from "./world.ts";
export { Directory } from "./disk.ts";
export { FileContent } from "./disk_file.ts";
export { ManualClock } from "./manual_clock.ts";
export { MemoryDisk } from "./memory_disk.ts";
export { PowerLossTrigger } from "./power_loss.ts";
