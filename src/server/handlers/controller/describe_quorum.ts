/** DescribeQuorum (key 55), v0-2: the active controller's view of the voters and observers, from any node. */
import { ErrorCode } from "../../../protocol/mod.ts";
import { describeQuorum } from "../../../protocol/messages/mod.ts";
import { controllerApi } from "../../controller/mod.ts";

export const describeQuorumHandler = controllerApi({
  schema: describeQuorum,
  control(context) {
    return Promise.resolve(context.services.raft.describeQuorum());
  },
  refuse(_body, _version, errorCode, errorMessage) {
    return {
      errorCode: errorCode === ErrorCode.NONE ? ErrorCode.UNKNOWN_SERVER_ERROR : errorCode,
      errorMessage,
      topics: [],
      nodes: [],
    };
  },
});
