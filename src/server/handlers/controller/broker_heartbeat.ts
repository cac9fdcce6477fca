/**
 * BrokerHeartbeat (key 63), v0-1, served by the active controller on its
 * controller listener: a registered broker reports how far it has applied
 * the metadata log; the controller keeps its session alive, unfences it
 * once it has caught up, and answers whether it is fenced (KIP-631).
 */
import { decideBrokerHeartbeat } from "../../../metadata/broker_decisions.ts";
import { brokerHeartbeat } from "../../../protocol/messages/broker_heartbeat.ts";
import { controllerApi } from "../../controller/controller_api.ts";

export const brokerHeartbeatHandler = controllerApi({
  schema: brokerHeartbeat,
  async control(context, body) {
    const services = context.services;
    const decision = decideBrokerHeartbeat(services.metadata.image, {
      brokerId: body.brokerId,
      brokerEpoch: body.brokerEpoch,
      currentMetadataOffset: body.currentMetadataOffset,
      wantFence: body.wantFence,
      wantShutDown: body.wantShutDown,
    });
    if (decision.response.errorCode === 0) services.control.sessions.touch(body.brokerId);
    await services.control.propose(decision.records);
    return { throttleTimeMs: 0, ...decision.response };
  },
  refuse(_body, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, isCaughtUp: false, isFenced: true, shouldShutDown: false };
  },
});
