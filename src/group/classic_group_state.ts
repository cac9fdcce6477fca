/**
 * The states of a classic group and the one table of transitions between
 * them (Kafka's ClassicGroupState). A transition missing from the table is a
 * programmer error and stops the coordinator loudly.
 *
 *   Empty               no members; offsets may still be committed and expire
 *   PreparingRebalance  members are (re)joining; JoinGroup responses wait
 *   CompletingRebalance the leader computes the assignment; SyncGroup waits
 *   Stable              every member has its assignment
 *   Dead                the group is gone (deleted, or all offsets expired)
 */

export enum ClassicGroupState {
  Empty = "Empty",
  PreparingRebalance = "PreparingRebalance",
  CompletingRebalance = "CompletingRebalance",
  Stable = "Stable",
  Dead = "Dead",
}

/** For each state, the states a group may come from (Kafka's validPreviousStates). */
export const VALID_PREVIOUS_STATES: Readonly<Record<ClassicGroupState, readonly ClassicGroupState[]>> = {
  [ClassicGroupState.Empty]: [ClassicGroupState.PreparingRebalance],
  [ClassicGroupState.PreparingRebalance]: [
    ClassicGroupState.Stable,
    ClassicGroupState.CompletingRebalance,
    ClassicGroupState.Empty,
  ],
  [ClassicGroupState.CompletingRebalance]: [ClassicGroupState.PreparingRebalance],
  [ClassicGroupState.Stable]: [ClassicGroupState.CompletingRebalance],
  [ClassicGroupState.Dead]: [
    ClassicGroupState.Stable,
    ClassicGroupState.PreparingRebalance,
    ClassicGroupState.CompletingRebalance,
    ClassicGroupState.Empty,
    ClassicGroupState.Dead,
  ],
};

/** Whether the table allows `from` → `to`. */
export function canTransition(from: ClassicGroupState, to: ClassicGroupState): boolean {
  return VALID_PREVIOUS_STATES[to].includes(from);
}
