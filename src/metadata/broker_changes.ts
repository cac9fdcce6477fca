/**
 * The records that move a registered broker between Kafka's broker states:
 * fenced, unfenced, in controlled shutdown, unregistered. Each writes the
 * registration change and the partition changes it implies, in the order
 * Kafka's controller writes them. Dafka writes the records of
 * metadata.version 3.3-IV3 and later: BrokerRegistrationChangeRecord rather
 * than FenceBrokerRecord and UnfenceBrokerRecord.
 */
import type { BrokerImage, MetadataImage } from "./image.ts";
import {
  changesAddingBroker,
  changesRemovingBroker,
  CLEAN_ELECTIONS,
  type ElectionSettings,
} from "./leader_election.ts";
import {
  BrokerFencingChange,
  BrokerShutdownChange,
  type MetadataRecord,
  MetadataRecordType,
} from "./records.ts";

/**
 * Fencing: the broker leaves every ISR (but stays in one it alone is in),
 * its partitions get new leaders, then the registration is marked fenced.
 */
export function fenceRecords(
  image: MetadataImage,
  broker: BrokerImage,
  settings: ElectionSettings = CLEAN_ELECTIONS,
): MetadataRecord[] {
  return [
    ...changesRemovingBroker(image, broker.brokerId, settings),
    registrationChange(broker, BrokerFencingChange.Fence, BrokerShutdownChange.None),
  ];
}

/**
 * Unfencing: the registration is marked unfenced, then leaderless
 * partitions whose ISR holds an acceptable replica (this broker included)
 * get a leader.
 */
export function unfenceRecords(
  image: MetadataImage,
  broker: BrokerImage,
  settings: ElectionSettings = CLEAN_ELECTIONS,
): MetadataRecord[] {
  return [
    registrationChange(broker, BrokerFencingChange.Unfence, BrokerShutdownChange.None),
    ...changesAddingBroker(image, broker.brokerId, settings),
  ];
}

/**
 * Entering controlled shutdown: the registration is marked (once), then the
 * broker leaves ISRs and leaderships as when fenced, while it keeps serving
 * until its leaderships are gone.
 */
export function controlledShutdownRecords(
  image: MetadataImage,
  broker: BrokerImage,
  settings: ElectionSettings = CLEAN_ELECTIONS,
): MetadataRecord[] {
  const records: MetadataRecord[] = [];
  if (!broker.inControlledShutdown) {
    records.push(
      registrationChange(broker, BrokerFencingChange.None, BrokerShutdownChange.InControlledShutdown),
    );
  }
  records.push(...changesRemovingBroker(image, broker.brokerId, settings));
  return records;
}

/** Unregistering: out of every ISR and leadership, then the registration goes. */
export function unregisterRecords(
  image: MetadataImage,
  broker: BrokerImage,
  settings: ElectionSettings = CLEAN_ELECTIONS,
): MetadataRecord[] {
  return [
    ...changesRemovingBroker(image, broker.brokerId, settings),
    { type: MetadataRecordType.UnregisterBroker, brokerId: broker.brokerId, brokerEpoch: broker.brokerEpoch },
  ];
}

function registrationChange(
  broker: BrokerImage,
  fenced: number,
  inControlledShutdown: number,
): MetadataRecord {
  return {
    type: MetadataRecordType.BrokerRegistrationChange,
    brokerId: broker.brokerId,
    brokerEpoch: broker.brokerEpoch,
    fenced,
    inControlledShutdown,
  };
}
