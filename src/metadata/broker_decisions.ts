/**
 * The active controller's decisions about brokers (KIP-631), as pure
 * functions from the image and a request to records or a refusal with
 * Kafka's error code: registration, heartbeats (re-exported from
 * `broker_heartbeat_decision.ts`), fencing on session expiry, unfencing,
 * unregistration, and the brokers placement may use.
 */
import { ErrorCode } from "../protocol/mod.ts";
import { fenceRecords, unfenceRecords, unregisterRecords } from "./broker_changes.ts";
import type { Decision, Refusal } from "./controller.ts";
import type { BrokerImage, MetadataImage } from "./image.ts";
import { changesAfterRestart, CLEAN_ELECTIONS, type ElectionSettings } from "./leader_election.ts";
import {
  type BrokerEndPoint,
  type MetadataRecord,
  MetadataRecordType,
  type RegisterBrokerRecord,
} from "./records.ts";

export {
  type BrokerHeartbeatContext,
  type BrokerHeartbeatDecision,
  type BrokerHeartbeatRequest,
  type BrokerHeartbeatResponse,
  decideBrokerHeartbeat,
} from "./broker_heartbeat_decision.ts";

/** A feature range a broker supports, as BrokerRegistration sends it. */
export interface SupportedFeature {
  name: string;
  minSupportedVersion: number;
  maxSupportedVersion: number;
}

/** The fields of a BrokerRegistration request the decision reads. */
export interface BrokerRegistrationRequest {
  brokerId: number;
  clusterId: string;
  incarnationId: Uint8Array;
  listeners: BrokerEndPoint[];
  rack: string | null;
  /**
   * The broker's supported features. When given, every finalized feature must
   * be in range, as Kafka checks (a broker that omits metadata.version
   * supports only level 1). When absent, no check is made.
   */
  features?: SupportedFeature[];
  isMigratingZkBroker?: boolean;
}

export interface BrokerRegistrationContext {
  /** This cluster's id. */
  clusterId: string;
  /** The offset the RegisterBrokerRecord will land at: a new incarnation's broker epoch. */
  brokerEpoch: number;
  /** Whether the current registration of this broker id still has a live heartbeat session. */
  sessionActive: boolean;
  /** How partitions the new incarnation leaves elect their leaders (clean only when absent). */
  election?: ElectionSettings;
}

/** The registration records, and the broker epoch to answer with. */
export type RegistrationDecision = { records: MetadataRecord[]; brokerEpoch: number } | Refusal;

/**
 * Registers a broker. A new incarnation leaves every ISR (but the ISRs it
 * alone is in) and gets a fenced registration at `context.brokerEpoch`;
 * the same incarnation registering again (a retried
 * request) amends its registration and keeps its epoch, fencing and
 * controlled shutdown state, as Kafka does.
 */
export function decideRegisterBroker(
  image: MetadataImage,
  request: BrokerRegistrationRequest,
  context: BrokerRegistrationContext,
): RegistrationDecision {
  if (request.clusterId !== context.clusterId) {
    return {
      errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID,
      errorMessage: `Expected cluster ID ${context.clusterId}, but got cluster ID ${request.clusterId}`,
    };
  }
  const existing = image.brokers.get(request.brokerId);
  const sameIncarnation = existing !== undefined && sameBytes(existing.incarnationId, request.incarnationId);
  if (existing && context.sessionActive && !sameIncarnation) {
    return {
      errorCode: ErrorCode.DUPLICATE_BROKER_REGISTRATION,
      errorMessage: "Another broker is registered with that broker id.",
    };
  }
  if (request.isMigratingZkBroker) {
    return {
      errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED,
      errorMessage: "Controller does not support registering ZK brokers.",
    };
  }
  const featureRefusal = request.features ? unsupportedFeature(image, request.features) : null;
  if (featureRefusal) return featureRefusal;
  const amended = sameIncarnation ? existing : undefined;
  const brokerEpoch = amended?.brokerEpoch ?? context.brokerEpoch;
  const record: RegisterBrokerRecord = {
    type: MetadataRecordType.RegisterBroker,
    brokerId: request.brokerId,
    brokerEpoch,
    incarnationId: request.incarnationId,
    endPoints: request.listeners.map((listener) => ({ ...listener })),
    rack: request.rack,
    fenced: amended?.fenced ?? true,
  };
  if (amended?.inControlledShutdown) record.inControlledShutdown = true;
  // A new incarnation may have lost the unflushed tail of its logs (a crash, a disk replaced): it leaves
  // every ISR before it registers, as Kafka's controller cleans up after an unclean shutdown (KIP-966), and
  // must catch up again to rejoin. An ISR it alone is in keeps it, so the partition remembers its last leader.
  const cleanUp = amended ? [] : changesAfterRestart(image, request.brokerId, context.election);
  return { records: [...cleanUp, record], brokerEpoch };
}

