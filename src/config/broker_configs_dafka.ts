/**
 * Broker keys of Dafka's own, which Kafka does not have. `cluster.id`: Kafka takes the cluster id from
 * `kafka-storage format`; Dafka formats a new log directory itself at first start, with this id when
 * given. Internal, so DescribeConfigs does not list it (Kafka would not).
 */
import type { SettingSpec } from "./config_types.ts";

/** The table, keyed by setting name. */
export const DAFKA_SETTINGS = {
  "cluster.id": { type: "string", default: null, internal: true },
} as const satisfies Readonly<Record<string, SettingSpec>>;
