import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileKeyVault } from '../../../src/main/config/key-vault';
import { ConfigError, RuntimeConfig } from '../../../src/main/config/runtime-config';
import { keyFingerprint } from '../../../src/main/proxy/key-fingerprint';
import { closeDatabase, openDatabase } from '../../../src/main/store/schema/db';
import { createConfigRepo } from '../../../src/main/store/write/config-repo';
import { ConfigSchema } from '../../../src/shared/config';
import { poolKeys, providerSecrets } from '../../../src/shared/provider-secrets';

/** `apiKeys` at rest and through saves: sealed like `apiKey`, write-only by fingerprint, bound to the origin. */

const P = ['pool-secret-aaaa-1111', 'pool-secret-bbbb-2222', 'pool-secret-cccc-3333'] as const;
const base = {
  id: 'p',
  kind: 'openai',
  baseUrl: 'https://api.example.com/v1',
  priority: 1,
  enabled: true,
  models: {},
  headers: {},
} as const;

function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-pool-'));
  const db = openDatabase(path.join(dir, 'sluice.db'));
  const repo = createConfigRepo(db);
  const vault = new FileKeyVault(dir);
  const rc = new RuntimeConfig(repo, vault, null, () => {});
  return {
    db,
    repo,
    vault,
    rc,
    done: () => (closeDatabase(db), fs.rmSync(dir, { recursive: true, force: true })),
  };
}
const pool = (rc: RuntimeConfig): string[] | undefined => rc.providers().find((p) => p.id === 'p')?.apiKeys;

describe('key pool config', () => {
  it('seals every pool key at rest and restores them in order', () => {
    const { db, repo, vault, rc, done } = setup();
    rc.saveProvider({ ...base, apiKeys: [P[0], P[1]] });
    const raw = JSON.stringify(db.prepare('SELECT * FROM providers').all());
    for (const k of P) expect(raw).not.toContain(k);
    expect(raw).toContain('sealedApiKeys');
    const again = new RuntimeConfig(repo, vault, null, () => {});
    expect(pool(again)).toEqual([P[0], P[1]]);
    expect(again.credentialOrigin('p')).toBe('https://api.example.com');
    done();
  });

  it('keeps the pool when a save leaves it out, keeps keys named by fingerprint, adds new ones, removes on null', () => {
    const { rc, done } = setup();
    rc.saveProvider({ ...base, apiKeys: [P[0], P[1]] });
    rc.saveProvider({ ...base, priority: 2 });
    expect(pool(rc)).toEqual([P[0], P[1]]);
    rc.saveProvider({ ...base, apiKeys: [{ keep: keyFingerprint(P[1]) }, P[2]] });
    expect(pool(rc)).toEqual([P[1], P[2]]);
    expect(() =>
      rc.saveProvider({ ...base, apiKeys: [{ keep: keyFingerprint('never-saved-key') }] }),
    ).toThrow(ConfigError);
    expect(pool(rc)).toEqual([P[1], P[2]]);
    rc.saveProvider({ ...base, apiKeys: null });
    expect(pool(rc)).toBeUndefined();
    expect(rc.credentialOrigin('p')).toBeNull();
    done();
  });

  it('drops the pool when a save moves the provider to another origin, and will not keep a key there', () => {
    const { rc, done } = setup();
    rc.saveProvider({ ...base, apiKeys: [P[0], P[1]] });
    const moved = { ...base, baseUrl: 'https://elsewhere.example.net/v1' };
    expect(() => rc.saveProvider({ ...moved, apiKeys: [{ keep: keyFingerprint(P[0]) }] })).toThrow(
      /apiKeys\[0\]: no saved key/,
    );
    rc.saveProvider(moved);
    expect(pool(rc)).toBeUndefined();
    done();
  });

  it('is one pool with apiKey (first, each key once), and every key is a secret to redact', () => {
    const cfg = ConfigSchema.parse({
      providers: [
        { id: 'x', kind: 'openai', baseUrl: 'https://h/v1', apiKey: P[0], apiKeys: [P[1], P[0], P[2]] },
      ],
    });
    expect(poolKeys(cfg.providers[0]!)).toEqual([P[0], P[1], P[2]]);
    expect(providerSecrets(cfg.providers)).toEqual(expect.arrayContaining([...P]));
    expect(() => ConfigSchema.parse({ providers: [{ ...base, apiKeys: [] }] })).toThrow();
  });
});
