/**
 * The consumer group invariants, checked from what the workload's members
 * are told (sim/scenarios/groups/classic_member.ts), apart from the coordinator they check:
 *
 * - assignments: within one generation no partition is given to two
 *   members, and each member gets what the generation's leader assigned it;
 * - fencing: once a generation is durable (some member synced in it), a
 *   commit from an older generation is refused, and so is a commit from a
 *   member id the coordinator never gave out;
 * - durability: a committed offset read back (after a restart above all) is
 *   at least every offset acknowledged for that partition before, since
 *   correct members only commit forwards;
 * - liveness (quiet phase): the live members settle in one generation whose
 *   assignments cover every partition exactly once.
 */
import { CommitLedger, coverageViolation } from "./commit_ledger.ts";
import { Violations } from "../violation.ts";

/** A commit about to be sent, as the checker remembers it. */
export interface CommitTicket {
  member: string;
  memberId: string;
  generation: number;
  /** The newest durable generation when the commit was sent. */
  durableGenerationAtSend: number;
  /** Whether the member id was made up (an outsider's commit). */
  forged: boolean;
  offsets: Map<number, number>;
}

/** What one live member reports at the end of the run. */
export interface SettledMember {
  name: string;
  memberId: string;
  generation: number;
  stable: boolean;
  assignment: readonly number[];
}

export class GroupChecker {
  readonly violations = new Violations();
  readonly #partitions: number;
  /** generation → partition → member id that was given it. */
  readonly #owners = new Map<number, Map<number, string>>();
  /** generation → member id → the leader's assignment for it. */
  readonly #planned = new Map<number, Map<string, readonly number[]>>();
  #durableGeneration = -1;
  readonly #commits = new CommitLedger();
  readonly stats = {
    syncs: 0,
    commitsAcknowledged: 0,
    commitsRefused: 0,
    staleCommitsRefused: 0,
    offsetChecks: 0,
  };

  constructor(partitions: number) {
    this.#partitions = partitions;
  }

  get durableGeneration(): number {
    return this.#durableGeneration;
  }

  #fail(invariant: string, message: string): never {
    throw this.violations.report(invariant, message);
  }

  /**
   * The leader sends its assignment for `generation`. Until a member has
   * synced in it, a generation may be formed again with another plan (the
   * node crashed before persisting it); afterwards its plan is fixed. A
   * leader may still send another plan then: a zombie of the generation
   * the crash lost, waking from a pause (seed 947731470). That is no fault
   * unless the node accepts it (`leaderSynced`).
   */
  leaderAssigned(generation: number, assignments: ReadonlyMap<string, readonly number[]>): void {
    if (this.#planned.has(generation) && this.#owners.has(generation)) return;
    this.#planned.set(generation, new Map(assignments));
  }

  /**
   * The node accepted the leader's SyncGroup with `assignments`. A retried
   * SyncGroup carries the same plan; another plan means two leaders in one
   * generation.
   */
  leaderSynced(generation: number, assignments: ReadonlyMap<string, readonly number[]>): void {
    const planned = this.#planned.get(generation);
    for (const [memberId, partitions] of assignments) {
      const before = planned?.get(memberId);
      if (before !== undefined && before.join() !== partitions.join()) {
        this.#fail("one leader per generation", `generation ${generation} got two plans for ${memberId}`);
      }
    }
  }

  /**
   * A member's SyncGroup succeeded: it owns `partitions` in `generation`. A
   * static member is identified by its instance id: a restarted static
   * member takes over its predecessor's assignment within the same
   * generation (KIP-345), and the predecessor is fenced.
   */
  synced(
    member: string,
    memberId: string,
    instanceId: string | null,
    generation: number,
    partitions: readonly number[],
  ): void {
    this.stats.syncs++;
    const owners = this.#owners.get(generation) ?? new Map<number, string>();
    this.#owners.set(generation, owners);
    const owner = instanceId ?? memberId;
    for (const partition of partitions) {
      if (partition < 0 || partition >= this.#partitions) {
        this.#fail("assignments name real partitions", `${member} got partition ${partition}`);
      }
      const previous = owners.get(partition);
      if (previous !== undefined && previous !== owner) {
        this.#fail(
          "no partition assigned to two members within a generation",
          `partition ${partition} went to ${previous} and ${owner} (${member}) in generation ${generation}`,
        );
      }
      owners.set(partition, owner);
    }
    const planned = this.#planned.get(generation)?.get(memberId);
    if (planned !== undefined && planned.join() !== partitions.join()) {
      this.#fail(
        "members get the leader's assignment",
        `${member} got [${partitions}] in generation ${generation}, the leader assigned [${planned}]`,
      );
    }
    this.#durableGeneration = Math.max(this.#durableGeneration, generation);
  }

  /** Remembers a commit just before it is sent. */
  commitSending(ticket: Omit<CommitTicket, "durableGenerationAtSend">): CommitTicket {
    return { ...ticket, durableGenerationAtSend: this.#durableGeneration };
  }

  /** The answer to a commit: one error code per partition. */
  commitAnswered(ticket: CommitTicket, errors: ReadonlyMap<number, number>): void {
    for (const [partition, errorCode] of errors) {
      const offset = ticket.offsets.get(partition)!;
      if (errorCode !== 0) {
        this.stats.commitsRefused++;
        if (ticket.generation < ticket.durableGenerationAtSend) this.stats.staleCommitsRefused++;
        continue;
      }
      if (ticket.forged) {
        this.#fail(
          "commits from unknown members are refused",
          `${ticket.memberId} committed ${partition}@${offset}`,
        );
      }
      if (ticket.generation < ticket.durableGenerationAtSend) {
        this.#fail(
          "commits from a stale generation are refused",
          `${ticket.member} (${ticket.memberId}) committed ${partition}@${offset} with generation ${ticket.generation} ` +
            `after generation ${ticket.durableGenerationAtSend} was established`,
        );
      }
      this.stats.commitsAcknowledged++;
      this.#commits.acknowledge(partition, offset);
    }
  }

  /** The highest acknowledged offset of each partition now (taken before reading offsets back). */
  acknowledgedSnapshot(): Map<number, number> {
    return this.#commits.snapshot();
  }

  /**
   * Offsets read back from the coordinator (after a restart, and at the
   * end), against what was acknowledged before the read was sent.
   */
  offsetsRead(
    committed: ReadonlyMap<number, number>,
    expected: ReadonlyMap<number, number>,
    when: string,
  ): void {
    this.stats.offsetChecks++;
    const violation = this.#commits.checkRead(committed, expected, when);
    if (violation) this.#fail(violation.invariant, violation.message);
  }

  /** The quiet phase ended: the live members must share one generation covering every partition once. */
  settled(members: readonly SettledMember[]): void {
    if (members.length === 0) return;
    const unsettled = members.filter((member) => !member.stable);
    if (unsettled.length > 0) {
      this.#fail(
        "the group settles once faults stop",
        `${unsettled.map((member) => member.name)} still rebalancing`,
      );
    }
    const generations = new Set(members.map((member) => member.generation));
    if (generations.size !== 1) {
      this.#fail("the group settles once faults stop", `members in generations ${[...generations]}`);
    }
    const coverage = coverageViolation(
      this.#partitions,
      members.flatMap((member) => member.assignment),
      "owned",
    );
    if (coverage) this.#fail(coverage.invariant, coverage.message);
  }
}
