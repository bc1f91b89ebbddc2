import { describe, expect, it } from 'vitest';
import { hasDuplicateModel, jsonMembers } from '../../../src/main/http/json-members';

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

const KEYS = ['model', 'stream', 'messages', 'a"b', 'back\\slash', 'é', '__proto__', 'x'];
const STRINGS = [
  '',
  'plain',
  'quote " inside',
  'ends with \\',
  '\\"',
  'tab\t',
  '{[not]}',
  'ünï',
  '"model":1',
];

function randomValue(next: () => number, depth: number): unknown {
  const r = next();
  if (depth > 3 || r < 0.3) return STRINGS[Math.floor(next() * STRINGS.length)];
  if (r < 0.4) return Math.round(next() * 1e6) / 100;
  if (r < 0.5) return [true, false, null][Math.floor(next() * 3)];
  if (r < 0.75) return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
  return Object.fromEntries(
    Array.from({ length: Math.floor(next() * 4) }, (_, i) => [`k${i}`, randomValue(next, depth + 1)]),
  );
}

/** JSON text with random spacing between tokens (what a client may send). */
function spaced(next: () => number, text: string): string {
  const space = (): string => [' ', '', '\n  ', '\t', ''][Math.floor(next() * 5)]!;
  return space() + text + space();
}

describe('jsonMembers', () => {
  it('finds every top-level member and the exact bytes of its value, on random bodies', () => {
    const next = rng(0xbeef);
    for (let i = 0; i < 2_000; i++) {
      const members: [string, unknown][] = Array.from({ length: Math.floor(next() * 6) }, () => [
        KEYS[Math.floor(next() * KEYS.length)]!,
        randomValue(next, 0),
      ]);
      // Keys written plainly or with an escaped letter (`\u006d` for m): both name the same member.
      const key = (k: string): string =>
        next() < 0.2 ? JSON.stringify(k).replace('m', '\\u006d') : JSON.stringify(k);
      const text = `{${members.map(([k, v]) => `${spaced(next, key(k))}:${spaced(next, JSON.stringify(v))}`).join(',')}}`;
      const body = Buffer.from(spaced(next, text));
      const found = jsonMembers(body);
      expect(found, text).not.toBeNull();
      expect(found!.map((m) => m.key)).toEqual(members.map(([k]) => k));
      found!.forEach((m, j) =>
        expect(JSON.parse(body.toString('utf8', m.start, m.end))).toEqual(members[j]![1]),
      );
      const models = members.filter(([k]) => k === 'model').length;
      expect(hasDuplicateModel(body)).toBe(models > 1);
    }
  });

  it('refuses what is not an object of members', () => {
    for (const text of [
      '[]',
      '"model"',
      '1',
      '',
      '{',
      '{"a":1',
      '{"a" 1}',
      '{"a":1,}',
      '{"a":"x}',
      '{"a":1} x',
      '{a:1}',
    ])
      expect(jsonMembers(Buffer.from(text)), text).toBeNull();
    expect(jsonMembers(Buffer.from('\uFEFF {} '))).toEqual([]);
  });

  it('skips a long string natively: 30 MB of text with escaped quotes in tens of milliseconds', () => {
    const pad = 'say \\"hi\\" '.repeat(3_000_000);
    const body = Buffer.from(`{"model":"a","messages":[{"content":"${pad}"}],"model":"b"}`);
    const started = performance.now();
    expect(hasDuplicateModel(body)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
