/**
 * Reads a whole partition through the node, with Fetch from its log start
 * up to the high watermark of the first answer, handing every answer to the
 * checker: after a recovery this shows what survived, at the end of a run
 * what the log holds. When retention moves the log start during the scan,
 * the scan starts again from the new start, so that its batches are always
 * one unbroken stretch of the log.
 */
import type { BatchHeader, RequestInput } from "../../../src/protocol/mod.ts";
import type { LogChecker, ScanResult } from "../../checkers/log/log_checker.ts";
import type { BrokerLink } from "../../clients/broker_link.ts";
import type { fetchApi } from "../../../src/protocol/messages/mod.ts";

const FETCH = 1;
/** Fetch v12: topics by name, flexible encoding. */
const FETCH_VERSION = 12;
const SCAN_MAX_BYTES = 1 << 20;
/** Answers allowed per scan; a log that needs more is taken as a node that serves no progress. */
const FETCHES_PER_SCAN_MAX = 100_000;

/** Scans `topic`-`partition` through `link`; returns the batch headers and the incarnation that served them. */
export async function scanPartition(
  link: BrokerLink,
  checker: LogChecker,
  topic: string,
  partition: number,
): Promise<{ scan: ScanResult; incarnation: number }> {
  let headers: BatchHeader[] = [];
  let startOffset = 0;
  let offset = 0;
  let endOffset = -1;
  let servedBy = -1;
  for (let fetches = 0; fetches < FETCHES_PER_SCAN_MAX; fetches++) {
    let floorAtSend = 0;
    const { body, incarnation } = await link.request(
      FETCH,
      FETCH_VERSION,
      request(topic, partition, offset),
      {
        onSend: (to) => floorAtSend = checker.floor(to, topic, partition),
      },
    );
    if (servedBy !== -1 && incarnation !== servedBy) {
      throw new Error(`the node restarted during a scan of ${topic}-${partition}`);
    }
    servedBy = incarnation;
    const answer = body.responses[0]?.partitions[0];
    if (answer === undefined) {
      throw checker.violations.report(
        "fetches answer what was asked",
        `scan of ${topic}-${partition}: no answer`,
      );
    }
    const outcome = checker.fetched({
      incarnation,
      topic,
      partition,
      fetchOffset: offset,
      floorAtSend,
      errorCode: answer.errorCode,
      highWatermark: answer.highWatermark,
      logStartOffset: answer.logStartOffset,
      records: answer.records ?? new Uint8Array(0),
    });
    if (outcome.outOfRange && outcome.nextOffset <= offset) {
      throw checker.violations.report(
        "fetches succeed",
        `scan of ${topic}-${partition}: offset ${offset} out of range`,
      );
    }
    if (outcome.outOfRange || answer.logStartOffset > startOffset) {
      // Retention moved the log start: read again from there.
      startOffset = offset = Math.max(outcome.outOfRange ? outcome.nextOffset : 0, answer.logStartOffset);
      headers = [];
      endOffset = -1;
      continue;
    }
    if (endOffset === -1) endOffset = answer.highWatermark;
    headers.push(...outcome.headers);
    if (outcome.nextOffset >= endOffset) {
      return { scan: { headers, startOffset, endOffset: outcome.nextOffset }, incarnation };
    }
    if (outcome.nextOffset === offset) {
      throw checker.violations.report(
        "a fetch returns data when there is some",
        `scan of ${topic}-${partition}: nothing at ${offset} below the high watermark ${endOffset}`,
      );
    }
    offset = outcome.nextOffset;
  }
  throw checker.violations.report(
    "scans end",
    `scan of ${topic}-${partition} took over ${FETCHES_PER_SCAN_MAX} fetches`,
  );
}

function request(topic: string, partition: number, offset: number): RequestInput<typeof fetchApi> {
  return {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: SCAN_MAX_BYTES,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{
      topic,
      partitions: [{
        partition,
        fetchOffset: offset,
        partitionMaxBytes: SCAN_MAX_BYTES,
        currentLeaderEpoch: -1,
      }],
    }],
    forgottenTopicsData: [],
    rackId: "",
  };
}
