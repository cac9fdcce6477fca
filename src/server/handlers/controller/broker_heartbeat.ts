/**
 * BrokerHeartbeat (key 63), v0-1, served by the active controller on its
 * controller listener: a registered broker reports how far it has applied
 * the metadata log; the controller keeps its session alive, unfences it
 * once it has caught up, and answers whether it is fenced (KIP-631).
 */
import { brokerHeartbeat } from "../../../protocol/messages/mod.ts";
import { controllerApi } from "../../controller/mod.ts";

export const brokerHeartbeatHandler = controllerApi({
  schema: brokerHeartbeat,
  async control(context, body) {
    const response = await context.services.control.brokerHeartbeat({
      brokerId: body.brokerId,
      brokerEpoch: body.brokerEpoch,
      currentMetadataOffset: body.currentMetadataOffset,
      wantFence: body.wantFence,
      wantShutDown: body.wantShutDown,
    });
    return { throttleTimeMs: 0, ...response };
  },
  refuse(_body, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, isCaughtUp: false, isFenced: true, shouldShutDown: false };
  },
});
