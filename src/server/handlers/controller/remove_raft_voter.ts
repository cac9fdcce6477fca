/**
 * RemoveRaftVoter (key 81), v0 (KIP-853, `kafka-metadata-quorum remove-controller`):
 * a voter leaves the metadata quorum. Runs on the active controller, answered
 * once the new VotersRecord is committed; a leader that removes itself
 * resigns then, and the remaining voters elect a successor.
 */
import { ErrorCode } from "../../../protocol/mod.ts";
import { removeRaftVoter } from "../../../protocol/messages/mod.ts";
import { controllerApi } from "../../controller/mod.ts";
import { directoryIdOf, voterChangeOutcome } from "./_voter_change.ts";

export const removeRaftVoterHandler = controllerApi({
  schema: removeRaftVoter,
  async control(context, body) {
    const outcome = await voterChangeOutcome(() =>
      context.services.raft.removeVoter(body.voterId, directoryIdOf(body.voterDirectoryId), 0)
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
