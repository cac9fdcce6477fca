/** The shapes of records as Dafka decodes and builds them. */

/** A record header. The key is kept as bytes so that re-encoding a record reproduces it exactly. */
export interface RecordHeader {
  key: Uint8Array;
  value: Uint8Array | null;
}

/**
 * One decoded record. Key, value and header bytes are views into the batch
 * (or its decompressed records): copy them before the buffer is reused.
 */
export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[];
}

/** A record to put into a batch. */
export interface RecordInput {
  /** Absolute offset; defaults to baseOffset plus the record's index. */
  offset?: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers?: RecordHeader[];
}

/** The meaning of a batch's timestamps (attributes bit 3). */
export enum TimestampType {
  CreateTime = 0,
  LogAppendTime = 1,
}
