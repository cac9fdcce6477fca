/**
 * Producer ids, handed out from blocks the active controller reserves for this broker.
 *
 * This file is the folder's public face: other folders import from it, not from its files.
 */
export { ProducerIdManager } from "./producer_ids.ts";
