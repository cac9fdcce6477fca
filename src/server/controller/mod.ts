/**
 * The active controller on a node: its commands (QuorumController), broker sessions and fencing
 * (ControllerState), the channel that reaches it from any broker, and the shape of a controller API.
 *
 * This file is the folder's public face: other folders import from it, not from its files.
 */
export { type ControllerApi, controllerApi, mapInOrder } from "./controller_api.ts";
export { ControllerChannel } from "./controller_channel.ts";
export {
  ControllerState,
  ELR_VERSION_LEVEL,
  METADATA_VERSION_LEVEL,
  SUPPORTED_FEATURES,
} from "./controller_state.ts";
export { QuorumController } from "./quorum_controller.ts";
