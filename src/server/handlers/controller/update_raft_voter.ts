/**
 * UpdateRaftVoter (key 82), v0 (KIP-853): a voter gives the leader its
 * current listeners and supported kraft.version range, which replace those in
 * the voter set. Runs on the active controller, answered once committed.
 */
import { ErrorCode } from "../../../protocol/mod.ts";
import { updateRaftVoter } from "../../../protocol/messages/mod.ts";
import { controllerApi } from "../../controller/mod.ts";
import { directoryIdOf, endpointsOf, voterChangeOutcome } from "./_voter_change.ts";

export const updateRaftVoterHandler = controllerApi({
  schema: updateRaftVoter,
  async control(context, body) {
    const outcome = await voterChangeOutcome(() =>
      context.services.raft.updateVoter(
        {
          voterId: body.voterId,
          directoryId: directoryIdOf(body.voterDirectoryId),
          endpoints: endpointsOf(body.listeners),
          kraftVersionMin: body.kRaftVersionFeature.minSupportedVersion,
          kraftVersionMax: body.kRaftVersionFeature.maxSupportedVersion,
        },
        0,
      )
    );
    return { throttleTimeMs: 0, errorCode: outcome.errorCode };
  },
  refuse(_body, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      errorCode: errorCode === ErrorCode.NONE ? ErrorCode.UNKNOWN_SERVER_ERROR : errorCode,
    };
  },
});
