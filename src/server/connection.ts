/**
 * One client connection: framing, pipelining, ordered responses.
 *
 * Frames are read as they arrive and handled in arrival order, so that the
 * synchronous part of each handler (a Produce append above all) runs in the
 * order the client sent the requests. Handlers may finish out of order (a
 * long-poll Fetch waits), but responses are written strictly in request order,
 * as Kafka guarantees. Work in flight on one connection is bounded: reading
 * pauses while too many requests or too many response bytes are pending.
 */
import type { Connection } from "../io/mod.ts";
import {
  decodeRequestBody,
  encodeResponse,
  ErrorCode,
  inRange,
  isFlexible,
  parseRange,
  ProtocolError,
  Reader,
  readRequestHeader,
  type RequestHeader,
  skipTaggedFields,
} from "../protocol/mod.ts";
import { type ApiHandler, CloseConnection, type NodeServices } from "./handler.ts";
import { FrameReader } from "./frame_reader.ts";

/** Requests allowed in flight on one connection before reading pauses. */
const MAX_IN_FLIGHT_REQUESTS = 4096;
/** Response bytes allowed to wait behind a slow earlier response before reading pauses. */
const MAX_PENDING_RESPONSE_BYTES = 64 * 1024 * 1024;

interface Pending {
  done: boolean;
  chunks: Uint8Array[] | null;
  bytes: number;
  settle?: () => void;
}

export interface ConnectionOptions {
  services: NodeServices;
  handlers: ReadonlyMap<number, ApiHandler>;
  listenerName: string;
  viaControllerListener: boolean;
  connectionId: number;
  maxRequestBytes: number;
  log: (line: string) => void;
}

export class ClientConnection {
  readonly #queue: Pending[] = [];
  #pendingBytes = 0;
  #closed = false;
  #resumeReading: (() => void) | null = null;
  #wakeWriter: (() => void) | null = null;

  constructor(private readonly connection: Connection, private readonly options: ConnectionOptions) {}

  /** Serves the connection until it closes. Never throws. */
  async serve(): Promise<void> {
    const writer = this.#writeLoop();
    try {
      await this.#readLoop();
    } catch (error) {
      if (!this.#closed) {
        this.options.log(`closing connection from ${this.connection.remote}: ${(error as Error).message}`);
      }
    } finally {
      this.close();
    }
    await writer;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.connection.close();
    this.#resumeReading?.();
    this.#wakeWriter?.();
  }

  async #readLoop(): Promise<void> {
    const frames = new FrameReader(this.options.maxRequestBytes);
    while (!this.#closed) {
      const count = await this.connection.read(frames.readTarget());
      if (count === null) return;
      frames.commit(count);
      for (let frame = frames.next(); frame !== null; frame = frames.next()) {
        this.#dispatch(frame);
        if (this.#closed) return;
        while (this.#mustPause() && !this.#closed) {
          await new Promise<void>((resolve) => (this.#resumeReading = resolve));
          this.#resumeReading = null;
        }
      }
    }
  }

  #mustPause(): boolean {
    return this.#queue.length >= MAX_IN_FLIGHT_REQUESTS || this.#pendingBytes >= MAX_PENDING_RESPONSE_BYTES;
  }

  /** Decodes a frame and starts its handler; the response slot keeps request order. */
  #dispatch(frame: Uint8Array): void {
    const reader = new Reader(frame);
    const header = readRequestHeader(reader);
    const handler = this.options.handlers.get(header.apiKey);
    if (!handler) throw new ProtocolError(`unknown api key ${header.apiKey}`);
    const schema = handler.schema;
    if (!inRange(schema.versions, header.apiVersion)) {
      if (header.apiKey === 18) {
        this.#respondUnsupportedApiVersions(header);
        return;
      }
      throw new ProtocolError(`unsupported version ${header.apiVersion} of api ${header.apiKey}`);
    }
    const flexible = isFlexible(schema, header.apiVersion);
    if (flexible) skipTaggedFields(reader);
    const body = decodeRequestBody(schema, header.apiVersion, reader);
    const context = {
      header,
      version: header.apiVersion,
      services: this.options.services,
      connectionId: this.options.connectionId,
      requestBytes: frame.length,
      clientAddress: this.connection.remote,
      listenerName: this.options.listenerName,
      viaControllerListener: this.options.viaControllerListener,
      handlers: this.options.handlers,
    };
    const slot: Pending = { done: false, chunks: null, bytes: 0 };
    this.#queue.push(slot);
    const finish = (response: Record<string, unknown> | null) => {
      if (response !== null) {
        slot.chunks = encodeResponse(schema, header.apiVersion, header.correlationId, response);
        for (const chunk of slot.chunks) slot.bytes += chunk.length;
        this.#pendingBytes += slot.bytes;
      }
      slot.done = true;
      this.#wakeWriter?.();
    };
    const fail = (error: unknown) => {
      const detail = error instanceof CloseConnection
        ? error.message
        : (error as Error).stack ?? String(error);
      this.options.log(
        `closing connection from ${this.connection.remote}: api ${header.apiKey} v${header.apiVersion}: ${detail}`,
      );
      this.close();
    };
    try {
      const result = handler.handle(context, body);
      if (result instanceof Promise) result.then(finish, fail);
      else finish(result);
    } catch (error) {
      fail(error);
    }
  }

