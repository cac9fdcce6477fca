/**
 * Splits a byte stream into size-prefixed Kafka frames, with one copy.
 *
 * The socket reads into `readTarget()`: between frames a small scratch
 * buffer, inside a frame the unfilled rest of that frame's own buffer, so a
 * large produce request goes from the kernel straight into the array its
 * handler will use. A declared size is checked against
 * `socket.request.max.bytes` before anything is allocated for it; frames
 * above DIRECT_FRAME_BYTES are not allocated up front at all but assembled
 * from the bytes that actually arrive, so a peer cannot make the node reserve
 * memory it never sends.
 */
import { ProtocolError } from "../protocol/mod.ts";

/** Frames up to this size get their whole buffer when their size prefix arrives. */
const DIRECT_FRAME_BYTES = 8 * 1024 * 1024;
const SCRATCH_BYTES = 64 * 1024;

export class FrameReader {
  readonly #scratch = new Uint8Array(SCRATCH_BYTES);
  /** Bytes received between frames that are not yet a whole frame (at most one partial prefix + body). */
  #leftover: Uint8Array = new Uint8Array(0);
  /** The frame being filled in place, and how much of it has arrived. */
  #frame: Uint8Array | null = null;
  #filled = 0;
  /** A large frame assembled from chunks, and its declared size. */
  #chunks: Uint8Array[] = [];
  #chunkedBytes = 0;
  #chunkedSize = -1;
  readonly #ready: Uint8Array[] = [];

  constructor(private readonly maxFrameBytes: number) {}

  /** Where the next socket read should write. */
  readTarget(): Uint8Array {
    if (this.#frame) return this.#frame.subarray(this.#filled);
    return this.#scratch;
  }

  /** Records that `count` bytes were written into the last `readTarget()`. */
  commit(count: number): void {
    if (count <= 0) return;
    if (this.#frame) {
      this.#filled += count;
      if (this.#filled === this.#frame.length) {
        this.#ready.push(this.#frame);
        this.#frame = null;
      }
      return;
    }
    this.push(this.#scratch.subarray(0, count));
  }

  /** Adds bytes received elsewhere (they are copied where kept). */
  push(bytes: Uint8Array): void {
    let input = bytes;
    if (this.#frame) input = this.#feedFrame(input);
    if (this.#chunkedSize >= 0) input = this.#feedChunked(input);
    if (input.length === 0) return;
    let data = this.#leftover.length > 0 ? concat(this.#leftover, input) : input;
    this.#leftover = new Uint8Array(0);
    while (data.length >= 4) {
      const size = new DataView(data.buffer, data.byteOffset, 4).getInt32(0);
      if (size < 0 || size > this.maxFrameBytes) {
        throw new ProtocolError(
          `frame size ${size} is outside 0..${this.maxFrameBytes} (socket.request.max.bytes)`,
        );
      }
      const body = data.subarray(4);
      if (body.length >= size) {
        this.#ready.push(body.slice(0, size));
        data = body.subarray(size);
        continue;
      }
      if (size <= DIRECT_FRAME_BYTES) {
        this.#frame = new Uint8Array(size);
        this.#frame.set(body);
        this.#filled = body.length;
      } else {
        this.#chunkedSize = size;
        this.#chunks = [body.slice()];
        this.#chunkedBytes = body.length;
      }
      return;
    }
    this.#leftover = data.slice();
  }

  #feedFrame(input: Uint8Array): Uint8Array {
    const frame = this.#frame!;
    const take = Math.min(input.length, frame.length - this.#filled);
    frame.set(input.subarray(0, take), this.#filled);
    this.commit(take);
    return input.subarray(take);
  }

  #feedChunked(input: Uint8Array): Uint8Array {
    const take = Math.min(input.length, this.#chunkedSize - this.#chunkedBytes);
    this.#chunks.push(input.slice(0, take));
    this.#chunkedBytes += take;
    if (this.#chunkedBytes === this.#chunkedSize) {
      const frame = new Uint8Array(this.#chunkedSize);
      let offset = 0;
      for (const chunk of this.#chunks) {
        frame.set(chunk, offset);
        offset += chunk.length;
      }
      this.#ready.push(frame);
      this.#chunks = [];
      this.#chunkedSize = -1;
      this.#chunkedBytes = 0;
    }
    return input.subarray(take);
  }

  /** The next complete frame (without its size prefix), or null. */
  next(): Uint8Array | null {
    return this.#ready.shift() ?? null;
  }
}

function concat(left: Uint8Array, right: Uint8Array): Uint8Array {
  const out = new Uint8Array(left.length + right.length);
  out.set(left);
  out.set(right, left.length);
  return out;
}
