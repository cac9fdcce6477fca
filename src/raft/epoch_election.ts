/**
 * The tally of one election (a pre-vote round or a real vote): which voters
 * granted and which rejected. Won with a majority of grants; lost once a
 * majority can no longer be reached.
 */
export interface EpochElection {
  voters: number[];
  granted: number[];
  rejected: number[];
}

/**
 * A new tally in which `localId` has already voted for itself (counted only
 * if it is one of `voters`: a node that an uncommitted change removed
 * campaigns for the votes of the new set alone).
 */
export function startElection(voters: readonly number[], localId: number): EpochElection {
  return { voters: [...voters], granted: voters.includes(localId) ? [localId] : [], rejected: [] };
}

function majorityOf(voters: readonly number[]): number {
  return Math.floor(voters.length / 2) + 1;
}

/** Records a voter's answer; answers from non-voters and repeated answers are ignored. */
export function recordVote(election: EpochElection, voterId: number, granted: boolean): void {
  if (!election.voters.includes(voterId)) return;
  if (election.granted.includes(voterId) || election.rejected.includes(voterId)) return;
  (granted ? election.granted : election.rejected).push(voterId);
}

export function isVoteGranted(election: EpochElection): boolean {
  return election.granted.length >= majorityOf(election.voters);
}

/** Whether so many rejected that a majority can no longer grant. */
export function isVoteRejected(election: EpochElection): boolean {
  return election.voters.length - election.rejected.length < majorityOf(election.voters);
}

/** Voters that have not answered yet. */
export function unrecordedVoters(election: EpochElection): number[] {
  return election.voters.filter((voter) =>
    !election.granted.includes(voter) && !election.rejected.includes(voter)
  );
}
