/**
 * The clients of the quorum: at seeded intervals a batch of unique values
 * is proposed to the node that leads the highest epoch (any node that
 * believes it leads would do; the newest is the likeliest to succeed), and
 * now and then a leader is asked to resign gracefully. With dynamic voters
 * (KIP-853) the leader is also asked, at seeded intervals, to add a node
 * that is not a voter or to remove one that is (the leader itself among
 * them); it refuses while the previous change is uncommitted or the new
 * voter lags, as Kafka's does.
 */
import type { Timer } from "../../../src/io/mod.ts";
import type { Scheduler, SeededRandom } from "../../../src/io/sim/mod.ts";
import type { RaftCheckers } from "../../checkers/raft/raft_checkers.ts";
import { digestOf } from "../../checkers/raft/committed_history.ts";
import type { RaftSimOptions } from "./options.ts";
import type { RaftHost } from "./raft_host.ts";

export class Workload {
  proposed = 0;
  /** Voter changes the leader accepted (appended). */
  voterChanges = 0;
  #membershipTimer: Timer | null = null;
  /** Proposals made since `markPhase`, by base offset and epoch, to see one of them acknowledged. */
  #sincePhase: { baseOffset: number; epoch: number }[] = [];
  #timer: Timer | null = null;
  #stopped = false;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly random: SeededRandom,
    private readonly options: RaftSimOptions["workload"],
    private readonly hosts: readonly RaftHost[],
    private readonly checkers: RaftCheckers,
    private readonly seed: number,
  ) {}

  start(): void {
    const next = () => {
      if (this.#stopped) return;
      this.#tick();
      this.#timer = this.scheduler.schedule(1 + this.random.int(2 * this.options.proposalIntervalMs), next);
    };
    this.#timer = this.scheduler.schedule(1, next);
    const membership = this.membership;
    if (membership === null) return;
    const change = () => {
      if (this.#stopped) return;
      if (this.allowResign) this.#changeVoters(membership.removeProbability);
      this.#membershipTimer = this.scheduler.schedule(
        1 + this.random.int(2 * membership.changeIntervalMs),
        change,
      );
    };
    this.#membershipTimer = this.scheduler.schedule(
      1 + this.random.int(2 * membership.changeIntervalMs),
      change,
    );
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#membershipTimer?.cancel();
  }

  /** The membership options (null: static voters); set by the run. */
  membership: RaftSimOptions["membership"] = null;

  #changeVoters(removeProbability: number): void {
    const leader = this.#leader();
    if (leader === undefined) return;
    const voters = leader.node!.voters.map((voter) => voter.voterId);
    const others = this.hosts.map((host) => host.id).filter((id) => !voters.includes(id));
    const remove = others.length === 0 || (voters.length > 1 && this.random.chance(removeProbability));
    const voterId = remove ? this.random.pick(voters) : this.random.pick(others);
    const result = leader.changeVoters(remove ? "remove" : "add", voterId);
    if (result !== null && result.errorCode === 0) {
      this.voterChanges++;
      leader.log(`[sim] ${remove ? "removed" : "added"} voter ${voterId}`);
    }
  }

  #leader(): RaftHost | undefined {
    return this.hosts
      .filter((host) => host.running && !host.paused && host.node!.isLeader)
      .sort((left, right) => right.node!.epoch - left.node!.epoch)[0];
  }

  /** From now on, `acknowledgedSincePhase` counts only new proposals. */
  markPhase(): void {
    this.#sincePhase = [];
  }

  /** The offset of a proposal made since `markPhase` and acknowledged, or null. */
  acknowledgedSincePhase(): number | null {
    const acknowledged = this.checkers.acknowledged.find((candidate) =>
      this.#sincePhase.some((proposal) =>
        proposal.baseOffset === candidate.baseOffset && proposal.epoch === candidate.epoch
      )
    );
    return acknowledged?.baseOffset ?? null;
  }

  /** Whether resignations are allowed (not in the liveness phase). */
  allowResign = true;

  #tick(): void {
    const leader = this.#leader();
    if (leader === undefined) return;
    if (this.allowResign && this.random.chance(this.options.resignProbability)) {
      leader.log("[sim] asked to resign");
      leader.resign();
      return;
    }
    const count = 1 + this.random.int(this.options.batchRecordsMax);
    const values = Array.from({ length: count }, () => `s${this.seed}-v${++this.proposed}`);
    const result = leader.propose(values);
    if (result === null || !("baseOffset" in result)) return;
    const digest = digestOf({
      baseOffset: result.baseOffset,
      epoch: result.epoch,
      appendTimeMs: 0,
      control: false,
      records: values.map((value) => ({ type: "data", value: new TextEncoder().encode(value) })),
    });
    this.checkers.onProposal({
      proposer: leader.id,
      baseOffset: result.baseOffset,
      epoch: result.epoch,
      digest,
    });
    this.#sincePhase.push({ baseOffset: result.baseOffset, epoch: result.epoch });
  }
}
