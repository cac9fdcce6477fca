/**
 * The active controller's answer to a BrokerHeartbeat (KIP-631): the state
 * machine of Kafka's broker heartbeat manager, computed from the image.
 *
 * States: FENCED, UNFENCED, CONTROLLED_SHUTDOWN (unfenced, leaderships
 * being moved away) and SHUTDOWN_NOW (fenced, told to stop). A fenced broker
 * is unfenced once it asks to be and has replayed the log up to its own
 * registration; an unfenced broker that asks to shut down goes through
 * controlled shutdown while it leads partitions.
 */
import { ErrorCode } from "../protocol/mod.ts";
import { controlledShutdownRecords, fenceRecords, unfenceRecords } from "./broker_changes.ts";
import type { BrokerImage, MetadataImage } from "./image.ts";
import { type ElectionSettings, leadsAnyPartition } from "./leader_election.ts";
import type { MetadataRecord } from "./records.ts";

/** The fields of a BrokerHeartbeat request the decision reads. */
export interface BrokerHeartbeatRequest {
  brokerId: number;
  brokerEpoch: number;
  /** The offset of the metadata log the broker has replayed. */
  currentMetadataOffset: number;
  wantFence: boolean;
  wantShutDown: boolean;
}

/** What the controller knows beyond the image (its heartbeat bookkeeping). */
export interface BrokerHeartbeatContext {
  /**
   * Offset of the broker's RegisterBrokerRecord. A broker is caught up once it
   * has replayed it. Defaults to the broker epoch, which is that offset for a
   * new incarnation (an amended registration keeps the epoch but lands later).
   */
  registrationOffset?: number;
  /**
   * End offset of the batch written when the broker entered controlled
   * shutdown; the caller records it when a result has `inControlledShutdown`.
   * Absent: the broker is not known to be shutting down (as after a
   * controller failover in Kafka), and a new request to shut down restarts it.
   */
  controlledShutdownOffset?: number;
  /**
   * Lowest metadata offset reported by the active brokers (unfenced, not
   * shutting down). Absent means there is none. A broker in controlled
   * shutdown stops only once every active broker has replayed its shutdown.
   */
  lowestActiveOffset?: number;
  /** How partitions the broker leaves or may now lead elect their leaders (clean only when absent). */
  election?: ElectionSettings;
}

/** The BrokerHeartbeat response fields the controller decides. */
export interface BrokerHeartbeatResponse {
  errorCode: number;
  isCaughtUp: boolean;
  isFenced: boolean;
  shouldShutDown: boolean;
}

export interface BrokerHeartbeatDecision {
  records: MetadataRecord[];
  response: BrokerHeartbeatResponse;
  /** The broker is (still) in controlled shutdown: record `controlledShutdownOffset` if not yet. */
  inControlledShutdown: boolean;
}

type BrokerState = "fenced" | "unfenced" | "controlledShutdown" | "shutdownNow";

/**
 * Records and response for one heartbeat. An unknown broker or another
 * epoch gets STALE_BROKER_EPOCH, as in Kafka (not BROKER_ID_NOT_REGISTERED),
 * with the response's defaults and no records.
 */
export function decideBrokerHeartbeat(
  image: MetadataImage,
  request: BrokerHeartbeatRequest,
  context: BrokerHeartbeatContext = {},
): BrokerHeartbeatDecision {
  const broker = image.brokers.get(request.brokerId);
  if (!broker || broker.brokerEpoch !== request.brokerEpoch) {
    return {
      records: [],
      response: {
        errorCode: ErrorCode.STALE_BROKER_EPOCH,
        isCaughtUp: false,
        isFenced: true,
        shouldShutDown: false,
      },
      inControlledShutdown: false,
    };
  }
  const registrationOffset = context.registrationOffset ?? broker.brokerEpoch;
  const current = currentState(broker, context);
  const next = nextState(image, broker, current, request, registrationOffset, context);
  return {
    records: current === next ? [] : recordsFor(image, broker, next, context.election),
    response: {
      errorCode: ErrorCode.NONE,
      isCaughtUp: request.currentMetadataOffset >= registrationOffset,
      isFenced: next === "fenced" || next === "shutdownNow",
      shouldShutDown: next === "shutdownNow",
    },
    inControlledShutdown: next === "controlledShutdown",
  };
}

function currentState(broker: BrokerImage, context: BrokerHeartbeatContext): BrokerState {
  if (broker.fenced) return "fenced";
  if (broker.inControlledShutdown && context.controlledShutdownOffset !== undefined) {
    return "controlledShutdown";
  }
  return "unfenced";
}

function nextState(
  image: MetadataImage,
  broker: BrokerImage,
  current: BrokerState,
  request: BrokerHeartbeatRequest,
  registrationOffset: number,
  context: BrokerHeartbeatContext,
): BrokerState {
  switch (current) {
    case "fenced":
      if (request.wantShutDown) return "shutdownNow";
      if (!request.wantFence && request.currentMetadataOffset >= registrationOffset) return "unfenced";
      return "fenced";
    case "unfenced":
      if (request.wantFence) return request.wantShutDown ? "shutdownNow" : "fenced";
      if (!request.wantShutDown) return "unfenced";
      return leadsAnyPartition(image, broker.brokerId) ? "controlledShutdown" : "shutdownNow";
    case "controlledShutdown": {
      if (leadsAnyPartition(image, broker.brokerId)) return "controlledShutdown";
      const lowestActiveOffset = context.lowestActiveOffset ?? Infinity;
      return context.controlledShutdownOffset! <= lowestActiveOffset ? "shutdownNow" : "controlledShutdown";
    }
    case "shutdownNow":
      return "shutdownNow";
  }
}

function recordsFor(
  image: MetadataImage,
  broker: BrokerImage,
  next: BrokerState,
  election: ElectionSettings | undefined,
): MetadataRecord[] {
  switch (next) {
    case "fenced":
    case "shutdownNow":
      return fenceRecords(image, broker, election);
    case "unfenced":
      return unfenceRecords(image, broker, election);
    case "controlledShutdown":
      return controlledShutdownRecords(image, broker, election);
  }
}