  /**
   * KIP-511: a client that sends an ApiVersions version newer than ours gets
   * a v0-encoded response with UNSUPPORTED_VERSION and our supported list, so
   * it can retry with a version we speak.
   */
  #respondUnsupportedApiVersions(header: RequestHeader): void {
    const schema = this.options.handlers.get(18)!.schema;
    const apiKeys = [...this.options.handlers.values()].map((handler) => ({
      apiKey: handler.schema.apiKey,
      minVersion: parseRange(handler.schema.versions).min,
      maxVersion: parseRange(handler.schema.versions).max,
    }));
    const chunks = encodeResponse(schema, 0, header.correlationId, {
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys,
    });
    const bytes = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    this.#pendingBytes += bytes;
    this.#queue.push({ done: true, chunks, bytes });
    this.#wakeWriter?.();
  }

  async #writeLoop(): Promise<void> {
    while (true) {
      const head = this.#queue[0];
      if (this.#closed) return;
      if (!head || !head.done) {
        await new Promise<void>((resolve) => (this.#wakeWriter = resolve));
        this.#wakeWriter = null;
        continue;
      }
      // Gather every finished response at the head into one write.
      const ready: Uint8Array[] = [];
      let readyBytes = 0;
      while (this.#queue.length > 0 && this.#queue[0]!.done) {
        const slot = this.#queue.shift()!;
        if (slot.chunks) {
          ready.push(...slot.chunks);
          readyBytes += slot.bytes;
        }
      }
      try {
        for (const piece of coalesce(ready)) await this.connection.write(piece);
      } catch {
        this.close();
        return;
      }
      this.#pendingBytes -= readyBytes;
      if (!this.#mustPause()) this.#resumeReading?.();
    }
  }
}

/** Chunks this large are written as they are; smaller neighbours are joined into one write. */
const LARGE_CHUNK_BYTES = 64 * 1024;

/**
 * Groups response chunks into socket writes: runs of small chunks (headers,
 * small responses) are copied together to save system calls, while record
 * bytes read from a segment go out as they are, without another copy.
 */
function coalesce(chunks: Uint8Array[]): Uint8Array[] {
  const writes: Uint8Array[] = [];
  let run: Uint8Array[] = [];
  let runBytes = 0;
  const flushRun = () => {
    if (run.length === 1) writes.push(run[0]!);
    else if (run.length > 1) {
      const joined = new Uint8Array(runBytes);
      let offset = 0;
      for (const chunk of run) {
        joined.set(chunk, offset);
        offset += chunk.length;
      }
      writes.push(joined);
    }
    run = [];
    runBytes = 0;
  };
  for (const chunk of chunks) {
    if (chunk.length >= LARGE_CHUNK_BYTES) {
      flushRun();
      writes.push(chunk);
    } else {
      run.push(chunk);
      runBytes += chunk.length;
    }
  }
  flushRun();
  return writes;
}
