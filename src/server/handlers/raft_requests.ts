/**
 * The Raft APIs a controller serves to the other voters and observers on
 * its controller listener: Vote, BeginQuorumEpoch, EndQuorumEpoch, Fetch
 * of `__cluster_metadata-0` and FetchSnapshot go to the node's Raft core
 * (which refuses bad input with Kafka's error codes, see src/raft);
 * DescribeQuorum is answered by the active controller from any node.
 */
import { ErrorCode } from "../../protocol/errors.ts";
import { beginQuorumEpoch } from "../../protocol/messages/begin_quorum_epoch.ts";
import { describeQuorum } from "../../protocol/messages/describe_quorum.ts";
import { endQuorumEpoch } from "../../protocol/messages/end_quorum_epoch.ts";
import { fetchApi } from "../../protocol/messages/fetch.ts";
import { fetchSnapshot } from "../../protocol/messages/fetch_snapshot.ts";
import { vote } from "../../protocol/messages/vote.ts";
import type { ApiSchema } from "../../protocol/schema.ts";
import { controllerApi } from "../controller/controller_api.ts";
import { type ApiHandler, CloseConnection } from "../handler.ts";

function raftApi(schema: ApiSchema): ApiHandler {
  return {
    schema,
    async handle(context, body) {
      const answer = await context.broker.quorum.handleRequest(schema.apiKey, context.version, body);
      if (answer === null) throw new CloseConnection(`no answer from the Raft core to ${schema.name}`);
      return answer;
    },
  };
}

export const voteHandler = raftApi(vote);
export const beginQuorumEpochHandler = raftApi(beginQuorumEpoch);
export const endQuorumEpochHandler = raftApi(endQuorumEpoch);
export const raftFetchHandler = raftApi(fetchApi);
export const fetchSnapshotHandler = raftApi(fetchSnapshot);

/** DescribeQuorum (55), v0-2: the active controller's view of the voters and observers. */
export const describeQuorumHandler = controllerApi({
  schema: describeQuorum,
  control(context) {
    return Promise.resolve(context.broker.quorum.describeQuorum());
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
