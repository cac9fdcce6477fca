/**
 * The KIP-848 consumer group invariants, checked from what the workload's
 * members are told (sim/scenarios/groups/consumer_member.ts) and, apart from that, on
 * the coordinator's own state:
 *
 * - no partition is owned by two members at once. A member holds a
 *   partition from the answer that gives it until the heartbeat that no
 *   longer reports it (its revocation acknowledged), until it learns it was
 *   fenced, or until it dies. When a partition is given while another member
 *   still holds it, that member must already be fenced: every heartbeat or
 *   commit it sends afterwards at its old epoch must be refused (a zombie,
 *   such as a member in a long pause, is harmless only if so);
 * - the coordinator never has a partition assigned to, or pending
 *   revocation from, two members of the group;
 * - a commit from a member id the coordinator never gave out is refused;
 * - durability: a committed offset read back (after a restart above all) is
 *   at least every offset acknowledged for that partition before;
 * - liveness (quiet phase): the live members settle at one epoch and hold
 *   every partition exactly once.
 */
import { CommitLedger, coverageViolation } from "./commit_ledger.ts";
import { Violations } from "../violation.ts";

/** A commit about to be sent, as the checker remembers it. */
export interface ConsumerCommitTicket {
  member: string;
  memberId: string;
  memberEpoch: number;
  forged: boolean;
  offsets: Map<number, number>;
  sentAtMs: number;
}

/** One member as the coordinator has it: partitions by member id. */
export interface CoordinatorMemberView {
  memberId: string;
  assigned: readonly number[];
  pendingRevocation: readonly number[];
}

/** What one live member reports at the end of the run. */
export interface SettledConsumer {
  name: string;
  epoch: number;
  stable: boolean;
  held: readonly number[];
}

/** Since when a member must be fenced, and up to which epoch. */
interface Fencing {
  epoch: number;
  sinceMs: number;
  why: string;
}

export class ConsumerGroupChecker {
  readonly violations = new Violations();
  readonly #partitions: number;
  readonly #nowMs: () => number;
  /** member name → the partitions it holds. */
  readonly #held = new Map<string, Set<number>>();
  /** member name → its latest member epoch. */
  readonly #epochs = new Map<string, number>();
  /** member name → the fencing its later requests must show. */
  readonly #mustBeFenced = new Map<string, Fencing>();
  readonly #commits = new CommitLedger();
  readonly stats = {
    assignments: 0,
    partitionsMoved: 0,
    zombiesFenced: 0,
    commitsAcknowledged: 0,
    commitsRefused: 0,
    fencedCommitsRefused: 0,
    offsetChecks: 0,
    coordinatorChecks: 0,
  };

  constructor(partitions: number, nowMs: () => number) {
    this.#partitions = partitions;
    this.#nowMs = nowMs;
  }

