import type { ProviderConfig } from '../../shared/config';

/** Groups whose turn state is kept; past it the least recently used group starts afresh. */
const MAX_GROUPS = 1024;

/**
 * Smooth weighted round robin (nginx's): each pick adds every available member's weight to its
 * current value, takes the largest, and subtracts the total of the weights added from the winner. Over
 * any run of picks each member gets its share within one pick, interleaved (weights 1:2:3 give
 * c b a c b c …), never a burst. A member passed over (cooling, circuit open, at its concurrency limit)
 * is left out of that pick: its current value stands, so it neither loses its place nor saves up turns
 * to burst with when it is back.
 */
export class WeightedTurns {
  /** Per group (see `pick`), per provider id: its current value. Map order = least recently used first. */
  private readonly groups = new Map<string, Map<string, number>>();

  /**
   * The member whose turn it is among those `available`, or null when none is. `group` names the set
   * being shared (a route, or a priority tie of a format); members that left it are forgotten.
   */
  pick(
    group: string,
    members: readonly ProviderConfig[],
    available: (p: ProviderConfig) => boolean,
  ): ProviderConfig | null {
    const state = this.groups.get(group) ?? new Map<string, number>();
    this.groups.delete(group);
    this.groups.set(group, state);
    if (this.groups.size > MAX_GROUPS) this.groups.delete(this.groups.keys().next().value!);
    for (const id of state.keys()) if (!members.some((m) => m.id === id)) state.delete(id);

    let total = 0;
    let best: ProviderConfig | null = null;
    let bestValue = -Infinity;
    for (const m of members) {
      if (!available(m)) continue;
      const weight = m.weight ?? 1;
      const value = (state.get(m.id) ?? 0) + weight;
      state.set(m.id, value);
      total += weight;
      if (value > bestValue) {
        best = m;
        bestValue = value;
      }
    }
    if (best !== null) state.set(best.id, bestValue - total);
    return best;
  }
}

/**
 * `members` with the one whose turn it is first and the rest after it in their own order (the failover
 * order); unchanged when none is available.
 */
export function turnFirst(
  turns: WeightedTurns,
  group: string,
  members: readonly ProviderConfig[],
  available: (p: ProviderConfig) => boolean,
): { order: ProviderConfig[]; picked: ProviderConfig | null } {
  const picked = turns.pick(group, members, available);
  if (picked === null) return { order: [...members], picked: null };
  return { order: [picked, ...members.filter((m) => m !== picked)], picked };
}

/**
 * The default chain with its first run of equal priority that has a provider available now shared by
 * weight, when one of that run's providers sets a `weight` (a tie where none does keeps config order,
 * as before weights existed). Later runs keep their order: they serve only when this one fails, and
 * taking turns there would spend turns on requests they never saw. Returns the chain and the provider
 * a weighted turn put first in its run, if any.
 */
export function balanceTies(
  turns: WeightedTurns,
  groupPrefix: string,
  chain: readonly ProviderConfig[],
  available: (p: ProviderConfig) => boolean,
): { chain: ProviderConfig[]; picked: ProviderConfig | null } {
  for (let i = 0; i < chain.length;) {
    let j = i + 1;
    while (j < chain.length && chain[j]!.priority === chain[i]!.priority) j++;
    const tie = chain.slice(i, j);
    if (tie.some(available)) {
      if (tie.length < 2 || tie.every((p) => p.weight === undefined)) break;
      const group = `${groupPrefix}|${tie[0]!.priority}|${tie.map((p) => p.id).join(',')}`;
      const { order, picked } = turnFirst(turns, group, tie, available);
      return { chain: [...chain.slice(0, i), ...order, ...chain.slice(j)], picked };
    }
    i = j;
  }
  return { chain: [...chain], picked: null };
}
