/**
 * AllocateProducerIds (key 67), v0, served by the active controller on its
 * controller listener: a broker reserves the next block of producer ids
 * (KIP-730), recorded in the metadata log so no id is handed out twice.
 */
import { decideProducerIdBlock, PRODUCER_ID_BLOCK_SIZE } from "../../../metadata/controller.ts";
import { ErrorCode } from "../../../protocol/errors.ts";
import { allocateProducerIds } from "../../../protocol/messages/allocate_producer_ids.ts";
import { controllerApi } from "../../controller/controller_api.ts";

export const allocateProducerIdsHandler = controllerApi({
  schema: allocateProducerIds,
  async control(context, body) {
    const block = decideProducerIdBlock(context.services.metadata.image, body.brokerId);
    await context.services.control.propose(block.records);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      producerIdStart: block.firstId,
      producerIdLen: PRODUCER_ID_BLOCK_SIZE,
    };
  },
  refuse(_body, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, producerIdStart: -1, producerIdLen: 0 };
  },
});
