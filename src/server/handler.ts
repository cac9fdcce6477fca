/**
 * What a request handler is, and what it is given.
 *
 * One handler per API key (src/server/handlers/). A handler turns a decoded
 * request into a response body; Kafka errors are reported per item as error
 * codes inside that body, while a thrown error means "close the connection".
 *
 * A handler reaches the node only through the small interfaces of
 * `NodeServices`, each one job: the applied metadata, the partitions led
 * here, the controller, the groups, producer ids. The `Broker` implements
 * them; a test fakes just the ones its handler uses (`_handler_test_support.ts`).
 * This file imports no handler and no `Broker`, so no import circle runs
 * through it.
 */
import type { BrokerConfig, TopicConfigResolver } from "../config/mod.ts";
import type { Clock } from "../io/mod.ts";
import type {
  AlterPartitionRequest,
  AlterPartitionResponse,
  BrokerEndpoint,
  BrokerHeartbeatRequest,
  BrokerHeartbeatResponse,
  BrokerRegistrationRequest,
  ConfigChange,
  Decision,
  ElectionResult,
  ElectLeadersRequest,
  MetadataImage,
  NewTopic,
  OngoingReassignment,
  ReassignmentRequest,
  ReassignmentResult,
  Refusal,
  RegistrationDecision,
  TopicImage,
} from "../metadata/mod.ts";
import type { ApiSchema, Message, RequestHeader, RequestOf, ResponseInput } from "../protocol/mod.ts";
import type { ProducerIdManager } from "../txn/mod.ts";
import type { AppendWaiters } from "./append_waiters.ts";
import type { FetchSessionCache } from "./fetch_sessions.ts";
import type { GroupDriver } from "./group_driver.ts";
import type { Partition } from "./partition.ts";
import type { MetadataQuorum } from "./raft_driver/mod.ts";

/** The metadata as this node applied it, and this node's place in the cluster. */
export interface MetadataView {
  readonly nodeId: number;
  readonly clusterId: string;
  /** The applied image; it is replaced whole when a snapshot loads, so read it at each use. */
  readonly image: MetadataImage;
  /** The unfenced brokers at their endpoint for `listenerName` (what Metadata lists). */
  brokerEndpoints(listenerName: string): BrokerEndpoint[];
  /** The controller id clients are told (a live broker they can reach). */
  controllerIdForClients(): number;
  /** Resolves true once `condition` holds of the applied metadata, false after `timeoutMs`. */
  waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean>;
}

/** The partitions this node leads, and the replicas it holds. */
export interface PartitionLookup {
  /** The partition if this node leads it (its log is open here). */
  partition(topic: string, index: number): Partition | undefined;
  /** The partition if it has a replica here, whatever its role (a follower serves some fetches, KIP-392). */
  replica(topic: string, index: number): Partition | undefined;
  /** Every partition with a replica here. */
  replicas(): Iterable<Partition>;
  /** Why a partition is not led here: another node leads it, or it does not exist. */
  partitionErrorCode(topic: string, index: number): number;
  /** Writes `log-start-offset-checkpoint` now (after DeleteRecords). */
  checkpointLogStartOffsets(): void;
  /** A follower fetched `partition`: the leader may now change its ISR (AlterPartition). */
  afterReplicaFetch(partition: Partition): void;
}

/** What Fetch waits on and keeps: appends to wake long polls, incremental fetch sessions. */
export interface FetchServices {
  readonly appendWaiters: AppendWaiters;
  readonly sessions: FetchSessionCache;
}

/** The node's settings: static, dynamic (from the metadata), and how topic settings resolve. */
export interface SettingsView {
  readonly config: BrokerConfig;
  readonly topicConfigs: TopicConfigResolver;
  /** Dynamic broker configs: cluster-wide defaults overlaid by this node's own. */
  dynamicBrokerConfigs(): ReadonlyMap<string, string>;
}

/**
 * An API that needs the active controller. `control` runs there, one
 * request at a time; `refuse` fails every item with one error; see
 * controller/controller_api.ts.
 */
export interface ControllerApiSpec {
  schema: ApiSchema;
  control(context: RequestContext, body: Message): Promise<Message>;
  refuse(body: Message, version: number, errorCode: number, errorMessage: string): Message;
  /**
   * After another node's controller answered: whether this node's image
   * already shows what the answer reports done (the broker waits for it).
   */
  appliedHere?(context: RequestContext, body: Message, answer: Message): boolean;
}

/** Reaching the active controller, wherever it runs (the controller channel). */
export interface ControllerAccess {
  /** Answers `body` for `api` from the active controller: here, or forwarded. */
  call(api: ControllerApiSpec, context: RequestContext, body: Message): Promise<Message>;
}