  #fail(invariant: string, message: string): never {
    throw this.violations.report(invariant, message);
  }

  #heldBy(member: string): Set<number> {
    let held = this.#held.get(member);
    if (!held) this.#held.set(member, held = new Set());
    return held;
  }

  /** A member learnt from an answer that its assignment is `partitions` at `epoch`. */
  assigned(member: string, epoch: number, partitions: readonly number[]): void {
    this.stats.assignments++;
    const held = this.#heldBy(member);
    for (const partition of partitions) {
      if (partition < 0 || partition >= this.#partitions) {
        this.#fail("assignments name real partitions", `${member} got partition ${partition}`);
      }
      if (held.has(partition)) continue;
      this.stats.partitionsMoved++;
      for (const [other, otherHeld] of this.#held) {
        if (other === member || !otherHeld.has(partition)) continue;
        // Only a fenced member may still believe it holds a partition given to another.
        this.#mustBeFenced.set(other, {
          epoch: this.#epochs.get(other) ?? 0,
          sinceMs: this.#nowMs(),
          why: `partition ${partition} went to ${member} (epoch ${epoch}) while ${other} held it`,
        });
        otherHeld.delete(partition);
        this.stats.zombiesFenced++;
      }
      held.add(partition);
    }
    this.#epochs.set(member, epoch);
  }

  /** A member sends a heartbeat reporting `owned`: what it held beyond that is released. Returns the send time. */
  heartbeatSending(member: string, owned: readonly number[]): number {
    const held = this.#heldBy(member);
    const keep = new Set(owned);
    for (const partition of [...held]) if (!keep.has(partition)) held.delete(partition);
    return this.#nowMs();
  }

  /** A heartbeat's answer. A success at an epoch that must be fenced means two members held a partition. */
  heartbeatAnswered(member: string, requestEpoch: number, sentAtMs: number, errorCode: number): void {
    if (errorCode !== 0 || requestEpoch <= 0) return;
    this.#checkNotFenced(member, requestEpoch, sentAtMs, "a heartbeat succeeded");
  }

  #checkNotFenced(member: string, epoch: number, sentAtMs: number, what: string): void {
    const fencing = this.#mustBeFenced.get(member);
    if (fencing === undefined || epoch > fencing.epoch || sentAtMs <= fencing.sinceMs) return;
    this.#fail(
      "no partition is owned by two members at once",
      `${fencing.why}, yet ${what} for ${member} at epoch ${epoch} afterwards`,
    );
  }

  /** The member lost everything: it learnt it was fenced, it left, or its host died. */
  lost(member: string): void {
    this.#held.get(member)?.clear();
  }

  /** Remembers a commit just before it is sent. */
  commitSending(ticket: Omit<ConsumerCommitTicket, "sentAtMs">): ConsumerCommitTicket {
    return { ...ticket, sentAtMs: this.#nowMs() };
  }

  /** The answer to a commit: one error code per partition. */
  commitAnswered(ticket: ConsumerCommitTicket, errors: ReadonlyMap<number, number>): void {
    for (const [partition, errorCode] of errors) {
      const offset = ticket.offsets.get(partition)!;
      if (errorCode !== 0) {
        this.stats.commitsRefused++;
        const fencing = this.#mustBeFenced.get(ticket.member);
        if (fencing !== undefined && ticket.memberEpoch <= fencing.epoch) this.stats.fencedCommitsRefused++;
        continue;
      }
      if (ticket.forged) {
        this.#fail(
          "commits from unknown members are refused",
          `${ticket.memberId} committed ${partition}@${offset}`,
        );
      }
      this.#checkNotFenced(
        ticket.member,
        ticket.memberEpoch,
        ticket.sentAtMs,
        `a commit of ${partition}@${offset}`,
      );
      this.stats.commitsAcknowledged++;
      this.#commits.acknowledge(partition, offset);
    }
  }

  /** The coordinator's members: no partition may be assigned to, or pending revocation from, two of them. */
  coordinatorState(members: readonly CoordinatorMemberView[]): void {
    this.stats.coordinatorChecks++;
    const owners = new Map<number, string>();
    for (const member of members) {
      for (const partition of [...member.assigned, ...member.pendingRevocation]) {
        const other = owners.get(partition);
        if (other !== undefined && other !== member.memberId) {
          this.#fail(
            "the coordinator gives no partition to two members",
            `partition ${partition} is with ${other} and ${member.memberId}`,
          );
        }
        owners.set(partition, member.memberId);
      }
    }
  }

  /** The highest acknowledged offset of each partition now (taken before reading offsets back). */
  acknowledgedSnapshot(): Map<number, number> {
    return this.#commits.snapshot();
  }

  /** Offsets read back from the coordinator, against what was acknowledged before the read was sent. */
  offsetsRead(
    committed: ReadonlyMap<number, number>,
    expected: ReadonlyMap<number, number>,
    when: string,
  ): void {
    this.stats.offsetChecks++;
    const violation = this.#commits.checkRead(committed, expected, when);
    if (violation) this.#fail(violation.invariant, violation.message);
  }

  /** The quiet phase ended: the live members must be at one epoch, holding every partition once. */
  settled(members: readonly SettledConsumer[]): void {
    if (members.length === 0) return;
    const unsettled = members.filter((member) => !member.stable);
    if (unsettled.length > 0) {
      this.#fail(
        "the group settles once faults stop",
        `${unsettled.map((member) => member.name)} still reconciling`,
      );
    }
    const epochs = new Set(members.map((member) => member.epoch));
    if (epochs.size !== 1) {
      this.#fail("the group settles once faults stop", `members at epochs ${[...epochs]}`);
    }
    const coverage = coverageViolation(this.#partitions, members.flatMap((member) => member.held), "held");
    if (coverage) this.#fail(coverage.invariant, coverage.message);
  }
}
