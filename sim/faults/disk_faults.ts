/**
 * The disk scenario's faults on the node's simulated disk: EIO on writes
 * (and truncations and renames), reads and syncs at seed-chosen rates, and a
 * disk that fills up and gets space back. They hit the partitions' files
 * and the checkpoints, never the metadata log (its failure stops the node,
 * which is not what the scenario checks). Faults can be suspended while the
 * run checks the files or restarts the node.
 */
import type { DiskOperation, SeededRandom, SimDisk } from "../../src/io/sim/mod.ts";

/** How often the disk fails, per operation, while faults are on. */
export interface DiskFaultRates {
  writeErrorProbability: number;
  readErrorProbability: number;
  syncErrorProbability: number;
  /** Chance, per round, that the disk fills up (and, per round while full, that space comes back). */
  diskFullProbability: number;
}

/** Space left when the disk fills up: at most this many bytes beyond what is used. */
const SPACE_LEFT_MAX_BYTES = 3000;

export class DiskFaultInjector {
  #on = false;

  constructor(
    private readonly disk: SimDisk,
    private readonly random: SeededRandom,
    private readonly rates: DiskFaultRates,
  ) {
    disk.faults.inject = (operation, path) => this.#fault(operation, path);
  }

  /** Turns the I/O errors on or off (a full disk stays as it is). */
  set on(on: boolean) {
    this.#on = on;
  }

  get on(): boolean {
    return this.#on;
  }

  /** Between rounds: a full disk may get its space back, a disk with space may fill up (draws from `random`). */
  maybeFillDisk(random: SeededRandom): void {
    const faults = this.disk.faults;
    if (faults.capacityBytes !== Infinity) {
      if (random.chance(0.2)) faults.capacityBytes = Infinity;
    } else if (random.chance(this.rates.diskFullProbability)) {
      faults.capacityBytes = this.disk.usedBytes() + random.int(SPACE_LEFT_MAX_BYTES);
    }
  }

  /** Suspends every fault (errors and a full disk); the function returned puts them back as they were. */
  suspend(): () => void {
    const wasOn = this.#on;
    const capacity = this.disk.faults.capacityBytes;
    this.#on = false;
    this.disk.faults.capacityBytes = Infinity;
    return () => {
      this.disk.faults.capacityBytes = capacity;
      this.#on = wasOn;
    };
  }

  /** Ends the faults for good. */
  clear(): void {
    this.#on = false;
    this.disk.faults.capacityBytes = Infinity;
  }

  #fault(operation: DiskOperation, path: string): string | null {
    if (!this.#on || path.includes("__cluster_metadata")) return null;
    const probability = operation === "write" || operation === "truncate" || operation === "rename"
      ? this.rates.writeErrorProbability
      : operation === "read"
      ? this.rates.readErrorProbability
      : operation === "sync"
      ? this.rates.syncErrorProbability
      : 0;
    return this.random.chance(probability) ? "EIO" : null;
  }
}
