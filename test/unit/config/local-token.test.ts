import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadOrCreateLocalToken, tokenMatches } from '../../../src/main/config/local-token';

const dirs: string[] = [];
function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-token-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('local token', () => {
  it('is made once (32 random bytes, hex, 0600) and reused', () => {
    const dir = tmp();
    const token = loadOrCreateLocalToken(dir);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(loadOrCreateLocalToken(dir)).toBe(token);
    if (process.platform !== 'win32') expect(fs.statSync(path.join(dir, 'token')).mode & 0o777).toBe(0o600);
    expect(loadOrCreateLocalToken(tmp())).not.toBe(token);
  });

  it('replaces a file that is not a token, and tightens a loose mode', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'token'), 'half a tok', { mode: 0o644 });
    const token = loadOrCreateLocalToken(dir);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    if (process.platform !== 'win32') {
      fs.chmodSync(path.join(dir, 'token'), 0o644);
      loadOrCreateLocalToken(dir);
      expect(fs.statSync(path.join(dir, 'token')).mode & 0o777).toBe(0o600);
    }
  });

  it('matches only the exact token', () => {
    const token = 'ab'.repeat(32);
    expect(tokenMatches(token, token)).toBe(true);
    for (const wrong of [null, undefined, '', token.slice(1), `${token}0`, 'AB'.repeat(32)])
      expect(tokenMatches(token, wrong)).toBe(false);
  });
});
