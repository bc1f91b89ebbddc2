import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileKeyVault, maskKey } from '../../../src/main/config/key-vault';
import { ConfigError, RuntimeConfig } from '../../../src/main/config/runtime-config';
import { closeDatabase, openDatabase } from '../../../src/main/store/schema/db';
import { createConfigRepo } from '../../../src/main/store/write/config-repo';

function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-rc-'));
  const db = openDatabase(path.join(dir, 'sluice.db'));
  const repo = createConfigRepo(db);
  const vault = new FileKeyVault(dir);
  return {
    dir,
    db,
    repo,
    vault,
    done: () => (closeDatabase(db), fs.rmSync(dir, { recursive: true, force: true })),
  };
}
const log = (): void => {};
const anthropic = {
  id: 'a',
  kind: 'anthropic',
  baseUrl: 'https://api.anthropic.com',
  apiKey: 'sk-ant-secret-123456',
  priority: 1,
  enabled: true,
  models: {},
  headers: {},
} as const;

describe('key vault', () => {
  it('seals and opens, with a 0600 key file, and never stores the plain key', () => {
    const { dir, vault, done } = setup();
    const sealed = vault.seal('sk-live-abc');
    expect(sealed).not.toContain('sk-live-abc');
    expect(vault.open(sealed)).toBe('sk-live-abc');
    expect(fs.statSync(path.join(dir, 'vault.key')).mode & 0o777).toBe(0o600);
    expect(() => new FileKeyVault(fs.mkdtempSync(path.join(os.tmpdir(), 'other-'))).open(sealed)).toThrow();
    expect(maskKey('sk-ant-secret-123456')).toBe('sk-…3456');
    done();
  });
});

describe('runtime config', () => {
  it('applies changes at once, persists them with sealed keys, and restores them', () => {
    const { db, repo, vault, done } = setup();
    const rc = new RuntimeConfig(repo, vault, null, log);
    rc.saveProvider({ ...anthropic });
    rc.updateSettings({ firstByteTimeoutMs: 1234, smoothing: { ...rc.settings().smoothing, enabled: true } });
    expect(rc.settings().firstByteTimeoutMs).toBe(1234);
    const raw =
      JSON.stringify(db.prepare('SELECT * FROM providers').all()) +
      JSON.stringify(db.prepare('SELECT * FROM settings').all());
    expect(raw).not.toContain('sk-ant-secret-123456');
    const again = new RuntimeConfig(repo, vault, null, log);
    expect(again.providers()[0]?.apiKey).toBe('sk-ant-secret-123456');
    expect(again.settings().firstByteTimeoutMs).toBe(1234);
    expect(again.settings().smoothing.enabled).toBe(true);
    done();
  });

  it('keeps a key when an edit leaves it out, removes it on null, and reorders by priority', () => {
    const { repo, vault, done } = setup();
    const rc = new RuntimeConfig(repo, vault, null, log);
    rc.saveProvider({ ...anthropic });
    rc.saveProvider({ ...anthropic, id: 'b', apiKey: undefined });
    rc.saveProvider({ ...anthropic, baseUrl: 'https://other.example', apiKey: undefined });
    expect(rc.providers()[0]?.apiKey).toBe('sk-ant-secret-123456');
    rc.saveProvider({ ...anthropic, apiKey: null });
    expect(rc.providers()[0]?.apiKey).toBeUndefined();
    rc.reorder(['b', 'a']);
    expect(rc.providers().map((p) => [p.id, p.priority])).toEqual([
      ['b', 1],
      ['a', 2],
    ]);
    expect(() => rc.reorder(['zzz'])).toThrow(ConfigError);
    expect(() => rc.updateSettings({ idleTimeoutMs: -1 })).toThrow(/idleTimeoutMs/);
    expect(() => rc.saveProvider({ ...anthropic, kind: 'azure' as 'openai' })).toThrow(/kind/);
    done();
  });

  it('lets an explicit config file win at start, and seeds from the data dir file only once', () => {
    const { repo, vault, done } = setup();
    const fileCfg = { providers: [{ ...anthropic, id: 'from-file' }], settings: { idleTimeoutMs: 777 } };
    const seeded = new RuntimeConfig(repo, vault, { config: fileCfg, explicit: false }, log);
    expect(seeded.providers().map((p) => p.id)).toEqual(['from-file']);
    seeded.saveProvider({ ...anthropic, id: 'added-in-ui' });
    const restarted = new RuntimeConfig(repo, vault, { config: fileCfg, explicit: false }, log);
    expect(restarted.providers().map((p) => p.id)).toEqual(['from-file', 'added-in-ui']);
    const explicit = new RuntimeConfig(repo, vault, { config: fileCfg, explicit: true }, log);
    expect(explicit.providers().map((p) => p.id)).toEqual(['from-file']);
    expect(explicit.settings().idleTimeoutMs).toBe(777);
    done();
  });
});
