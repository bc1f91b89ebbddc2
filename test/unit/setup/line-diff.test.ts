import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unifiedDiff } from '../../../src/main/setup/line-diff';

/** GNU diff's `-u` hunks (its header lines carry timestamps, so they are dropped). */
function gnuHunks(before: string, after: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-diff-'));
  try {
    fs.writeFileSync(path.join(dir, 'a'), before);
    fs.writeFileSync(path.join(dir, 'b'), after);
    const r = spawnSync('diff', ['-u', 'a', 'b'], { cwd: dir, encoding: 'utf8' });
    return r.stdout.split('\n').slice(2).join('\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const ours = (before: string | null, after: string): string =>
  unifiedDiff('f', before, after).split('\n').slice(2).join('\n');

const lines = (n: number, tag = 'line'): string =>
  Array.from({ length: n }, (_, i) => `${tag} ${i + 1}\n`).join('');

describe('unifiedDiff', () => {
  const cases: [string, string, string][] = [
    ['one line changed in the middle', lines(20), lines(20).replace('line 10\n', 'line ten\n')],
    ['lines added at the end', lines(5), `${lines(5)}added a\nadded b\n`],
    ['lines added at the top', lines(5), `added\n${lines(5)}`],
    [
      'two changes far apart: two hunks',
      lines(30),
      lines(30).replace('line 2\n', 'x\n').replace('line 28\n', 'y\n'),
    ],
    [
      'two changes close: one hunk',
      lines(30),
      lines(30).replace('line 10\n', 'x\n').replace('line 15\n', 'y\n'),
    ],
    ['a block removed', lines(12), lines(12).replace('line 4\nline 5\nline 6\n', '')],
    [
      'a table inserted and a line changed',
      lines(8),
      lines(8).replace('line 3\n', 'model = "x"\n[t]\na = 1\n'),
    ],
    ['from empty', '', 'a\nb\n'],
  ];
  for (const [name, before, after] of cases)
    it(`matches GNU diff -u: ${name}`, () => {
      expect(ours(before, after)).toBe(gnuHunks(before, after));
    });

  it('names a new file /dev/null, and is empty for equal texts', () => {
    expect(unifiedDiff('/h/.codex/config.toml', null, 'a = 1\n')).toBe(
      '--- /dev/null\n+++ /h/.codex/config.toml\n@@ -0,0 +1 @@\n+a = 1\n',
    );
    expect(unifiedDiff('f', 'same\n', 'same\n')).toBe('');
  });

  it('shows a change in a long file without aligning all of it (bounded)', () => {
    const big = lines(50_000);
    const t0 = Date.now();
    const d = unifiedDiff('f', big, big.replace('line 25000\n', 'changed\n'));
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(d).toContain('@@ -24997,7 +24997,7 @@\n line 24997\n');
    expect(d).toContain('-line 25000\n+changed\n');
  });
});
