import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp, type SluiceApp } from '../../src/main/app/app';
import type { Result } from '../../src/shared/ipc-contract';
import type { SetupOutcome, SetupPreview } from '../../src/shared/setup-view';

/** A codex config the user wrote: comments, another provider, a table; none of it may be lost. */
const CODEX_BEFORE = `# my codex settings
model = "gpt-5" # the one I like
model_provider = "openai"

[model_providers.other]
name = "Other"
base_url = "https://example.invalid/v1"
`;

describe('setup over the control API (preview, apply, undo on a temporary home)', () => {
  let root: string;
  let home: string;
  let dataDir: string;
  let app: SluiceApp;

  const call = async <T>(name: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${app.url}/_sluice/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token}`, ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Result<T> };
  };
  const ok = async <T>(name: string, body: unknown): Promise<T> => {
    const r = await call<T>(name, body);
    if (!r.json.ok) throw new Error(`${name}: ${r.json.error.message}`);
    return r.json.value;
  };
  const codexFile = (): string => path.join(home, '.codex', 'config.toml');

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-setup-control-'));
    home = path.join(root, 'home');
    dataDir = path.join(root, 'data');
    fs.mkdirSync(path.join(home, '.codex'), { recursive: true });
    app = await startApp({
      dataDir,
      port: 0,
      host: '127.0.0.1',
      log: () => {},
      setupHome: { home, env: { SHELL: '/bin/bash' } },
    });
  });
  afterAll(async () => {
    await app?.close(500);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('previews a diff without writing, applies exactly it, and undoes to the original bytes', async () => {
    fs.writeFileSync(codexFile(), CODEX_BEFORE);
    const preview = await ok<SetupPreview>('setup.preview', { tool: 'codex' });
    expect(fs.readFileSync(codexFile(), 'utf8')).toBe(CODEX_BEFORE);
    expect(preview.state.applied).toBe(false);
    expect(preview.files).toHaveLength(1);
    const [file] = preview.files;
    expect(file).toMatchObject({ path: codexFile(), exists: true, willChange: true });
    expect(file!.diff).toContain(`-model_provider = "openai"\n+model_provider = "sluice"\n`);
    expect(file!.diff).toContain(`+base_url = "${app.url}/v1"\n`);

    // Applying the text the diff describes: every `+`/context line, in order, is the new file.
    const applied = await ok<SetupOutcome>('setup.apply', { tool: 'codex', basis: preview.basis });
    const after = fs.readFileSync(codexFile(), 'utf8');
    const newSide = file!.diff
      .split('\n')
      .filter((l) => /^[ +]/.test(l) && !l.startsWith('+++ '))
      .map((l) => l.slice(1));
    for (const line of newSide) expect(after.split('\n')).toContain(line);
    expect(after).toContain('# my codex settings\nmodel = "gpt-5" # the one I like\n');
    expect(applied.state.applied).toBe(true);
    expect(applied.state.files).toEqual([
      expect.objectContaining({ path: codexFile(), changedSince: false, backup: expect.any(String) }),
    ]);
    const backup = applied.state.files[0]!.backup!;
    expect(backup.startsWith(path.join(dataDir, 'setup-backups', 'codex'))).toBe(true);
    expect(fs.readFileSync(backup, 'utf8')).toBe(CODEX_BEFORE);
    expect(applied.report.join('\n')).toContain(`backup of the original: ${backup}`);

    const info = await ok<{ states: Record<string, { applied: boolean }> }>('setup.get', {});
    expect(info.states.codex!.applied).toBe(true);
    expect(info.states['claude-code']!.applied).toBe(false);

    // Applying again changes nothing.
    const again = await ok<SetupPreview>('setup.preview', { tool: 'codex' });
    expect(again.files[0]).toMatchObject({ willChange: false, diff: '' });

    // Undo's own preview: the diff back to the original, nothing written yet.
    expect(again.undo).toHaveLength(1);
    expect(again.undo[0]!.changes[0]).toBe('the original comes back, byte for byte');
    expect(again.undo[0]!.diff).toContain('-model_provider = "sluice"\n+model_provider = "openai"\n');
    expect(again.undo[0]!.diff).toContain('-[model_providers.sluice]\n');
    expect(fs.readFileSync(codexFile(), 'utf8')).toBe(after);

    const undone = await ok<SetupOutcome>('setup.undo', { tool: 'codex' });
    expect(undone.failed).toEqual([]);
    expect(undone.state.applied).toBe(false);
    expect(fs.readFileSync(codexFile()).equals(Buffer.from(CODEX_BEFORE))).toBe(true);
    const nothing = await ok<SetupOutcome>('setup.undo', { tool: 'codex' });
    expect(nothing.report[0]).toMatch(/^Nothing to undo for codex/);
  });

  it('writes nothing when a file changed after the preview', async () => {
    fs.writeFileSync(codexFile(), CODEX_BEFORE);
    const preview = await ok<SetupPreview>('setup.preview', { tool: 'codex' });
    const edited = `${CODEX_BEFORE}# edited meanwhile\n`;
    fs.writeFileSync(codexFile(), edited);
    const r = await call('setup.apply', { tool: 'codex', basis: preview.basis });
    expect(r.json.ok).toBe(false);
    if (!r.json.ok) expect(r.json.error.message).toMatch(/changed since the preview; nothing was written/);
    expect(fs.readFileSync(codexFile(), 'utf8')).toBe(edited);
    expect(fs.existsSync(path.join(dataDir, 'setup-backups', 'codex', 'manifest.json'))).toBe(false);
  });

  it('creates a file that did not exist, and undo deletes it', async () => {
    const file = path.join(home, '.claude', 'settings.json');
    const preview = await ok<SetupPreview>('setup.preview', { tool: 'claude-code' });
    expect(preview.files[0]).toMatchObject({ path: file, exists: false, willChange: true });
    expect(preview.files[0]!.diff.startsWith(`--- /dev/null\n+++ ${file}\n@@ -0,0 +1,`)).toBe(true);
    await ok<SetupOutcome>('setup.apply', { tool: 'claude-code', basis: preview.basis });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({
      env: { ANTHROPIC_BASE_URL: app.url },
    });
    const undo = (await ok<SetupPreview>('setup.preview', { tool: 'claude-code' })).undo;
    expect(undo[0]!.changes[0]).toBe('deleted: it did not exist before Sluice');
    expect(undo[0]!.diff.startsWith(`--- ${file}\n+++ /dev/null\n@@ -1,`)).toBe(true);
    await ok<SetupOutcome>('setup.undo', { tool: 'claude-code' });
    expect(fs.existsSync(file)).toBe(false);
  });

  it("previews an undo of a file edited since: only Sluice's entries come out, the edit stays", async () => {
    fs.writeFileSync(codexFile(), CODEX_BEFORE);
    await ok<SetupOutcome>('setup.apply', { tool: 'codex' });
    fs.appendFileSync(codexFile(), '[profiles.mine]\nmodel = "o3"\n');
    const edited = fs.readFileSync(codexFile(), 'utf8');
    const [file] = (await ok<SetupPreview>('setup.preview', { tool: 'codex' })).undo;
    expect(file!.changes[0]).toBe("changed since Sluice wrote it: only Sluice's entries are taken out");
    expect(file!.diff).toContain('+model_provider = "openai"\n');
    expect(file!.diff).not.toContain('-[profiles.mine]');
    expect(fs.readFileSync(codexFile(), 'utf8')).toBe(edited);
    const undone = await ok<SetupOutcome>('setup.undo', { tool: 'codex' });
    expect(undone.failed).toEqual([]);
    const left = fs.readFileSync(codexFile(), 'utf8');
    expect(left).toContain('model_provider = "openai"');
    expect(left).toContain('[profiles.mine]\nmodel = "o3"\n');
    expect(left).not.toContain('sluice');
  });

  it("shows no key a tool's own file holds: the diff's context goes through the redaction path", async () => {
    const key = 'sk-ant-api03-' + 'Q'.repeat(40);
    const settings = path.join(home, '.claude', 'settings.json');
    fs.mkdirSync(path.dirname(settings), { recursive: true });
    fs.writeFileSync(settings, JSON.stringify({ env: { ANTHROPIC_API_KEY: key } }, null, 2) + '\n');
    const preview = await ok<SetupPreview>('setup.preview', { tool: 'claude-code' });
    const [file] = preview.files;
    expect(file!.diff).toContain('+    "ANTHROPIC_BASE_URL"');
    expect(file!.diff).toContain('ANTHROPIC_API_KEY');
    expect(JSON.stringify(preview)).not.toContain(key);
    expect(fs.readFileSync(settings, 'utf8')).toContain(key);
  });

  it('refuses an unknown tool and a malformed basis with 400', async () => {
    expect((await call('setup.preview', { tool: 'vim' })).status).toBe(400);
    expect((await call('setup.apply', { tool: 'codex', basis: 'abc' })).status).toBe(400);
  });
});
