/**
 * Partition logs in Kafka's on-disk format: segments and their sparse
 * indexes, recovery, leader epochs, producer state and snapshots, and the
 * files at the top of a log directory.
 */
export {
  LogManager,
  type LogManagerOptions,
  type NodeIdentity,
  type OpenPartitionOptions,
} from "./log_manager.ts";
export {
  type AppendOptions,
  type AppendResult,
  EARLIEST_LOCAL_TIMESTAMP,
  EARLIEST_TIMESTAMP,
  InconsistentTopicIdError,
  LATEST_TIERED_TIMESTAMP,
  LATEST_TIMESTAMP,
  MAX_TIMESTAMP,
  PartitionLog,
  type PartitionLogOptions,
  type ReadOptions,
} from "./partition_log.ts";
export {
  cleanupPolicyIncludes,
  DEFAULT_LOG_CONFIG,
  type LogConfig,
  type LogConfigSource,
  resolveLogConfig,
} from "./log_config.ts";
export { KafkaStorageError, LogErrorCode, OffsetOutOfRangeError } from "./log_errors.ts";
export { guardStorage, isStorageFailure } from "./storage_failure.ts";
export { DelayedFileDeleter } from "./file_deleter.ts";
export { decideRetention, type RetentionDecision, type SegmentRetentionFacts } from "./retention.ts";
export { LogSegment, type TimestampAndOffset, UnsupportedMessageFormatError } from "./segment.ts";
export { OffsetIndex, type OffsetPosition } from "./offset_index.ts";
export { TimeIndex, type TimestampOffset } from "./time_index.ts";
export { CorruptIndexError } from "./_index_file.ts";
export {
  type EpochEndOffset,
  type EpochEntry,
  LeaderEpochCache,
  UNDEFINED_EPOCH,
  UNDEFINED_EPOCH_OFFSET,
} from "./leader_epoch_cache.ts";
export { type ProducerAppendSession, ProducerStateManager } from "./producer_state.ts";
export type { AppendOrigin, CompletedTransaction } from "./producer_append.ts";
export type { BatchMetadata, ProducerStateEntry } from "./producer_state_entry.ts";
export {
  CorruptSnapshotError,
  decodeProducerSnapshot,
  encodeProducerSnapshot,
  type ProducerSnapshotEntry,
} from "./producer_snapshot.ts";
export {
  CheckpointFormatError,
  readOffsetCheckpoint,
  topicPartitionKey,
  type TopicPartitionOffset,
  writeOffsetCheckpoint,
} from "./checkpoint_file.ts";
export { readPartitionMetadata, writePartitionMetadata } from "./partition_metadata.ts";
export {
  type MetaProperties,
  MetaPropertiesError,
  parseMetaProperties,
  readMetaProperties,
  writeMetaProperties,
} from "./meta_properties.ts";
export {
  CLEAN_SHUTDOWN_FILE,
  listLogDirectory,
  LOG_START_OFFSET_CHECKPOINT_FILE,
  readCleanShutdownMarker,
  RECOVERY_POINT_CHECKPOINT_FILE,
  REPLICATION_OFFSET_CHECKPOINT_FILE,
} from "./log_dir.ts";
export { type Decompress } from "./batch_records.ts";
export { parsePartitionDirectoryName, partitionDirectoryName } from "./file_names.ts";
export { type BatchLimits, validateProducedBatch } from "./batch_validation.ts";
