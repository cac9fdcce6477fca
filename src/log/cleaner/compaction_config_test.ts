import assert from "node:assert/strict";
import { isCompactedPolicy, parseCleanupPolicy } from "./compaction_config.ts";

Deno.test("cleanup.policy values are read as Kafka lists them", () => {
  assert.deepEqual(parseCleanupPolicy("compact"), { compact: true, delete: false });
  assert.deepEqual(parseCleanupPolicy("compact, delete"), { compact: true, delete: true });
  assert.deepEqual(parseCleanupPolicy(["delete"]), { compact: false, delete: true });
  assert.equal(isCompactedPolicy("Delete,COMPACT"), true);
  assert.equal(isCompactedPolicy(""), false);
});
