import { describe, expect, it } from 'vitest';
import { ProviderSchema, type ProviderConfig } from '../../../src/shared/config';
import { WeightedTurns, balanceTies } from '../../../src/main/proxy/weights';

const p = (id: string, weight?: number, priority = 1): ProviderConfig =>
  ProviderSchema.parse({
    id,
    kind: 'anthropic',
    baseUrl: 'https://x.example',
    priority,
    ...(weight ? { weight } : {}),
  });

/** The longest run of one id in a sequence. */
function longestRun(seq: readonly string[], id: string): number {
  let best = 0;
  let run = 0;
  for (const s of seq) {
    run = s === id ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}

describe('smooth weighted turns', () => {
  it('1 000 picks over weights 1:2:3 land within 2 % of the shares, interleaved', () => {
    const turns = new WeightedTurns();
    const members = [p('a', 1), p('b', 2), p('c', 3)];
    const seq: string[] = [];
    for (let i = 0; i < 1000; i++) seq.push(turns.pick('g', members, () => true)!.id);
    const share = (id: string): number => seq.filter((s) => s === id).length / seq.length;
    expect(Math.abs(share('a') - 1 / 6)).toBeLessThan(0.02);
    expect(Math.abs(share('b') - 2 / 6)).toBeLessThan(0.02);
    expect(Math.abs(share('c') - 3 / 6)).toBeLessThan(0.02);
    // c has half the share: never more than 2 in a row; a and b never twice in a row.
    expect(longestRun(seq, 'c')).toBeLessThanOrEqual(2);
    expect(longestRun(seq, 'b')).toBe(1);
    expect(longestRun(seq, 'a')).toBe(1);
    expect(seq.slice(0, 6)).toEqual(['c', 'b', 'a', 'c', 'b', 'c']);
  });

  it('a member passed over neither loses its place nor bursts when it is back', () => {
    const turns = new WeightedTurns();
    const members = [p('a', 1), p('b', 1)];
    let bDown = false;
    const pick = (): string => turns.pick('g', members, (m) => !(bDown && m.id === 'b'))!.id;
    expect([pick(), pick()]).toEqual(['a', 'b']);
    bDown = true;
    const whileDown = [pick(), pick(), pick(), pick()];
    expect(whileDown).toEqual(['a', 'a', 'a', 'a']);
    bDown = false;
    const after: string[] = [];
    for (let i = 0; i < 6; i++) after.push(pick());
    // Back in its turn at once, then strictly alternating: no catch-up burst of b.
    expect(longestRun(after, 'b')).toBe(1);
    expect(after.filter((x) => x === 'b')).toHaveLength(3);
    expect(turns.pick('g', members, () => false)).toBeNull();
  });

  it('the default chain shares only a tie where a weight is set, and only the first tie with someone available', () => {
    const turns = new WeightedTurns();
    const plain = [p('a'), p('b'), p('c', undefined, 2)];
    expect(balanceTies(turns, 'x', plain, () => true).chain.map((q) => q.id)).toEqual(['a', 'b', 'c']);
    const weighted = [p('a', 1), p('b', 3), p('c', 1, 2), p('d', 1, 2)];
    const firsts: string[] = [];
    for (let i = 0; i < 8; i++) {
      const { chain, picked } = balanceTies(turns, 'y', weighted, () => true);
      firsts.push(chain[0]!.id);
      expect(picked?.id).toBe(chain[0]!.id);
      expect(chain.slice(2).map((q) => q.id)).toEqual(['c', 'd']); // later ties keep their order
    }
    expect(firsts.filter((x) => x === 'b')).toHaveLength(6);
    // First tie all down: the second tie shares.
    const { chain } = balanceTies(turns, 'y', weighted, (q) => q.priority === 2);
    expect(chain.slice(0, 2).map((q) => q.id)).toEqual(['a', 'b']);
    expect(['c', 'd']).toContain(chain[2]!.id);
  });
});
