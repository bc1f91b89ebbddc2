import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileKeyVault } from '../../../src/main/config/key-vault';
import { ConfigError, RuntimeConfig } from '../../../src/main/config/runtime-config';
import { closeDatabase, openDatabase } from '../../../src/main/store/schema/db';
import { createConfigRepo } from '../../../src/main/store/write/config-repo';
import { ConfigSchema, describeConfigIssues } from '../../../src/shared/config';

function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-routes-'));
  const db = openDatabase(path.join(dir, 'sluice.db'));
  const repo = createConfigRepo(db);
  const vault = new FileKeyVault(dir);
  return { repo, vault, done: () => (closeDatabase(db), fs.rmSync(dir, { recursive: true, force: true })) };
}
const log = (): void => {};
const provider = (id: string) =>
  ({
    id,
    kind: 'anthropic',
    baseUrl: 'https://api.anthropic.com',
    priority: 1,
    enabled: true,
    models: {},
    headers: {},
  }) as const;

describe('routes in the config', () => {
  it('a config file names the bad field: unknown provider, listed twice, empty globs', () => {
    const parsed = ConfigSchema.safeParse({
      providers: [provider('a'), provider('b')],
      routes: [
        { models: ['claude-haiku-*'], providers: ['a', 'b'] },
        { models: ['x'], providers: ['a', 'nope', 'a'] },
        { models: [], providers: ['a'] },
        { models: [''], providers: ['a'], balance: 'weighted' },
      ],
    });
    expect(parsed.success).toBe(false);
    const lines = describeConfigIssues(parsed.error!.issues);
    expect(lines).toContain('routes[2].models: at least one model glob');
    expect(lines).toContain('routes[3].models[0]: a model name or glob');
    // The cross-field check runs once the shapes parse.
    const shapesOk = ConfigSchema.safeParse({
      providers: [provider('a')],
      routes: [{ models: ['x'], providers: ['a', 'nope', 'a'] }],
    });
    expect(describeConfigIssues(shapesOk.error!.issues)).toEqual([
      'routes[0].providers[1]: no provider "nope"',
      'routes[0].providers[2]: "a" is listed twice',
    ]);
    expect(ConfigSchema.safeParse({ providers: [{ ...provider('a'), weight: 0 }] }).success).toBe(false);
  });

  it('setRoutes validates against the providers, persists, notifies, and a restart restores them', () => {
    const { repo, vault, done } = setup();
    const rc = new RuntimeConfig(repo, vault, null, log);
    rc.saveProvider(provider('a'));
    rc.saveProvider(provider('b'));
    let changes = 0;
    rc.onChange(() => changes++);
    expect(() => rc.setRoutes([{ models: ['m'], providers: ['b', 'x'] }])).toThrow(
      new ConfigError('routes[0].providers[1]: no provider "x"'),
    );
    expect(() => rc.setRoutes([{ models: [], providers: ['a'] }])).toThrow(
      /routes\[0\]\.models: at least one/,
    );
    expect(changes).toBe(0);
    const routes = [
      { models: ['claude-haiku-*'], providers: ['b', 'a'] },
      { models: ['claude-opus-*', 'o3'], providers: ['a'], balance: 'weighted' as const },
    ];
    rc.setRoutes(routes);
    expect(changes).toBe(1);
    expect(rc.routes()).toEqual(routes);
    expect(new RuntimeConfig(repo, vault, null, log).routes()).toEqual(routes);
    done();
  });

  it('refuses to remove a provider a route names, and removes it once the route no longer does', () => {
    const { repo, vault, done } = setup();
    const rc = new RuntimeConfig(repo, vault, null, log);
    rc.saveProvider(provider('a'));
    rc.saveProvider(provider('b'));
    rc.setRoutes([
      { models: ['m'], providers: ['a'] },
      { models: ['n'], providers: ['b', 'a'] },
    ]);
    expect(() => rc.removeProvider('a')).toThrow(/provider "a" is named by routes\[0\], routes\[1\]/);
    expect(rc.providers().map((p) => p.id)).toContain('a');
    rc.setRoutes([{ models: ['n'], providers: ['b'] }]);
    rc.removeProvider('a');
    expect(rc.providers().some((p) => p.id === 'a')).toBe(false);
    done();
  });

  it("an explicit config file's routes are in force, like its providers", () => {
    const { repo, vault, done } = setup();
    const saved = new RuntimeConfig(repo, vault, null, log);
    saved.saveProvider(provider('a'));
    saved.setRoutes([{ models: ['m'], providers: ['a'] }]);
    const config = ConfigSchema.parse({
      providers: [provider('z')],
      routes: [{ models: ['claude-*'], providers: ['z'] }],
    });
    const rc = new RuntimeConfig(repo, vault, { config, explicit: true }, log);
    expect(rc.routes()).toEqual([{ models: ['claude-*'], providers: ['z'] }]);
    done();
  });
});
