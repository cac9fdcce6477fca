/** What the simulator's clients treat as the network failing rather than the node. */

/** Errors of the network (resets, refused connects, timeouts), which clients retry. */
export function isNetError(error: unknown): boolean {
  return error instanceof Error && (error.name === "NetError" || error.name === "ClientClosedError");
}
