/**
 * A power loss at a chosen point of a run: the trigger counts a simulated
 * disk's changing operations (writes, truncations, syncs, renames, removals,
 * new folders) and, just before the chosen one, kills the process and
 * crashes the disk (unsynced writes lost or torn as the disk's options say).
 * That operation fails, and whatever the dead process tries next fails too
 * (its disk view refuses a dead incarnation).
 * Tests walk the point over every operation of a procedure (a cleaning, a
 * recovery) to show that a crash anywhere in it loses nothing durable.
 */
import type { SimDisk } from "./disk.ts";
import type { DiskOperation } from "./disk_errors.ts";
import type { Incarnation } from "./incarnation.ts";

/** Operations that change what a crash leaves; reads and opens do not. */
const CHANGING: ReadonlySet<DiskOperation> = new Set([
  "write",
  "truncate",
  "sync",
  "rename",
  "remove",
  "mkdir",
]);

export class PowerLossTrigger {
  /** Changing operations counted since the trigger was armed. */
  operations = 0;
  /** Whether the power loss has happened. */
  crashed = false;

  readonly #disarm: () => void;

  /** Arms `disk`, used by `process`, to lose power before its `at`-th changing operation from now. */
  constructor(disk: SimDisk, process: Incarnation, readonly at: number) {
    const previous = disk.faults.inject;
    this.#disarm = () => disk.faults.inject = previous;
    disk.faults.inject = (operation, path) => {
      if (CHANGING.has(operation) && ++this.operations >= this.at) {
        this.crashed = true;
        process.kill();
        disk.crash();
        // The next process on this disk (a restart) works normally.
        this.disarm();
        return "EIO";
      }
      return previous?.(operation, path) ?? null;
    };
  }

  /** Takes the trigger off the disk (the procedure ended before the chosen operation). */
  disarm(): void {
    this.#disarm();
  }
}
