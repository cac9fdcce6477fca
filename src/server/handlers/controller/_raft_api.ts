/**
 * The Raft APIs a controller serves to the other voters and observers on its
 * controller listener go straight to the node's Raft core, which refuses bad
 * input with Kafka's error codes (see src/raft).
 */
import type { ApiSchema } from "../../../protocol/mod.ts";
import { type ApiHandler, CloseConnection } from "../../handler.ts";

/** The handler of one Raft API: the request goes to the Raft core as it came. */
export function raftApi(schema: ApiSchema): ApiHandler {
  return {
    schema,
    async handle(context, body) {
      const answer = await context.services.raft.handleRequest(schema.apiKey, context.version, body);
      if (answer === null) throw new CloseConnection(`no answer from the Raft core to ${schema.name}`);
      return answer;
    },
  };
}
