/** The I/O seam: interfaces, and the Deno implementation. */
export * from "./types.ts";
export { denoWorld } from "./deno_io.ts";
