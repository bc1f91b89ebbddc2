import { describe, expect, it } from 'vitest';
import { globMatches, modelAllowed } from '../../../src/main/proxy/candidates';

/** What `allowModels` globs meant before: `*` is any run of characters, the rest literal, anchored (`s`: a name with a line break is no exception). */
function regexMatches(pattern: string, text: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 's').test(text);
}

/** xorshift: the same cases every run. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('allowModels globs', () => {
  it('match exactly what the anchored regex matched, on random cases', () => {
    const next = rng(0x5eed);
    const pick = (alphabet: string, max: number): string => {
      let s = '';
      for (let n = Math.floor(next() * (max + 1)); n > 0; n--)
        s += alphabet.charAt(Math.floor(next() * alphabet.length));
      return s;
    };
    let matched = 0;
    for (let i = 0; i < 20_000; i++) {
      const pattern = pick('ab*.', 7);
      const text = pick('ab.\n', 9);
      const want = regexMatches(pattern, text);
      expect(globMatches(pattern, text), `${JSON.stringify(pattern)} ~ ${JSON.stringify(text)}`).toBe(want);
      if (want) matched++;
    }
    expect(matched).toBeGreaterThan(1_000); // the cases exercise both answers
  });

  it('keeps the meaning of exact names, prefixes, suffixes and inner parts', () => {
    expect(modelAllowed(undefined, null)).toBe(true);
    expect(modelAllowed(['claude-*'], null)).toBe(false);
    expect(modelAllowed(['gpt-4o'], 'gpt-4o')).toBe(true);
    expect(modelAllowed(['gpt-4o'], 'gpt-4o-mini')).toBe(false);
    expect(modelAllowed(['claude-*'], 'claude-sonnet-4')).toBe(true);
    expect(modelAllowed(['*-mini'], 'gpt-4o-mini')).toBe(true);
    expect(modelAllowed(['*claude*sonnet*'], 'us.claude-3-7-sonnet-v1')).toBe(true);
    expect(modelAllowed(['*claude*sonnet*'], 'claude-opus')).toBe(false);
    expect(modelAllowed(['a*a'], 'a')).toBe(false);
    expect(modelAllowed(['*'], '')).toBe(true);
  });

  // Regression: `*claude*sonnet*` compiled to a backtracking regex; a 300 KB name froze the loop for 6 s.
  it('answers a hostile name in linear time', () => {
    const hostile = `${'claude'.repeat(50_000)}x`;
    const started = performance.now();
    for (const pattern of ['*claude*sonnet*', '*c*l*a*u*d*e*z*', '*claudeclaude*x*y']) {
      expect(modelAllowed([pattern], hostile)).toBe(false);
    }
    expect(performance.now() - started).toBeLessThan(100);
  });
});
