/**
 * InitProducerId (key 22), v0-5, for idempotent producers.
 * A request without a transactional id gets a fresh producer id at epoch 0,
 * as Kafka does (v3+ may carry the old id and epoch, KIP-360; a
 * non-transactional producer still gets a new id). v2: flexible.
 * Transactions are not implemented yet: a transactional id is refused.
 */
import { ErrorCode, KafkaError } from "../../../protocol/mod.ts";
import { initProducerId } from "../../../protocol/messages/mod.ts";
import type { ApiHandler } from "../../handler.ts";

export const initProducerIdHandler: ApiHandler<typeof initProducerId> = {
  schema: initProducerId,
  async handle(context, body) {
    if (body.transactionalId !== null && body.transactionalId !== undefined) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
        producerId: -1,
        producerEpoch: -1,
      };
    }
    try {
      const producerId = await context.services.producerIds.next();
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
    } catch (error) {
      if (!(error instanceof KafkaError)) throw error;
      // The controller could not be reached in time: the client retries.
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
        producerId: -1,
        producerEpoch: -1,
      };
    }
  },
};
