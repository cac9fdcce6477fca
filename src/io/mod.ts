/** The I/O seam: interfaces, and the Deno implementation. */
export * from "./types.ts";
export { denoWorld } from "./deno_io.ts";
export { DenoClock, DenoDisk, DenoNet } from "./deno_io.ts";
export {
  type Clock,
  type Connection,
  type Disk,
  DiskError,
  type FileHandle,
  type Listener,
  type Net,
  type Random,
  type Timer,
  type World,
} from "./types.ts";
