/**
 * Every API this node serves, one handler per API key. ApiVersions advertises
 * exactly this list with each handler's schema versions.
 */
import type { ApiHandler } from "../handler.ts";
import { alterConfigsHandler } from "./alter_configs.ts";
import { apiVersionsHandler } from "./api_versions.ts";
import { createPartitionsHandler } from "./create_partitions.ts";
import { createTopicsHandler } from "./create_topics.ts";
import { deleteTopicsHandler } from "./delete_topics.ts";
import { describeClusterHandler } from "./describe_cluster.ts";
import { describeConfigsHandler } from "./describe_configs.ts";
import { fetchHandler } from "./fetch.ts";
import { incrementalAlterConfigsHandler } from "./incremental_alter_configs.ts";
import { initProducerIdHandler } from "./init_producer_id.ts";
import { listOffsetsHandler } from "./list_offsets.ts";
import { metadataHandler } from "./metadata.ts";
import { offsetForLeaderEpochHandler } from "./offset_for_leader_epoch.ts";
import { produceHandler } from "./produce.ts";

export const HANDLERS: readonly ApiHandler[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  offsetForLeaderEpochHandler,
  apiVersionsHandler,
  createTopicsHandler,
  deleteTopicsHandler,
  initProducerIdHandler,
  describeConfigsHandler,
  alterConfigsHandler,
  createPartitionsHandler,
  incrementalAlterConfigsHandler,
  describeClusterHandler,
].sort((left, right) => left.schema.apiKey - right.schema.apiKey);

export const HANDLERS_BY_KEY: ReadonlyMap<number, ApiHandler> = new Map(
  HANDLERS.map((handler) => [handler.schema.apiKey, handler]),
);
