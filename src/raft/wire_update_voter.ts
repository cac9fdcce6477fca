/**
 * UpdateRaftVoter (82, KIP-853) between the core's messages and the Kafka
 * bodies, both ways. The response's tagged current leader carries no
 * endpoint here (the voter set in the log does).
 */
import {
  type Message,
  type RequestInput,
  type RequestOf,
  type ResponseInput,
  type ResponseOf,
  uuidFromString,
  uuidToString,
} from "../protocol/mod.ts";
import type { updateRaftVoter } from "../protocol/messages/mod.ts";
import type { UpdateRaftVoterRequest, UpdateRaftVoterResponse } from "./messages.ts";
import { ZERO_UUID } from "./wire_common.ts";

export function updateVoterRequestToWire(
  request: UpdateRaftVoterRequest,
): RequestInput<typeof updateRaftVoter> {
  return {
    clusterId: request.clusterId,
    currentLeaderEpoch: request.currentLeaderEpoch,
    voterId: request.voterId,
    voterDirectoryId: request.voterDirectoryId === null
      ? ZERO_UUID
      : uuidFromString(request.voterDirectoryId) ?? ZERO_UUID,
    listeners: request.endpoints.map((endpoint) => ({ ...endpoint })),
    kRaftVersionFeature: {
      minSupportedVersion: request.kraftVersionMin,
      maxSupportedVersion: request.kraftVersionMax,
    },
  };
}

export function updateVoterResponseToWire(
  response: UpdateRaftVoterResponse,
): ResponseInput<typeof updateRaftVoter> {
  return {
    throttleTimeMs: 0,
    errorCode: response.errorCode,
    currentLeader: { leaderId: response.leaderId, leaderEpoch: response.leaderEpoch, host: "", port: 0 },
  };
}

export function updateVoterRequestFromWire(body: Message): UpdateRaftVoterRequest {
  const request = body as RequestOf<typeof updateRaftVoter>;
  const directory = request.voterDirectoryId;
  return {
    type: "UpdateRaftVoterRequest",
    clusterId: request.clusterId,
    currentLeaderEpoch: request.currentLeaderEpoch,
    voterId: request.voterId,
    voterDirectoryId: directory.every((byte) => byte === 0) ? null : uuidToString(directory),
    endpoints: request.listeners.map((listener) => ({
      name: listener.name,
      host: listener.host,
      port: listener.port,
    })),
    kraftVersionMin: request.kRaftVersionFeature.minSupportedVersion,
    kraftVersionMax: request.kRaftVersionFeature.maxSupportedVersion,
  };
}

export function updateVoterResponseFromWire(body: Message): UpdateRaftVoterResponse {
  const response = body as ResponseOf<typeof updateRaftVoter>;
  return {
    type: "UpdateRaftVoterResponse",
    errorCode: response.errorCode,
    leaderId: response.currentLeader.leaderId,
    leaderEpoch: response.currentLeader.leaderEpoch,
  };
}
