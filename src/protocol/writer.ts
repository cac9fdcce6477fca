/**
 * Writes Kafka's primitive types into a growing buffer.
 *
 * Large byte arrays (record batches read from a segment) are not copied into
 * the buffer: they are kept as separate chunks and written to the socket as
 * they are, which keeps Fetch free of re-encoding and extra copies.
 */

const textEncoder = new TextEncoder();

/** Byte arrays at least this long are kept as their own chunk instead of copied. */
const CHUNK_THRESHOLD = 4096;

export class Writer {
  #buffer: Uint8Array;
  #view: DataView;
  #position = 0;
  #chunks: Uint8Array[] = [];
  #chunkedBytes = 0;

  constructor(initialCapacity = 256) {
    this.#buffer = new Uint8Array(initialCapacity);
    this.#view = new DataView(this.#buffer.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#chunkedBytes + this.#position;
  }

  #ensure(extra: number): void {
    const needed = this.#position + extra;
    if (needed <= this.#buffer.length) return;
    let capacity = this.#buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.#buffer.subarray(0, this.#position));
    this.#buffer = grown;
    this.#view = new DataView(grown.buffer);
  }

  int8(value: number): this {
    this.#ensure(1);
    this.#view.setInt8(this.#position, value);
    this.#position += 1;
    return this;
  }
  uint8(value: number): this {
    this.#ensure(1);
    this.#buffer[this.#position++] = value;
    return this;
  }
  bool(value: boolean): this {
    return this.int8(value ? 1 : 0);
  }
  int16(value: number): this {
    this.#ensure(2);
    this.#view.setInt16(this.#position, value);
    this.#position += 2;
    return this;
  }
  uint16(value: number): this {
    this.#ensure(2);
    this.#view.setUint16(this.#position, value);
    this.#position += 2;
    return this;
  }
  int32(value: number): this {
    this.#ensure(4);
    this.#view.setInt32(this.#position, value);
    this.#position += 4;
    return this;
  }
  uint32(value: number): this {
    this.#ensure(4);
    this.#view.setUint32(this.#position, value);
    this.#position += 4;
    return this;
  }
  int64(value: number): this {
    this.#ensure(8);
    this.#view.setBigInt64(this.#position, BigInt(Math.trunc(value)));
    this.#position += 8;
    return this;
  }
  float64(value: number): this {
    this.#ensure(8);
    this.#view.setFloat64(this.#position, value);
    this.#position += 8;
    return this;
  }
  uvarint(value: number): this {
    this.#ensure(5);
    let remaining = value >>> 0;
    while (remaining >= 0x80) {
      this.#buffer[this.#position++] = (remaining & 0x7f) | 0x80;
      remaining >>>= 7;
    }
    this.#buffer[this.#position++] = remaining;
    return this;
  }
  varint(value: number): this {
    return this.uvarint(((value << 1) ^ (value >> 31)) >>> 0);
  }
  varlong(value: number): this {
    this.#ensure(10);
    let zigzag = BigInt.asUintN(64, (BigInt(value) << 1n) ^ (BigInt(value) >> 63n));
    while (zigzag >= 0x80n) {
      this.#buffer[this.#position++] = Number(zigzag & 0x7fn) | 0x80;
      zigzag >>= 7n;
    }
    this.#buffer[this.#position++] = Number(zigzag);
    return this;
  }

  raw(bytes: Uint8Array): this {
    if (bytes.length >= CHUNK_THRESHOLD) {
      this.#flushBuffer();
      this.#chunks.push(bytes);
      this.#chunkedBytes += bytes.length;
      return this;
    }
    this.#ensure(bytes.length);
    this.#buffer.set(bytes, this.#position);
    this.#position += bytes.length;
    return this;
  }

  #flushBuffer(): void {
    if (this.#position === 0) return;
    const piece = this.#buffer.slice(0, this.#position);
    this.#chunks.push(piece);
    this.#chunkedBytes += piece.length;
    this.#position = 0;
  }

  nullableString(value: string | null): this {
    if (value === null) return this.int16(-1);
    const bytes = textEncoder.encode(value);
    return this.int16(bytes.length).raw(bytes);
  }
  compactNullableString(value: string | null): this {
    if (value === null) return this.uvarint(0);
    const bytes = textEncoder.encode(value);
    return this.uvarint(bytes.length + 1).raw(bytes);
  }
  nullableBytes(value: Uint8Array | null): this {
    if (value === null) return this.int32(-1);
    return this.int32(value.length).raw(value);
  }
  compactNullableBytes(value: Uint8Array | null): this {
    if (value === null) return this.uvarint(0);
    return this.uvarint(value.length + 1).raw(value);
  }

  /** Overwrites an int32 at an absolute position already written (only within the current buffer). */
  patchInt32(position: number, value: number): void {
    const local = position - this.#chunkedBytes;
    if (local < 0) throw new Error("patch position already flushed");
    this.#view.setInt32(local, value);
  }

  /** The written bytes as chunks (no copy of large pieces). */
  chunks(): Uint8Array[] {
    this.#flushBuffer();
    return this.#chunks;
  }

  /** The written bytes as one array. */
  finish(): Uint8Array {
    const chunks = this.chunks();
    if (chunks.length === 1) return chunks[0]!;
    const out = new Uint8Array(this.#chunkedBytes);
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}
