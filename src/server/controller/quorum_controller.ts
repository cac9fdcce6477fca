/**
 * The active controller's commands (Kafka's QuorumController): each one
 * decides against the applied image with a pure function of src/metadata/,
 * then commits the records through the Raft quorum and resolves once they
 * are applied here. The controller APIs (handlers/controller/) turn wire
 * requests into these calls and the outcomes into responses; they run one
 * at a time (controller_channel.ts), so each decision sees the one before.
 */
import {
  type AlterPartitionRequest,
  type AlterPartitionResponse,
  type BrokerHeartbeatRequest,
  type BrokerHeartbeatResponse,
  type BrokerRegistrationRequest,
  type ConfigChange,
  decideAlter,
  decideAlterPartition,
  decideAlterPartitionReassignments,
  decideBrokerHeartbeat,
  decideCreatePartitions,
  decideCreateTopic,
  decideDeleteTopic,
  decideElectLeaders,
  decideIncrementalAlter,
  decideProducerIdBlock,
  decideRegisterBroker,
  type Decision,
  type ElectionResult,
  type ElectionSettings,
  type ElectLeadersRequest,
  inertChangeWarnings,
  isRefusal,
  listPartitionReassignments,
  type MetadataImage,
  type MetadataRecord,
  MetadataRecordType,
  type NewTopic,
  type OngoingReassignment,
  type PlacementContext,
  type ReassignmentRequest,
  type ReassignmentResult,
  type Refusal,
  type RegistrationDecision,
  type TopicImage,
  uncleanElections,
} from "../../metadata/mod.ts";
import type { ControllerServices } from "../handler.ts";

/** A resource's config entries as AlterConfigs gives them (each replaces all overrides). */
export interface ConfigResource {
  resourceType: number;
  resourceName: string;
}

export interface QuorumControllerOptions {
  /**
   * The applied metadata and this node's identity; its static configuration, when given, supplies the
   * server.properties value of `unclean.leader.election.enable` (Kafka's default, false, otherwise).
   */
  metadata: {
    readonly image: MetadataImage;
    readonly nodeId: number;
    readonly clusterId: string;
    readonly config?: {
      bool(key: "unclean.leader.election.enable"): boolean;
      int?(key: "min.insync.replicas"): number;
    };
  };
  /** The Raft quorum: commits records, and knows its log's end (a new broker's epoch). */
  quorum: { propose(records: MetadataRecord[]): Promise<void>; readonly logEndOffset: number };
  /** Broker heartbeat sessions (controller_state.ts). */
  sessions: { touch(brokerId: number): void; sessionActive(brokerId: number): boolean };
  /** Defaults and brokers for placing new partitions. */
  placementContext(): PlacementContext;
  /** Where warnings go (a config change that has no effect yet). */
  log(line: string): void;
}

export class QuorumController implements ControllerServices {
  constructor(private readonly options: QuorumControllerOptions) {}

