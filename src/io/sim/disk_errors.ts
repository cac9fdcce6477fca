/** The simulated disk's failures, shared by the disk and its views. */
import { DiskError } from "../types.ts";

/** The kinds of operation a fault can hit. */
export type DiskOperation = "open" | "read" | "write" | "truncate" | "sync" | "rename" | "remove" | "mkdir";

/** Throws a `DiskError` with a POSIX-style code. */
export function fail(code: string, what: string, path: string): never {
  throw new DiskError(`${code}: ${what} '${path}'`, code);
}
