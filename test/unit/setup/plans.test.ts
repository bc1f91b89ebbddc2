import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setupTools, setupCommand, toolText } from '../../../src/main/setup/plans';
import { readRequireLocalToken } from '../../../src/main/setup/read-settings';
import { createConfigRepo } from '../../../src/main/store/write/config-repo';
import { closeDatabase, openDatabase } from '../../../src/main/store/schema/db';

const url = 'http://127.0.0.1:8787';
const token = 'cd'.repeat(32);

describe('setup plans', () => {
  it('leave the key alone unless the local token is required', () => {
    const open = setupTools({ url, token, requireToken: false });
    expect(open.map((t) => t.id)).toEqual(['claude-code', 'codex', 'gemini-cli', 'openai-compatible']);
    expect(open.flatMap((t) => t.lines).join('\n')).not.toContain(token);
    expect(open[0]!.lines[0]).toBe(`export ANTHROPIC_BASE_URL=${url}`);
    expect(open[0]!.lines.some((l) => l.startsWith('#') && l.includes('any value works'))).toBe(true);
    expect(open[3]!.lines.filter((l) => !l.startsWith('#'))).toEqual([`export OPENAI_BASE_URL=${url}/v1`]);

    const closed = setupTools({ url, token, requireToken: true });
    const exported = closed.flatMap((t) => t.lines.filter((l) => l.startsWith('export ')));
    expect(exported).toEqual([
      `export ANTHROPIC_BASE_URL=${url}`,
      `export ANTHROPIC_AUTH_TOKEN=${token}`,
      `export GOOGLE_GEMINI_BASE_URL=${url}`,
      `export GEMINI_API_KEY=${token}`,
      `export OPENAI_BASE_URL=${url}/v1`,
      `export OPENAI_API_KEY=${token}`,
    ]);
    expect(closed[1]!.lines).toContain(
      `experimental_bearer_token = "${token}"  # Sluice's API token (requireLocalToken is on)`,
    );
  });

  it('name the one-step command, with the options reaching this gateway quoted for the shell', () => {
    expect(toolText('codex', { url, token, requireToken: false }).applyCommand).toBe(
      'npm run sluice -- setup codex --apply',
    );
    expect(setupCommand('gemini-cli', '--undo', ['--port', '9000', '--data-dir', "/tmp/it's here"])).toBe(
      `npm run sluice -- setup gemini-cli --undo --port 9000 --data-dir '/tmp/it'\\''s here'`,
    );
  });
});

describe('reading requireLocalToken', () => {
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-setup-settings-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const save = (dir: string, settings: Record<string, unknown>, providers = 0): void => {
    const db = openDatabase(path.join(dir, 'sluice.db'));
    const repo = createConfigRepo(db);
    repo.saveSettings(settings);
    repo.saveProviders(
      Array.from({ length: providers }, (_, i) => ({
        id: `p${i}`,
        position: i,
        config: {},
        sealedKey: null,
      })),
    );
    closeDatabase(db);
  };

  it('is off without a database, and creates nothing', () => {
    const dir = tmp();
    expect(readRequireLocalToken(path.join(dir, 'none'))).toEqual({
      requireToken: false,
      savedPort: null,
      claudeSlots: {},
      warning: null,
    });
    expect(fs.existsSync(path.join(dir, 'none'))).toBe(false);
  });

  it('reads the saved setting without writing the database', () => {
    const dir = tmp();
    save(dir, { requireLocalToken: true, port: 9123 });
    const before = fs.readFileSync(path.join(dir, 'sluice.db'));
    expect(readRequireLocalToken(dir)).toEqual({
      requireToken: true,
      savedPort: 9123,
      claudeSlots: {},
      warning: null,
    });
    expect(fs.readFileSync(path.join(dir, 'sluice.db'))).toEqual(before);
  });

  it("takes the data dir's config.json over the saved settings only while no provider is saved, as the app does", () => {
    const dir = tmp();
    fs.writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({ providers: [], settings: { requireLocalToken: true } }),
    );
    expect(readRequireLocalToken(dir).requireToken).toBe(true);
    save(dir, {}, 1);
    expect(readRequireLocalToken(dir).requireToken).toBe(false);
  });

  it('falls back to off, saying why, when the database cannot be read', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'sluice.db'), 'this is not a database, not even close to one');
    const r = readRequireLocalToken(dir);
    expect(r.requireToken).toBe(false);
    expect(r.warning).toMatch(
      /^cannot read the settings in .*sluice\.db \(.+\); assuming requireLocalToken is off$/,
    );
  });
});
