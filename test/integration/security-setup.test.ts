import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp, type SluiceApp } from '../../src/main/app/app';

const CODEX_BEFORE = '# mine\nmodel_provider = "openai"\n';

/**
 * The Setup screen's calls write files in the user's home: only a holder of the control token (or a
 * dashboard session on Sluice's own origin) may make them. Everything else is refused, and nothing moves.
 */
describe('setup calls are guarded like every control call', () => {
  let root: string;
  let home: string;
  let dataDir: string;
  let app: SluiceApp;
  const codexFile = (): string => path.join(home, '.codex', 'config.toml');
  const backups = (): string => path.join(dataDir, 'setup-backups');

  const post = async (name: string, headers: Record<string, string>): Promise<number> => {
    const res = await fetch(`${app.url}/_sluice/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ tool: 'codex' }),
    });
    await res.arrayBuffer();
    return res.status;
  };

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-sec-setup-'));
    home = path.join(root, 'home');
    dataDir = path.join(root, 'data');
    fs.mkdirSync(path.dirname(codexFile()), { recursive: true });
    fs.writeFileSync(codexFile(), CODEX_BEFORE);
    app = await startApp({
      dataDir,
      port: 0,
      host: '127.0.0.1',
      log: () => {},
      setupHome: { home, env: {} },
    });
  });
  afterAll(async () => {
    await app?.close(500);
    fs.rmSync(root, { recursive: true, force: true });
  });

  const refusals: [string, () => Record<string, string>, number][] = [
    ['no credential', () => ({}), 401],
    ['a wrong token', () => ({ authorization: `Bearer ${'0'.repeat(64)}` }), 401],
    // A tool holding the API token (it is in their config files) cannot reconfigure them.
    ['the API token', () => ({ authorization: `Bearer ${app.apiToken}` }), 401],
    ['a cookie', () => ({ cookie: `sluice_token=${app.token}` }), 401],
    [
      'the control token from a foreign page',
      () => ({ authorization: `Bearer ${app.token}`, origin: 'http://evil.example' }),
      403,
    ],
    [
      'the control token from another local port',
      () => ({ authorization: `Bearer ${app.token}`, origin: 'http://127.0.0.1:1' }),
      403,
    ],
  ];

  for (const call of ['setup.preview', 'setup.apply'])
    for (const [who, headers, status] of refusals)
      it(`refuses ${call} with ${who} (${status}), writing nothing`, async () => {
        expect(await post(call, headers())).toBe(status);
        expect(fs.readFileSync(codexFile(), 'utf8')).toBe(CODEX_BEFORE);
        expect(fs.existsSync(backups())).toBe(false);
      });

  it('refuses setup.undo without the control token: an applied setup stays applied', async () => {
    expect(await post('setup.apply', { authorization: `Bearer ${app.token}` })).toBe(200);
    const applied = fs.readFileSync(codexFile(), 'utf8');
    expect(applied).toContain('model_provider = "sluice"');
    for (const [, headers, status] of refusals) {
      expect(await post('setup.undo', headers())).toBe(status);
      expect(fs.readFileSync(codexFile(), 'utf8')).toBe(applied);
    }
    expect(await post('setup.undo', { authorization: `Bearer ${app.token}` })).toBe(200);
    expect(fs.readFileSync(codexFile(), 'utf8')).toBe(CODEX_BEFORE);
  });
});