  get #image(): MetadataImage {
    return this.options.metadata.image;
  }

  /** The static half of the unclean election setting; topic and cluster-wide values come from the image. */
  #election(): ElectionSettings {
    const config = this.options.metadata.config;
    return {
      uncleanLeaderElectionEnable: config?.bool("unclean.leader.election.enable") ?? false,
      minInsyncReplicas: config?.int?.("min.insync.replicas") ?? 1,
    };
  }

  /** Commits a decision's records unless it is a refusal or only validated; returns it. */
  async #commit<T extends { records: MetadataRecord[] } | Refusal>(
    decision: T,
    validateOnly = false,
  ): Promise<T> {
    if (!isRefusal(decision as Decision) && !validateOnly) {
      await this.options.quorum.propose((decision as { records: MetadataRecord[] }).records);
    }
    return decision;
  }

  createTopic(topic: NewTopic, validateOnly: boolean): Promise<Decision> {
    return this.#commit(decideCreateTopic(this.#image, topic, this.options.placementContext()), validateOnly);
  }

  async deleteTopic(topic: TopicImage): Promise<void> {
    await this.#commit(decideDeleteTopic(topic));
  }

  createPartitions(
    topic: TopicImage,
    totalCount: number,
    assignments: number[][] | null,
    validateOnly: boolean,
  ): Promise<Decision> {
    const decision = decideCreatePartitions(
      this.#image,
      topic,
      totalCount,
      assignments,
      this.options.placementContext(),
    );
    return this.#commit(decision, validateOnly);
  }

  alterConfigs(
    resource: ConfigResource & { configs: { name: string; value: string | null }[] },
    validateOnly: boolean,
  ): Promise<Decision> {
    return this.#commitConfigs(decideAlter(this.#image, resource), validateOnly);
  }

  incrementalAlterConfigs(
    resource: ConfigResource & { changes: ConfigChange[] },
    validateOnly: boolean,
  ): Promise<Decision> {
    return this.#commitConfigs(decideIncrementalAlter(this.#image, resource), validateOnly);
  }

  /** Commits config records, and says once which changed keys Dafka does not act on yet. */
  async #commitConfigs(decision: Decision, validateOnly: boolean): Promise<Decision> {
    await this.#commit(decision, validateOnly);
    if (!isRefusal(decision) && !validateOnly) {
      for (const warning of inertChangeWarnings(decision.records)) this.options.log(warning);
      await this.#electUncleanlyIfEnabled(decision.records);
    }
    return decision;
  }

  /**
   * Turning `unclean.leader.election.enable` on (topic or cluster-wide) lets leaderless partitions elect
   * an out-of-sync live replica at once; Kafka's controller finds them on its next periodic check.
   */
  async #electUncleanlyIfEnabled(records: MetadataRecord[]): Promise<void> {
    const touched = records.some((record) =>
      record.type === MetadataRecordType.Config && record.name === "unclean.leader.election.enable"
    );
    if (!touched) return;
    const elections = uncleanElections(this.#image, this.#election());
    if (elections.length > 0) await this.options.quorum.propose(elections);
  }

  /** Registers a broker; its epoch is the offset its RegisterBrokerRecord lands at (KIP-631). */
  async registerBroker(request: BrokerRegistrationRequest): Promise<RegistrationDecision> {
    const { metadata, quorum, sessions } = this.options;
    const decision = decideRegisterBroker(this.#image, request, {
      clusterId: metadata.clusterId,
      brokerEpoch: quorum.logEndOffset,
      sessionActive: sessions.sessionActive(request.brokerId),
      election: this.#election(),
    });
    if (isRefusal(decision)) return decision;
    await this.#commit(decision);
    sessions.touch(request.brokerId);
    return decision;
  }

  /** A heartbeat keeps the broker's session and may unfence it, fence it, or grant its controlled shutdown. */
  async brokerHeartbeat(request: BrokerHeartbeatRequest): Promise<BrokerHeartbeatResponse> {
    const decision = decideBrokerHeartbeat(this.#image, request, { election: this.#election() });
    if (decision.response.errorCode === 0) this.options.sessions.touch(request.brokerId);
    await this.options.quorum.propose(decision.records);
    return decision.response;
  }

  /** The next block of producer ids for `brokerId`; returns its first id. */
  async allocateProducerIds(brokerId: number): Promise<number> {
    const block = decideProducerIdBlock(this.#image, brokerId);
    await this.options.quorum.propose(block.records);
    return block.firstId;
  }

  /** Changes ISRs (or leader recovery states) as partition leaders ask, once the records are committed. */
  async alterPartition(request: AlterPartitionRequest): Promise<AlterPartitionResponse> {
    const decision = decideAlterPartition(this.#image, request, this.#election());
    if (decision.records.length > 0) await this.options.quorum.propose(decision.records);
    return decision.response;
  }

  /** Starts, replaces or cancels reassignments; every partition's record is committed in one batch. */
  async alterPartitionReassignments(request: ReassignmentRequest): Promise<ReassignmentResult[]> {
    const decision = decideAlterPartitionReassignments(this.#image, request, this.#election());
    if (decision.records.length > 0) await this.options.quorum.propose(decision.records);
    return decision.responses;
  }

  listPartitionReassignments(
    topics: { name: string; partitionIndexes: number[] }[] | null,
  ): OngoingReassignment[] {
    return listPartitionReassignments(this.#image, topics);
  }

  /** Preferred or unclean elections, answered once committed. */
  async electLeaders(
    request: ElectLeadersRequest,
  ): Promise<{ errorCode: number; results: ElectionResult[] }> {
    const decision = decideElectLeaders(this.#image, request, this.#election());
    if (decision.records.length > 0) await this.options.quorum.propose(decision.records);
    return { errorCode: decision.errorCode, results: decision.results };
  }
}
