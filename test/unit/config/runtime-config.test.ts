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
    rc.saveProvider({ ...anthropic, baseUrl: 'https://api.anthropic.com/other-path', apiKey: undefined });
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

  it('seals credential headers at rest like the key, and masks nothing it keeps in memory', () => {
    const { db, repo, vault, done } = setup();
    const rc = new RuntimeConfig(repo, vault, null, log);
    const headers = {
      'api-key': 'azure-secret-value-1',
      'x-api-key': 'x-secret-value-22',
      Authorization: 'Bearer bearer-secret-333',
      'x-goog-api-key': 'goog-secret-4444',
      'x-custom-cred': 'marked-secret-55555',
      'x-team': 'core',
    };
    rc.saveProvider({ ...anthropic, headers, secretHeaders: ['X-Custom-Cred'] });
    const raw = JSON.stringify(db.prepare('SELECT * FROM providers').all());
    for (const [name, value] of Object.entries(headers)) {
      if (name === 'x-team') expect(raw).toContain(value);
      else expect(raw, name).not.toContain(value.replace(/^Bearer /, ''));
    }
    const again = new RuntimeConfig(repo, vault, null, log);
    expect(again.providers()[0]?.headers).toEqual(headers);
    expect(again.providers()[0]?.secretHeaders).toEqual(['X-Custom-Cred']);
    done();
  });

  it('keeps saved secret headers a save leaves out, removes them on null, and never unmarks a kept one', () => {
    const { repo, vault, done } = setup();
    const rc = new RuntimeConfig(repo, vault, null, log);
    rc.saveProvider({
      ...anthropic,
      headers: { 'api-key': 'azure-secret-value-1', 'x-custom': 'marked-1234', 'x-team': 'core' },
      secretHeaders: ['x-custom'],
    });
    // A save without the secret headers (the UI never has their values) keeps them; plain ones go.
    rc.saveProvider({ ...anthropic, apiKey: undefined, headers: {}, secretHeaders: [] });
    expect(rc.providers()[0]?.headers).toEqual({
      'api-key': 'azure-secret-value-1',
      'x-custom': 'marked-1234',
    });
    // Unmarking a header it did not set again would show its value: the mark stays.
    expect(rc.providers()[0]?.secretHeaders).toEqual(['x-custom']);
    rc.saveProvider({
      ...anthropic,
      apiKey: undefined,
      headers: { 'API-KEY': null, 'x-custom': 'new-value-99' },
    });
    expect(rc.providers()[0]?.headers).toEqual({ 'x-custom': 'new-value-99' });
    done();
  });

  it('drops the saved key and secret headers when the origin changes, unless the same save sets them', () => {
    const { repo, vault, done } = setup();
    const rc = new RuntimeConfig(repo, vault, null, log);
    const headers = { 'x-api-key': 'x-secret-value-22', 'x-team': 'core' };
    rc.saveProvider({ ...anthropic, headers });
    for (const baseUrl of [
      'https://evil.example',
      'http://api.anthropic.com',
      'https://api.anthropic.com:8443',
      'https://API.anthropic.com.evil.example',
    ]) {
      rc.saveProvider({ ...anthropic, apiKey: 'sk-ant-secret-123456', headers });
      rc.saveProvider({ ...anthropic, baseUrl, apiKey: undefined, headers: { 'x-team': 'core' } });
      const p = rc.providers()[0]!;
      expect(p.apiKey, baseUrl).toBeUndefined();
      expect(p.headers, baseUrl).toEqual({ 'x-team': 'core' });
      expect(rc.credentialOrigin('a')).toBeNull();
    }
    // The same host in another spelling is the same origin: nothing is dropped.
    rc.saveProvider({ ...anthropic, headers });
    rc.saveProvider({
      ...anthropic,
      baseUrl: 'https://API.anthropic.com:443/v1',
      apiKey: undefined,
      headers: {},
    });
    expect(rc.providers()[0]?.apiKey).toBe('sk-ant-secret-123456');
    expect(rc.providers()[0]?.headers).toEqual({ 'x-api-key': 'x-secret-value-22' });
    expect(rc.credentialOrigin('a')).toBe('https://api.anthropic.com');
    // Set again in the same save: they follow the provider to its new origin.
    rc.saveProvider({ ...anthropic, baseUrl: 'https://proxy.example', apiKey: 'sk-new-key-0000', headers });
    expect(rc.providers()[0]).toMatchObject({ apiKey: 'sk-new-key-0000', headers });
    expect(rc.credentialOrigin('a')).toBe('https://proxy.example');
    done();
  });
});
