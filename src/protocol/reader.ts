/**
 * Reads Kafka's primitive types from a byte array.
 *
 * Every length read from the wire is checked against the bytes that remain
 * before anything is allocated or sliced, so a hostile frame that declares a
 * huge string or array fails fast with a `ProtocolError`.
 */

/** The bytes do not form a valid message; the connection should close. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

const textDecoder = new TextDecoder("utf-8", { fatal: false });

export class Reader {
  readonly view: DataView;
  position: number;

  constructor(readonly bytes: Uint8Array, position = 0) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.position = position;
  }

  get remaining(): number {
    return this.bytes.length - this.position;
  }

  /** Throws unless `count` more bytes are available. */
  need(count: number): void {
    if (count < 0 || this.position + count > this.bytes.length) {
      throw new ProtocolError(`need ${count} bytes at ${this.position}, have ${this.remaining}`);
    }
  }

  int8(): number {
    this.need(1);
    return this.view.getInt8(this.position++);
  }
  uint8(): number {
    this.need(1);
    return this.bytes[this.position++]!;
  }
  bool(): boolean {
    return this.int8() !== 0;
  }
  int16(): number {
    this.need(2);
    const value = this.view.getInt16(this.position);
    this.position += 2;
    return value;
  }
  uint16(): number {
    this.need(2);
    const value = this.view.getUint16(this.position);
    this.position += 2;
    return value;
  }
  int32(): number {
    this.need(4);
    const value = this.view.getInt32(this.position);
    this.position += 4;
    return value;
  }
  uint32(): number {
    this.need(4);
    const value = this.view.getUint32(this.position);
    this.position += 4;
    return value;
  }
  /** int64 as a number: Kafka's offsets, timestamps and ids fit in 53 bits. */
  int64(): number {
    this.need(8);
    const high = this.view.getInt32(this.position);
    const low = this.view.getUint32(this.position + 4);
    this.position += 8;
    return high * 4294967296 + low;
  }
  float64(): number {
    this.need(8);
    const value = this.view.getFloat64(this.position);
    this.position += 8;
    return value;
  }

  /** Unsigned LEB128 varint, at most 5 bytes. */
  uvarint(): number {
    let value = 0;
    let shift = 0;
    for (let index = 0; index < 5; index++) {
      const byte = this.uint8();
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (value > 0xffffffff) throw new ProtocolError("varint out of range");
        return value;
      }
      shift += 7;
    }
    throw new ProtocolError("varint longer than 5 bytes");
  }
  /** Zig-zag signed varint (32 bits). */
  varint(): number {
    const raw = this.uvarint();
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }
  /** Zig-zag signed varlong, at most 10 bytes, as a number. */
  varlong(): number {
    let value = 0n;
    let shift = 0n;
    for (let index = 0; index < 10; index++) {
      const byte = this.uint8();
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) {
        const decoded = (value >> 1n) ^ -(value & 1n);
        return Number(decoded);
      }
      shift += 7n;
    }
    throw new ProtocolError("varlong longer than 10 bytes");
  }

  /** `count` bytes as a view into the frame (no copy). */
  raw(count: number): Uint8Array {
    this.need(count);
    const slice = this.bytes.subarray(this.position, this.position + count);
    this.position += count;
    return slice;
  }
  utf8(count: number): string {
    return textDecoder.decode(this.raw(count));
  }

  /** INT16-length string; -1 is null. */
  nullableString(): string | null {
    const length = this.int16();
    if (length < 0) return null;
    return this.utf8(length);
  }
  /** Compact (uvarint length+1) string; 0 is null. */
  compactNullableString(): string | null {
    const length = this.uvarint() - 1;
    if (length < 0) return null;
    return this.utf8(length);
  }
  nullableBytes(): Uint8Array | null {
    const length = this.int32();
    if (length < 0) return null;
    return this.raw(length);
  }
  compactNullableBytes(): Uint8Array | null {
    const length = this.uvarint() - 1;
    if (length < 0) return null;
    return this.raw(length);
  }
  uuid(): Uint8Array {
    return this.raw(16);
  }

  /** An array length, checked against a minimum element size so a bogus count cannot allocate. */
  arrayLength(compact: boolean, minElementBytes = 1): number {
    const length = compact ? this.uvarint() - 1 : this.int32();
    if (length < 0) return -1;
    if (length * minElementBytes > this.remaining) {
      throw new ProtocolError(`array of ${length} elements exceeds the ${this.remaining} bytes left`);
    }
    return length;
  }
}
