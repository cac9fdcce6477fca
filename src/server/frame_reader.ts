/**
 * Splits a byte stream into size-prefixed Kafka frames.
 *
 * A declared size is checked against `socket.request.max.bytes` before any
 * byte of the frame is kept, and a frame's buffer is only assembled once all
 * of its bytes have arrived, so memory follows what the peer actually sent,
 * never what it declared.
 */
import { ProtocolError } from "../protocol/reader.ts";

export class FrameReader {
  #chunks: Uint8Array[] = [];
  #buffered = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Adds received bytes (copied: the caller reuses its read buffer). */
  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#chunks.push(bytes.slice());
    this.#buffered += bytes.length;
  }

  /** The next complete frame (without its size prefix), or null. Throws on an invalid size. */
  next(): Uint8Array | null {
    if (this.#buffered < 4) return null;
    const size = this.#peekSize();
    if (size < 0 || size > this.maxFrameBytes) {
      throw new ProtocolError(
        `frame size ${size} is outside 0..${this.maxFrameBytes} (socket.request.max.bytes)`,
      );
    }
    if (this.#buffered < 4 + size) return null;
    const frame = this.#take(4 + size);
    return frame.subarray(4);
  }

  #peekSize(): number {
    const first = this.#chunks[0]!;
    if (first.length >= 4) return new DataView(first.buffer, first.byteOffset, 4).getInt32(0);
    const head = this.#copyPrefix(4);
    return new DataView(head.buffer).getInt32(0);
  }

  #copyPrefix(count: number): Uint8Array {
    const out = new Uint8Array(count);
    let filled = 0;
    for (const chunk of this.#chunks) {
      const part = chunk.subarray(0, count - filled);
      out.set(part, filled);
      filled += part.length;
      if (filled === count) break;
    }
    return out;
  }

  /** Removes and returns the first `count` bytes, copying only when they span chunks. */
  #take(count: number): Uint8Array {
    const first = this.#chunks[0]!;
    let out: Uint8Array;
    if (first.length >= count) {
      out = first.subarray(0, count);
      if (first.length === count) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(count);
    } else {
      out = new Uint8Array(count);
      let filled = 0;
      while (filled < count) {
        const chunk = this.#chunks[0]!;
        const part = chunk.subarray(0, count - filled);
        out.set(part, filled);
        filled += part.length;
        if (part.length === chunk.length) this.#chunks.shift();
        else this.#chunks[0] = chunk.subarray(part.length);
      }
    }
    this.#buffered -= count;
    return out;
  }
}
