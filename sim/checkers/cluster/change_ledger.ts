/**
 * What the client asked of the cluster and which answers acknowledged it,
 * and the check that the final metadata agrees.
 *
 * Each topic is a set of registers (does it exist and with which id, how
 * many partitions, a config's value); each request attempt writes some of
 * them. An acknowledged attempt (error code 0) took effect between its
 * sending and its answer; any other attempt (an error, a timeout, a broken
 * connection) may have taken effect at any time after it was sent, even
 * long after (a node may still be forwarding it), or never. A value seen at
 * the end must therefore come from an attempt that no acknowledged attempt
 * follows: an attempt is overwritten for sure only when an acknowledged
 * one was sent after it was acknowledged. The initial value (no topic,
 * default config) is allowed only while no attempt was acknowledged.
 *
 * "Sent after acknowledged" uses one counter over the client's sends and
 * answers, so it follows causality, not clocks.
 */

/** A value matching any topic id (an attempt whose id the client never learned). */
export const ANY_TOPIC_ID = "*";
/** The `exists` register of a topic that does not exist. */
export const ABSENT = "absent";
/** A config register without an override. */
export const DEFAULT_CONFIG = "default";

/** The registers of a topic: "exists", "partitions" and "config:<name>". */
export type Writes = Record<string, string>;

/** One request attempt as the ledger knows it. */
export interface Attempt {
  topic: string;
  description: string;
  writes: Writes;
  sentSequence: number;
  /** When the answer acknowledged it; null while unanswered or refused. */
  acknowledgedSequence: number | null;
}

const INITIAL: Record<string, string> = { exists: ABSENT, partitions: "0" };

function initialValue(register: string): string {
  return INITIAL[register] ?? DEFAULT_CONFIG;
}

function matches(written: string, seen: string): boolean {
  return written === ANY_TOPIC_ID ? seen !== ABSENT : written === seen;
}

export class ChangeLedger {
  readonly #attempts = new Map<string, Attempt[]>();
  #sequence = 0;
  sent = 0;
  acknowledged = 0;

  /** Notes an attempt about to be sent. */
  send(topic: string, description: string, writes: Writes): Attempt {
    const attempt: Attempt = {
      topic,
      description,
      writes: { ...writes },
      sentSequence: ++this.#sequence,
      acknowledgedSequence: null,
    };
    let list = this.#attempts.get(topic);
    if (list === undefined) this.#attempts.set(topic, list = []);
    list.push(attempt);
    this.sent++;
    return attempt;
  }

  /** Notes that the answer to `attempt` acknowledged it; `learned` fills in what the answer told (a topic id). */
  acknowledge(attempt: Attempt, learned: Writes = {}): void {
    attempt.acknowledgedSequence = ++this.#sequence;
    Object.assign(attempt.writes, learned);
    this.acknowledged++;
  }

  /** Topic names the client wrote to. */
  get topics(): string[] {
    return [...this.#attempts.keys()];
  }

  /** Whether any attempt about `topic` was acknowledged. */
  hasAcknowledged(topic: string): boolean {
    return (this.#attempts.get(topic) ?? []).some((attempt) => attempt.acknowledgedSequence !== null);
  }

  /**
   * Checks the registers `observe` reports for each topic (every register
   * any attempt wrote); returns a description of each disagreement.
   */
  check(observe: (topic: string, register: string) => string): string[] {
    const problems: string[] = [];
    for (const [topic, attempts] of this.#attempts) {
      const registers = new Set(attempts.flatMap((attempt) => Object.keys(attempt.writes)));
      for (const register of registers) {
        const seen = observe(topic, register);
        if (!this.#explains(attempts, register, seen)) {
          problems.push(`topic ${topic}: ${register} is ${seen}, but ${describe(attempts, register)}`);
        }
      }
    }
    return problems;
  }

  #explains(attempts: Attempt[], register: string, seen: string): boolean {
    const writers = attempts.filter((attempt) => register in attempt.writes);
    const acknowledged = writers.filter((attempt) => attempt.acknowledgedSequence !== null);
    if (acknowledged.length === 0 && seen === initialValue(register)) return true;
    const lastSent = Math.max(...acknowledged.map((attempt) => attempt.sentSequence));
    return writers.some((attempt) =>
      matches(attempt.writes[register]!, seen) &&
      !(attempt.acknowledgedSequence !== null && attempt.acknowledgedSequence < lastSent)
    );
  }
}

function describe(attempts: Attempt[], register: string): string {
  const writers = attempts.filter((attempt) => register in attempt.writes);
  return "the attempts were: " +
    writers.map((attempt) =>
      `${attempt.description} -> ${attempt.writes[register]} (sent #${attempt.sentSequence}, ${
        attempt.acknowledgedSequence === null
          ? "unacknowledged"
          : `acknowledged #${attempt.acknowledgedSequence}`
      })`
    ).join("; ");
}
