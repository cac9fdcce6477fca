/**
 * AllocateProducerIds (key 67), v0, served by the active controller on its
 * controller listener: a broker reserves the next block of producer ids
 * (KIP-730), recorded in the metadata log so no id is handed out twice.
 */
import { PRODUCER_ID_BLOCK_SIZE } from "../../../metadata/mod.ts";
import { ErrorCode } from "../../../protocol/mod.ts";
import { allocateProducerIds } from "../../../protocol/messages/mod.ts";
import { controllerApi } from "../../controller/mod.ts";

export const allocateProducerIdsHandler = controllerApi({
  schema: allocateProducerIds,
  async control(context, body) {
    const firstId = await context.services.control.allocateProducerIds(body.brokerId);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      producerIdStart: firstId,
      producerIdLen: PRODUCER_ID_BLOCK_SIZE,
    };
  },
  refuse(_body, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, producerIdStart: -1, producerIdLen: 0 };
  },
});
