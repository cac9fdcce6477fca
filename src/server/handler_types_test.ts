/**
 * `ApiHandler<S>` types a handler by its schema and stays compatible with the
 * untyped handlers and registries (checked by `deno check`); a misspelt
 * field in a typed handler does not compile.
 */
import assert from "node:assert/strict";
import { heartbeat } from "../protocol/messages/mod.ts";
import type { ApiHandler, RequestContext } from "./handler.ts";

const typedHeartbeat: ApiHandler<typeof heartbeat> = {
  schema: heartbeat,
  handle(_context, body) {
    // The request is typed: a number here, and a misspelt name is an error.
    const generation: number = body.generationId;
    // @ts-expect-error: no such field in a Heartbeat request.
    void body.generation;
    return { throttleTimeMs: 0, errorCode: generation < 0 ? 22 : 0 };
  },
};

const misspeltResponse: ApiHandler<typeof heartbeat> = {
  schema: heartbeat,
  // @ts-expect-error: the response is checked too (errorCode misspelt).
  handle() {
    return { throttleTimeMs: 0, errorcode: 0 };
  },
};

const untyped: ApiHandler = {
  schema: heartbeat,
  handle: (_context, body) => ({ errorCode: body.anything ?? 0 }),
};

/** Typed and untyped handlers share one registry, as HANDLERS_BY_KEY holds them. */
const registry: ReadonlyMap<number, ApiHandler> = new Map(
  [typedHeartbeat, untyped].map((handler) => [handler.schema.apiKey, handler]),
);

Deno.test("a typed handler gets the decoded request and answers through the untyped registry", async () => {
  const handler = registry.get(heartbeat.apiKey)!;
  const body = { groupId: "g", generationId: -1, memberId: "m", groupInstanceId: null };
  assert.deepEqual(await typedHeartbeat.handle({} as RequestContext, body), {
    throttleTimeMs: 0,
    errorCode: 22,
  });
  assert.deepEqual(await handler.handle({} as RequestContext, { anything: 5 }), { errorCode: 5 });
  assert.equal(misspeltResponse.schema, heartbeat);
});
