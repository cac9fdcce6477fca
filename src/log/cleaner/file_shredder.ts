/**
 * Removes the `.deleted` files a swap leaves, a slice per cleaning step.
 *
 * Unlinking a large synced file frees all its extents at once, which takes
 * about a millisecond per MiB on ext4 (a 1 GiB segment would stall the event
 * loop for a second). Kafka removes files on a background thread; Dafka's
 * Disk is synchronous, so the shredder cuts each file down by a bounded
 * number of bytes per step and unlinks it once empty. A crash midway leaves a
 * shorter `.deleted` file, which start-up removes like any other.
 */
import type { Disk, FileHandle } from "../../io/mod.ts";

/** A file waiting to be removed, and its handle once opened. */
interface PendingFile {
  path: string;
  handle: FileHandle | null;
}

export class FileShredder {
  readonly #disk: Disk;
  readonly #pending: PendingFile[] = [];

  constructor(disk: Disk) {
    this.#disk = disk;
  }

  /** Files still to remove. */
  get pendingCount(): number {
    return this.#pending.length;
  }

  /** Queues files (no longer part of any log) for removal. */
  add(paths: readonly string[]): void {
    for (const path of paths) this.#pending.push({ path, handle: null });
  }

  /** Cuts or removes up to `maxBytes` of pending files (at least one operation); returns the bytes freed. */
  step(maxBytes: number): number {
    let freed = 0;
    while (this.#pending.length > 0 && (freed === 0 || freed < maxBytes)) {
      const file = this.#pending[0]!;
      if (file.handle === null) {
        if (!this.#disk.exists(file.path)) {
          this.#pending.shift();
          continue;
        }
        file.handle = this.#disk.open(file.path);
      }
      const size = file.handle.size();
      const cut = Math.min(size, Math.max(1, maxBytes - freed));
      if (cut < size) {
        file.handle.truncate(size - cut);
      } else {
        file.handle.close();
        this.#disk.remove(file.path);
        this.#pending.shift();
      }
      freed += Math.max(cut, 1);
    }
    return freed;
  }

  /** Closes the open handles; the files left are removed at the next start-up. */
  close(): void {
    for (const file of this.#pending) file.handle?.close();
    this.#pending.length = 0;
  }
}
