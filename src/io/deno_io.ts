/**
 * The production implementation of the seam, on Deno's APIs.
 */
import {
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

/** The real clock. */
export class DenoClock implements Clock {
  nowMs(): number {
    return Date.now();
  }
  monotonicMs(): number {
    return performance.now();
  }
  setTimer(delayMs: number, callback: () => void): Timer {
    const id = setTimeout(callback, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(id) };
  }
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, delayMs)));
  }
}

/** Randomness from the operating system. */
export class DenoRandom implements Random {
  next(): number {
    return Math.random();
  }
  int(bound: number): number {
    return Math.floor(Math.random() * bound);
  }
  fill(bytes: Uint8Array): void {
    crypto.getRandomValues(bytes);
  }
}

class DenoConnection implements Connection {
  readonly remote: string;
  #closed = false;
  constructor(private readonly conn: Deno.TcpConn) {
    const address = conn.remoteAddr;
    this.remote = `${address.hostname}:${address.port}`;
    conn.setNoDelay(true);
  }
  async read(buffer: Uint8Array): Promise<number | null> {
    try {
      return await this.conn.read(buffer);
    } catch {
      return null;
    }
  }
  async write(bytes: Uint8Array): Promise<void> {
    let written = 0;
    while (written < bytes.length) {
      written += await this.conn.write(bytes.subarray(written));
    }
  }
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.conn.close();
    } catch {
      // Already closed by the peer.
    }
  }
}

class DenoListener implements Listener {
  readonly host: string;
  readonly port: number;
  constructor(private readonly listener: Deno.TcpListener) {
    const address = listener.addr;
    this.host = address.hostname;
    this.port = address.port;
  }
  async accept(): Promise<Connection | null> {
    while (true) {
      try {
        return new DenoConnection(await this.listener.accept());
      } catch (error) {
        if (error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted) return null;
        // A connection that failed during accept (reset by peer) does not stop the listener.
      }
    }
  }
  close(): void {
    try {
      this.listener.close();
    } catch {
      // Already closed.
    }
  }
}

/** TCP sockets. */
export class DenoNet implements Net {
  listen(options: { host: string; port: number }): Promise<Listener> {
    return Promise.resolve(new DenoListener(Deno.listen({ hostname: options.host, port: options.port })));
  }
  async connect(options: { host: string; port: number }): Promise<Connection> {
    return new DenoConnection(await Deno.connect({ hostname: options.host, port: options.port }));
  }
}

function wrap<T>(what: string, action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof DiskError) throw error;
    const code = (error as { code?: string }).code ?? (error as Error).name;
    throw new DiskError(`${what}: ${(error as Error).message}`, code);
  }
}

class DenoFile implements FileHandle {
  #size: number;
  constructor(private readonly path: string, private readonly file: Deno.FsFile) {
    this.#size = file.statSync().size;
  }
  size(): number {
    return this.#size;
  }
  readAt(position: number, length: number): Uint8Array {
    const available = Math.max(0, Math.min(length, this.#size - position));
    const buffer = new Uint8Array(available);
    if (available === 0) return buffer;
    return wrap(`read ${this.path}`, () => {
      this.file.seekSync(position, Deno.SeekMode.Start);
      let filled = 0;
      while (filled < available) {
        const count = this.file.readSync(buffer.subarray(filled));
        if (count === null || count === 0) break;
        filled += count;
      }
      return filled === available ? buffer : buffer.subarray(0, filled);
    });
  }
  writeAt(position: number, bytes: Uint8Array): void {
    wrap(`write ${this.path}`, () => {
      this.file.seekSync(position, Deno.SeekMode.Start);
      let written = 0;
      while (written < bytes.length) written += this.file.writeSync(bytes.subarray(written));
    });
    this.#size = Math.max(this.#size, position + bytes.length);
  }
  append(bytes: Uint8Array): void {
    this.writeAt(this.#size, bytes);
  }
  truncate(length: number): void {
    wrap(`truncate ${this.path}`, () => this.file.truncateSync(length));
    this.#size = length;
  }
  sync(): void {
    wrap(`sync ${this.path}`, () => this.file.syncSync());
  }
  modifiedMs(): number {
    return wrap(`stat ${this.path}`, () => this.file.statSync().mtime?.getTime() ?? 0);
  }
  close(): void {
    try {
      this.file.close();
    } catch {
      // Already closed.
    }
  }
}

/** The local file system. */
export class DenoDisk implements Disk {
  open(path: string, options: { create?: boolean } = {}): FileHandle {
    return wrap(`open ${path}`, () => {
      const file = Deno.openSync(path, { read: true, write: true, create: options.create ?? false });
      return new DenoFile(path, file);
    });
  }
  exists(path: string): boolean {
    try {
      Deno.statSync(path);
      return true;
    } catch {
      return false;
    }
  }
  readFile(path: string): Uint8Array | null {
    try {
      return Deno.readFileSync(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      return wrap(`read ${path}`, () => {
        throw error;
      });
    }
  }
  writeFileAtomic(path: string, bytes: Uint8Array): void {
    wrap(`write ${path}`, () => {
      const temporary = `${path}.tmp`;
      const file = Deno.openSync(temporary, { write: true, create: true, truncate: true });
      try {
        let written = 0;
        while (written < bytes.length) written += file.writeSync(bytes.subarray(written));
        file.syncSync();
      } finally {
        file.close();
      }
      Deno.renameSync(temporary, path);
    });
    this.syncDirectory(path.replace(/\/[^/]*$/, "") || ".");
  }
  list(path: string): string[] {
    return wrap(`list ${path}`, () => [...Deno.readDirSync(path)].map((entry) => entry.name).sort());
  }
  isDirectory(path: string): boolean {
    try {
      return Deno.statSync(path).isDirectory;
    } catch {
      return false;
    }
  }
  mkdirs(path: string): void {
    wrap(`mkdir ${path}`, () => Deno.mkdirSync(path, { recursive: true }));
  }
  rename(from: string, to: string): void {
    wrap(`rename ${from}`, () => Deno.renameSync(from, to));
  }
  remove(path: string): void {
    try {
      Deno.removeSync(path, { recursive: true });
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        wrap(`remove ${path}`, () => {
          throw error;
        });
      }
    }
  }
  syncDirectory(path: string): void {
    try {
      const directory = Deno.openSync(path, { read: true });
      try {
        directory.syncSync();
      } finally {
        directory.close();
      }
    } catch {
      // Some file systems refuse fsync on a directory; the rename is still atomic.
    }
  }
}

/** The real world, for `dafka` running as a process. */
export function denoWorld(): World {
  return {
    clock: new DenoClock(),
    random: new DenoRandom(),
    net: new DenoNet(),
    disk: new DenoDisk(),
    log: (line) => console.error(line),
  };
}
