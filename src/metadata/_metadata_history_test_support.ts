/**
 * Random but valid metadata histories for tests: a list of numbers (the
 * entropy, which fast-check generates and shrinks) is read as a sequence of
 * choices, each turned into a record that applies cleanly to the image so
 * far (brokers fenced with their own epoch, changes to existing partitions).
 */
import fc from "fast-check";
import { MetadataImage } from "./image.ts";
import { ConfigResourceType, type MetadataRecord, MetadataRecordType } from "./records.ts";

/** Histories of up to `maxSteps` records. */
export function metadataHistoryArbitrary(maxSteps = 120): fc.Arbitrary<MetadataRecord[]> {
  return fc.array(fc.nat(), { maxLength: maxSteps * 6, size: "max" }).map(historyFromEntropy);
}

class Entropy {
  #index = 0;
  constructor(private readonly values: number[]) {}
  get exhausted(): boolean {
    return this.#index >= this.values.length;
  }
  /** A number in [0, bound). */
  below(bound: number): number {
    return (this.values[this.#index++] ?? 0) % bound;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }
  /** Distinct broker ids from 0-4, at least `min`. */
  brokerSet(min: number): number[] {
    const ids = [0, 1, 2, 3, 4].filter(() => this.below(2) === 1);
    for (let id = 0; ids.length < min; id++) if (!ids.includes(id)) ids.push(id);
    return ids;
  }
}

/** Reads entropy as a history, applying each record to a scratch image to keep the next one valid. */
export function historyFromEntropy(values: number[]): MetadataRecord[] {
  const entropy = new Entropy(values);
  const image = new MetadataImage();
  const records: MetadataRecord[] = [];
  let topicCount = 0;
  while (!entropy.exhausted) {
    const record = nextRecord(entropy, image, () => topicCount++);
    image.apply(record);
    records.push(record);
  }
  return records;
}

function nextRecord(entropy: Entropy, image: MetadataImage, newTopicNumber: () => number): MetadataRecord {
  const broker = image.brokers.size > 0 ? entropy.pick([...image.brokers.values()]) : undefined;
  const topic = image.topicsById.size > 0 ? entropy.pick([...image.topicsById.values()]) : undefined;
  const partition = topic && topic.partitions.length > 0 ? entropy.pick(topic.partitions) : undefined;
  switch (entropy.below(13)) {
    case 0:
      return {
        type: MetadataRecordType.FeatureLevel,
        name: entropy.pick(["metadata.version", "kraft.version", "group.version"]),
        featureLevel: entropy.below(25),
      };
    case 1:
      return registerBroker(entropy);
    case 2:
      if (!broker) break;
      return { type: MetadataRecordType.FenceBroker, id: broker.brokerId, epoch: broker.brokerEpoch };
    case 3:
      if (!broker) break;
      return { type: MetadataRecordType.UnfenceBroker, id: broker.brokerId, epoch: broker.brokerEpoch };
    case 4:
      if (!broker) break;
      return {
        type: MetadataRecordType.BrokerRegistrationChange,
        brokerId: broker.brokerId,
        brokerEpoch: broker.brokerEpoch,
        fenced: entropy.pick([-1, 0, 1]),
        inControlledShutdown: entropy.below(2),
      };
    case 5:
      if (!broker) break;
      return {
        type: MetadataRecordType.UnregisterBroker,
        brokerId: broker.brokerId,
        brokerEpoch: broker.brokerEpoch,
      };
    case 6: {
      const number = newTopicNumber();
      // Byte 0 keeps the id away from zero; bytes 1-2 make it unique.
      const topicId = Uint8Array.from({ length: 16 });
      topicId.set([1, number & 0xff, (number >> 8) & 0xff]);
      return { type: MetadataRecordType.Topic, name: `topic-${number}`, topicId };
    }
    case 7: {
      if (!topic) break;
      const replicas = entropy.brokerSet(1);
      const isr = replicas.filter(() => entropy.below(3) > 0);
      return {
        type: MetadataRecordType.Partition,
        topicId: topic.topicId,
        partitionId: topic.partitions.length,
        replicas,
        isr,
        leader: isr.length > 0 ? entropy.pick(isr) : -1,
        leaderEpoch: entropy.below(50),
        partitionEpoch: entropy.below(50),
      };
    }
    case 8:
      if (!topic || !partition) break;
      return {
        type: MetadataRecordType.PartitionChange,
        topicId: topic.topicId,
        partitionId: partition.partition,
        isr: entropy.below(2) ? entropy.brokerSet(1) : null,
        leader: entropy.pick([-2, -1, ...partition.replicas]),
        replicas: entropy.below(4) === 0 ? entropy.brokerSet(1) : null,
      };
    case 9:
      // Rarer than creation, so that histories keep topics to change.
      if (!topic || entropy.below(3) > 0) break;
      return { type: MetadataRecordType.RemoveTopic, topicId: topic.topicId };
    case 10:
      return configRecord(entropy, topic?.name);
    case 11:
      return {
        type: MetadataRecordType.ProducerIds,
        brokerId: entropy.below(5),
        brokerEpoch: entropy.below(100),
        nextProducerId: entropy.below(100_000),
      };
  }
  return { type: MetadataRecordType.NoOp };
}

function registerBroker(entropy: Entropy): MetadataRecord {
  const brokerId = entropy.below(5);
  return {
    type: MetadataRecordType.RegisterBroker,
    brokerId,
    brokerEpoch: entropy.below(10_000),
    incarnationId: Uint8Array.from({ length: 16 }, () => entropy.below(256)),
    endPoints: Array.from({ length: entropy.below(3) }, (_, index) => ({
      name: `LISTENER_${index}`,
      host: `host-${brokerId}`,
      port: entropy.below(65536),
      securityProtocol: entropy.below(4),
    })),
    rack: entropy.below(2) ? `rack-${entropy.below(3)}` : null,
    fenced: entropy.below(2) === 1,
    inControlledShutdown: entropy.below(3) === 0,
  };
}

function configRecord(entropy: Entropy, topicName: string | undefined): MetadataRecord {
  const onTopic = topicName !== undefined && entropy.below(2) === 0;
  return {
    type: MetadataRecordType.Config,
    resourceType: onTopic ? ConfigResourceType.Topic : ConfigResourceType.Broker,
    resourceName: onTopic ? topicName : entropy.pick(["", "0", "1"]),
    name: entropy.pick(["retention.ms", "cleanup.policy", "min.insync.replicas"]),
    value: entropy.below(3) === 0 ? null : String(entropy.below(1000)),
  };
}
