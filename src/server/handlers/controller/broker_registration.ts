/**
 * BrokerRegistration (key 62), v0-4, served by the active controller on
 * its controller listener: a broker starting up registers and gets its
 * broker epoch, the offset of its RegisterBrokerRecord (KIP-631). It starts
 * fenced; heartbeats unfence it once it has caught up with the log.
 */
import { isRefusal } from "../../../metadata/mod.ts";
import { ErrorCode } from "../../../protocol/mod.ts";
import { brokerRegistration } from "../../../protocol/messages/mod.ts";
import { controllerApi } from "../../controller/mod.ts";

export const brokerRegistrationHandler = controllerApi({
  schema: brokerRegistration,
  async control(context, body) {
    const services = context.services;
    const decision = await services.control.registerBroker({
      brokerId: body.brokerId,
      clusterId: body.clusterId,
      incarnationId: body.incarnationId,
      listeners: body.listeners.map((listener) => ({
        name: listener.name,
        host: listener.host,
        port: listener.port,
        securityProtocol: listener.securityProtocol,
      })),
      rack: body.rack ?? null,
      features: body.features,
      isMigratingZkBroker: body.isMigratingZkBroker ?? false,
    });
    if (isRefusal(decision)) {
      return { throttleTimeMs: 0, errorCode: decision.errorCode, brokerEpoch: -1 };
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, brokerEpoch: decision.brokerEpoch };
  },
  refuse(_body, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, brokerEpoch: -1 };
  },
});