/** metadata.version's level for a broker that does not say (3.0-IV1, the first KRaft level). */
const MINIMUM_KRAFT_METADATA_VERSION = 1;

function unsupportedFeature(image: MetadataImage, features: SupportedFeature[]): Refusal | null {
  const ranges = new Map(features.map((feature) => [feature.name, feature]));
  if (!ranges.has("metadata.version")) {
    ranges.set("metadata.version", {
      name: "metadata.version",
      minSupportedVersion: MINIMUM_KRAFT_METADATA_VERSION,
      maxSupportedVersion: MINIMUM_KRAFT_METADATA_VERSION,
    });
  }
  const finalized = new Map(image.features);
  if (!finalized.has("metadata.version")) finalized.set("metadata.version", MINIMUM_KRAFT_METADATA_VERSION);
  for (const name of new Set([...ranges.keys(), ...finalized.keys()])) {
    const level = finalized.get(name) ?? 0;
    const range = ranges.get(name) ?? { minSupportedVersion: 0, maxSupportedVersion: 0 };
    if (level >= range.minSupportedVersion && level <= range.maxSupportedVersion) continue;
    return {
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      errorMessage: `Unable to register because the broker does not support finalized version ${level} ` +
        `of ${name}. The broker wants a version between ${range.minSupportedVersion} and ` +
        `${range.maxSupportedVersion}, inclusive.`,
    };
  }
  return null;
}

/**
 * Fences a broker whose session expired: its ISR memberships and
 * leaderships move away, then it is marked fenced. An already fenced broker
 * needs no records.
 */
export function decideFenceBroker(
  image: MetadataImage,
  brokerId: number,
  settings: ElectionSettings = CLEAN_ELECTIONS,
): Decision {
  const broker = registered(image, brokerId);
  if ("errorCode" in broker) return broker;
  return { records: broker.fenced ? [] : fenceRecords(image, broker, settings) };
}

/**
 * Unfences a broker and elects leaders for leaderless partitions whose ISR
 * holds an acceptable replica. An unfenced broker needs no records.
 */
export function decideUnfenceBroker(
  image: MetadataImage,
  brokerId: number,
  settings: ElectionSettings = CLEAN_ELECTIONS,
): Decision {
  const broker = registered(image, brokerId);
  if ("errorCode" in broker) return broker;
  return { records: broker.fenced ? unfenceRecords(image, broker, settings) : [] };
}

/** Unregisters a broker (the UnregisterBroker API): out of ISRs and leaderships, then removed. */
export function decideUnregisterBroker(
  image: MetadataImage,
  brokerId: number,
  settings: ElectionSettings = CLEAN_ELECTIONS,
): Decision {
  const broker = registered(image, brokerId);
  if ("errorCode" in broker) return broker;
  return { records: unregisterRecords(image, broker, settings) };
}

/**
 * Brokers that may take new replicas, sorted: registered, unfenced and not
 * in controlled shutdown (Kafka's placement skips brokers shutting down).
 */
export function unfencedBrokerIds(image: MetadataImage): number[] {
  return [...image.brokers.values()]
    .filter((broker) => !broker.fenced && !broker.inControlledShutdown)
    .map((broker) => broker.brokerId)
    .sort((left, right) => left - right);
}

function registered(image: MetadataImage, brokerId: number): BrokerImage | Refusal {
  return image.brokers.get(brokerId) ?? {
    errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED,
    errorMessage: `Broker ID ${brokerId} is not currently registered`,
  };
}

function sameBytes(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && left.every((byte, index) => byte === right[index]);
}
