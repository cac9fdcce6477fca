/**
 * The message formats before v2 (magic 0 and 1): decoding, writing, and
 * conversion to and from v2 batches.
 */
export {
  decodeMessageSet,
  LEGACY_LOG_OVERHEAD,
  type LegacyDecodeOptions,
  type LegacyEntry,
  legacyEntryIsComplete,
  type LegacyMessage,
  messagesOfEntry,
  readLegacyEntry,
} from "./message_set_decode.ts";
export { encodeMessageSet, type LegacyEntryOptions, type LegacyMessageInput } from "./message_set_encode.ts";
export {
  convertBatchesToMessageSet,
  convertMessageSetToBatch,
  type DownConvertOptions,
  type UpConvertOptions,
} from "./message_set_convert.ts";
export { decodeRecordSet } from "./records_mixed.ts";
