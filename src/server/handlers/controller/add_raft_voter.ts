/**
 * AddRaftVoter (key 80), v0-1 (KIP-853, `kafka-metadata-quorum add-controller`):
 * an observer that has caught up with the metadata log becomes a voter. Runs
 * on the active controller (the quorum's leader; any other node forwards it
 * there, as Kafka's brokers do); answered once the new VotersRecord is
 * committed, or (v1 with ackWhenCommitted false) once it is appended.
 */
import { ErrorCode } from "../../../protocol/mod.ts";
import { addRaftVoter } from "../../../protocol/messages/mod.ts";
import { controllerApi } from "../../controller/mod.ts";
import { directoryIdOf, endpointsOf, voterChangeOutcome } from "./_voter_change.ts";

export const addRaftVoterHandler = controllerApi({
  schema: addRaftVoter,
  async control(context, body) {
    const outcome = await voterChangeOutcome(() =>
      context.services.raft.addVoter(
        {
          voterId: body.voterId,
          directoryId: directoryIdOf(body.voterDirectoryId),
          endpoints: endpointsOf(body.listeners),
        },
        body.timeoutMs,
        body.ackWhenCommitted,
      )
    );
    return { throttleTimeMs: 0, ...outcome };
  },
  refuse(_body, _version, errorCode, errorMessage) {
    return {
      throttleTimeMs: 0,
      errorCode: errorCode === ErrorCode.NONE ? ErrorCode.UNKNOWN_SERVER_ERROR : errorCode,
      errorMessage,
    };
  },
});