/** The active controller's commands (decide against the image, then commit through the quorum). */
export interface ControllerServices {
  /** Creates a topic unless `validateOnly`; the refusal, or the records committed. */
  createTopic(topic: NewTopic, validateOnly: boolean): Promise<Decision>;
  deleteTopic(topic: TopicImage): Promise<void>;
  /** Grows `topic` to `totalCount` partitions (given assignments, or placed). */
  createPartitions(
    topic: TopicImage,
    totalCount: number,
    assignments: number[][] | null,
    validateOnly: boolean,
  ): Promise<Decision>;
  /** AlterConfigs: the given entries replace all of the resource's overrides. */
  alterConfigs(
    resource: {
      resourceType: number;
      resourceName: string;
      configs: { name: string; value: string | null }[];
    },
    validateOnly: boolean,
  ): Promise<Decision>;
  /** IncrementalAlterConfigs: SET, DELETE, APPEND, SUBTRACT. */
  incrementalAlterConfigs(
    resource: { resourceType: number; resourceName: string; changes: ConfigChange[] },
    validateOnly: boolean,
  ): Promise<Decision>;
  /** Registers a broker (KIP-631); its epoch is the offset of its registration record. */
  registerBroker(request: BrokerRegistrationRequest): Promise<RegistrationDecision>;
  brokerHeartbeat(request: BrokerHeartbeatRequest): Promise<BrokerHeartbeatResponse>;
  /** The first id of a new block of producer ids for `brokerId`. */
  allocateProducerIds(brokerId: number): Promise<number>;
  /** AlterPartition (KIP-497): a leader's ISR change, committed before the answer; refusals as error codes. */
  alterPartition(request: AlterPartitionRequest): Promise<AlterPartitionResponse>;
  /** AlterPartitionReassignments (KIP-455): sets or cancels target replicas, committed before the answer. */
  alterPartitionReassignments(request: ReassignmentRequest): Promise<ReassignmentResult[]>;
  /** ListPartitionReassignments: the reassignments under way (null: of every topic). */
  listPartitionReassignments(
    topics: { name: string; partitionIndexes: number[] }[] | null,
  ): OngoingReassignment[];
  /** ElectLeaders (KIP-460): preferred or unclean elections, committed before the answer. */
  electLeaders(request: ElectLeadersRequest): Promise<{ errorCode: number; results: ElectionResult[] }>;
}
/** Topics this broker creates on first use (auto-creation). */
export interface TopicAutoCreation {
  /** Creates a topic with the broker's defaults and waits until this node sees it; a refusal says why not. */
  autoCreateTopic(name: string): Promise<Refusal | null>;
}

/** The Raft core's own requests (Vote, Fetch of the metadata log, ...), and DescribeQuorum. */
export type RaftAccess = Pick<
  MetadataQuorum,
  "handleRequest" | "describeQuorum" | "addVoter" | "removeVoter"
>;

/** The group coordinator's requests. */
export type GroupServices = Pick<
  GroupDriver,
  | "joinGroup"
  | "syncGroup"
  | "heartbeat"
  | "leaveGroup"
  | "commitOffsets"
  | "fetchOffsets"
  | "deleteOffsets"
  | "listGroups"
  | "describeGroups"
  | "deleteGroups"
  | "ensureOffsetsTopic"
  | "consumerGroupHeartbeat"
  | "describeConsumerGroups"
>;

/** Producer ids for InitProducerId. */
export type ProducerIdSource = Pick<ProducerIdManager, "next">;

/** Everything a handler may use, one small interface per job. */
export interface NodeServices {
  readonly clock: Clock;
  readonly settings: SettingsView;
  readonly metadata: MetadataView;
  readonly partitions: PartitionLookup;
  readonly fetch: FetchServices;
  readonly controller: ControllerAccess;
  readonly control: ControllerServices;
  readonly topics: TopicAutoCreation;
  readonly groups: GroupServices;
  readonly producerIds: ProducerIdSource;
  readonly raft: RaftAccess;
}

export interface RequestContext {
  header: RequestHeader;
  /** The request's API version (same as header.apiVersion). */
  version: number;
  services: NodeServices;
  /** Identifies the connection (for fetch sessions and logs). */
  connectionId: number;
  /** Size of the request frame in bytes. */
  requestBytes: number;
  /** The client's address as "host:port" (DescribeGroups reports its host). */
  clientAddress: string;
  /** The name of the listener the request came in on (Metadata answers with that listener's endpoints). */
  listenerName: string;
  /** Whether it came in on a controller listener (such requests are never forwarded again). */
  viaControllerListener: boolean;
  /** The APIs served on that listener (what ApiVersions advertises there). */
  handlers: ReadonlyMap<number, ApiHandler>;
}

/** A handler of any API: the request and response are the untyped `Message`. */
export interface UntypedApiHandler {
  /** The API's schema; its `versions` are exactly what ApiVersions advertises. */
  schema: ApiSchema;
  /** Returns the response body, or null when no response is sent (Produce with acks=0). */
  handle(context: RequestContext, body: Message): Message | null | Promise<Message | null>;
}

/**
 * A handler typed by its API's schema: the request arrives as `RequestOf<S>`
 * and the response it returns is checked field by field (`ResponseInput<S>`).
 * It fits wherever an untyped handler is expected (a registry of handlers).
 */
export interface TypedApiHandler<S extends ApiSchema> {
  schema: S;
  handle(
    context: RequestContext,
    body: RequestOf<S>,
  ): ResponseInput<S> | null | Promise<ResponseInput<S> | null>;
}

/**
 * The handler of one API: `ApiHandler<typeof joinGroup>` is typed by the
 * schema, plain `ApiHandler` is untyped, as before. (Two interfaces rather
 * than one generic: a typed handler then assigns to the untyped one by
 * structure; one generic interface would be compared by the variance of its
 * parameter, which these conditional types leave unrelated.)
 */
export type ApiHandler<S extends ApiSchema = never> = [S] extends [never] ? UntypedApiHandler
  : TypedApiHandler<S>;

/** Thrown by a handler to close the connection on purpose (logged in one line, without a stack). */
export class CloseConnection extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "CloseConnection";
  }
}
