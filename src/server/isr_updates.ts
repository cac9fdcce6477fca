/**
 * Sends the leaders' ISR changes to the active controller (Kafka's
 * AlterPartitionManager): AlterPartition v3 with each member's broker epoch
 * (KIP-903), one request in flight per partition (the state machine holds
 * it), the answer handed back to the partition. A refused or failed request
 * is retried no sooner than RETRY_BACKOFF_MS later, so that a controller that
 * keeps saying no (an ineligible replica, a stale epoch before the metadata
 * catches up) is not asked in a loop.
 *
 * Only a refusal that says the change was not made (OPERATION_NOT_ATTEMPTED,
 * INELIGIBLE_REPLICA) drops the proposal, as Kafka's Partition does. After
 * any other error, or no answer, the controller may have committed it (a
 * proposal outlives a lost connection or a controller change): the
 * proposal stays in flight, so that a replica it adds keeps counting for the
 * high watermark, and the same proposal is sent again until an answer or
 * the metadata settles it (found by the cluster simulator, seed 259: the
 * high watermark passed a replica the controller had taken into the ISR).
 */
import type { Clock } from "../io/mod.ts";
import { ErrorCode } from "../protocol/mod.ts";
import type { CommittedPartitionState, IsrProposal } from "../replication/mod.ts";
import { internalCall } from "./broker_requests.ts";
import type { NodeServices } from "./handler.ts";
import { alterPartitionHandler } from "./handlers/controller/mod.ts";
import type { Partition } from "./partition.ts";

const RETRY_BACKOFF_MS = 100;

export interface IsrUpdatesOptions {
  clock: Clock;
  brokerId: number;
  brokerEpoch: () => number;
  services: NodeServices;
  log: (line: string) => void;
}

export class IsrUpdates {
  /** Partitions whose last request failed, and when they may ask again. */
  readonly #retryAt = new Map<string, number>();
  /** Proposals sent without a definite answer, to send again while they are still in flight. */
  readonly #unsettled = new Map<string, IsrProposal>();

  constructor(private readonly options: IsrUpdatesOptions) {}

  /** Sends the partition's next ISR change, if its leader wants one and none is in flight. */
  maybeSend(partition: Partition): void {
    const nowMs = this.options.clock.monotonicMs();
    const retryAt = this.#retryAt.get(partition.key);
    if (retryAt !== undefined && nowMs < retryAt) return;
    const unsettled = this.#unsettled.get(partition.key);
    this.#unsettled.delete(partition.key);
    const proposal = unsettled !== undefined && partition.leaderState?.inFlight === unsettled
      ? unsettled
      : partition.proposeIsrChange(this.options.clock.nowMs());
    if (proposal === null) return;
    const failed = (why: string, notMade: boolean) => {
      this.#retryAt.set(partition.key, this.options.clock.monotonicMs() + RETRY_BACKOFF_MS);
      this.options.log(`AlterPartition for ${partition.key} failed: ${why}`);
      if (notMade) partition.onIsrChangeAnswered(proposal, null);
      else this.#unsettled.set(partition.key, proposal);
    };
    internalCall(this.options.services, alterPartitionHandler, {
      brokerId: this.options.brokerId,
      brokerEpoch: this.options.brokerEpoch(),
      topics: [{
        topicName: partition.topic,
        topicId: partition.topicId,
        partitions: [{
          partitionIndex: partition.partition,
          leaderEpoch: proposal.leaderEpoch,
          newIsr: proposal.isr.map((member) => member.brokerId),
          newIsrWithEpochs: proposal.isr,
          leaderRecoveryState: proposal.leaderRecoveryState,
          partitionEpoch: proposal.partitionEpoch,
        }],
      }],
    }).then(
      (answer) => {
        const result = answer.topics[0]?.partitions[0];
        const errorCode = answer.errorCode !== ErrorCode.NONE ? answer.errorCode : result?.errorCode;
        if (result === undefined || errorCode !== ErrorCode.NONE) {
          const notMade = errorCode === ErrorCode.OPERATION_NOT_ATTEMPTED ||
            errorCode === ErrorCode.INELIGIBLE_REPLICA;
          return failed(`error ${errorCode}`, notMade);
        }
        this.#retryAt.delete(partition.key);
        const state: CommittedPartitionState = {
          leaderEpoch: result.leaderEpoch,
          partitionEpoch: result.partitionEpoch,
          isr: result.isr,
          leaderRecoveryState: result.leaderRecoveryState,
        };
        partition.onIsrChangeAnswered(proposal, state);
      },
      (error) => failed((error as Error).message, false),
    );
  }
}
