import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildHeadless } from '../support/headless-build';
import { createConfigRepo } from '../../src/main/store/write/config-repo';
import { closeDatabase, openDatabase } from '../../src/main/store/schema/db';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-setup-cli-'));
let cli = '';
let removeBuild = (): void => {};
let n = 0;

/** A fresh home and data dir for one test: nothing here ever touches the real home. */
function sandbox(): { home: string; data: string; args: string[] } {
  const root = path.join(tmp, `t${n++}`);
  const home = path.join(root, 'home');
  const data = path.join(root, 'data');
  fs.mkdirSync(home, { recursive: true });
  return { home, data, args: ['--home', home, '--data-dir', data] };
}

function run(
  args: string[],
  env: Record<string, string> = {},
): { code: number | null; stdout: string; stderr: string } {
  // Only what the command may read: never the real HOME, CODEX_HOME or CLAUDE_CONFIG_DIR.
  const base = { PATH: process.env.PATH ?? '', HOME: path.join(tmp, 'no-home'), SHELL: '/bin/bash' };
  const r = spawnSync(process.execPath, [cli, 'setup', ...args], {
    encoding: 'utf8',
    env: { ...base, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function requireToken(data: string): string {
  const db = openDatabase(path.join(data, 'sluice.db'));
  createConfigRepo(db).saveSettings({ requireLocalToken: true });
  closeDatabase(db);
  // The API token goes into tools' files; the control token never does.
  const token = 'e1'.repeat(32);
  fs.writeFileSync(path.join(data, 'api-token'), `${token}\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(data, 'token'), `${CONTROL_TOKEN}\n`, { mode: 0o600 });
  return token;
}

const CONTROL_TOKEN = 'c0'.repeat(32);

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : [p];
  });
}

const write = (file: string, text: string): void => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
};
const read = (file: string): string => fs.readFileSync(file, 'utf8');

beforeAll(() => {
  ({ cli, remove: removeBuild } = buildHeadless('test-setup-cli'));
}, 120_000);
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  removeBuild();
});

describe('sluice setup (built CLI)', () => {
  it('prints the lines for this machine, the token only when Sluice requires it', () => {
    const s = sandbox();
    const r = run(['claude-code', ...s.args]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\nexport ANTHROPIC_BASE_URL=http://127.0.0.1:8787\n');
    expect(r.stdout).not.toContain('ANTHROPIC_AUTH_TOKEN');
    expect(r.stdout).toContain('# one step: npm run sluice -- setup claude-code --apply');
    const port = run(['codex', '--print', '--port', '9123', ...s.args]);
    expect(port.stdout).toContain('base_url = "http://127.0.0.1:9123/v1"');
    expect(port.stdout).toContain('setup codex --apply --port 9123 --data-dir');

    const token = requireToken(s.data);
    const closed = run(['openai-compatible', ...s.args]);
    expect(closed).toMatchObject({ code: 0, stderr: '' });
    expect(closed.stdout).toContain(`\nexport OPENAI_API_KEY=${token}\n`);
    expect(run(['claude-code', ...s.args]).stdout).toContain(`\nexport ANTHROPIC_AUTH_TOKEN=${token}\n`);
  });

  it('says so on stderr and assumes the token is not required when the settings cannot be read', () => {
    const s = sandbox();
    write(path.join(s.data, 'sluice.db'), 'not a database at all, just some text in a file');
    const r = run(['gemini-cli', ...s.args]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^sluice: cannot read the settings in .*; assuming requireLocalToken is off\n$/);
    expect(r.stdout).toContain('export GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:8787');
  });

  it('claude-code: merges into settings.json, is idempotent, and undo restores it byte for byte', () => {
    const s = sandbox();
    const file = path.join(s.home, '.claude', 'settings.json');
    const original = '{\n  "model": "opus",\n  "env": { "DISABLE_TELEMETRY": "1" },\n  "hooks": {}\n}';
    write(file, original);
    const r = run(['claude-code', '--apply', ...s.args]);
    expect(r.code).toBe(0);
    expect(JSON.parse(read(file))).toEqual({
      model: 'opus',
      env: { DISABLE_TELEMETRY: '1', ANTHROPIC_BASE_URL: 'http://127.0.0.1:8787' },
      hooks: {},
    });
    const backups = path.join(s.data, 'setup-backups', 'claude-code');
    const backup = fs.readdirSync(backups).find((f) => f.endsWith('.orig'))!;
    expect(read(path.join(backups, backup))).toBe(original);
    expect(r.stdout).toContain(`backup of the original: ${path.join(backups, backup)}`);
    expect(r.stdout).toContain('Undo: npm run sluice -- setup claude-code --undo --data-dir');

    const applied = read(file);
    const again = run(['claude-code', '--apply', ...s.args]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to change');
    expect(read(file)).toBe(applied);
    expect(fs.readdirSync(backups).sort()).toEqual(['manifest.json', backup]);

    const undo = run(['claude-code', '--undo', ...s.args]);
    expect(undo.code).toBe(0);
    expect(undo.stdout).toBe(`${file}: restored the original, byte for byte\n`);
    expect(read(file)).toBe(original);
    const none = run(['claude-code', '--undo', ...s.args]);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/^Nothing to undo for claude-code: /);
  });

  it('claude-code: refuses a settings.json that is not JSON, writing nothing', () => {
    const s = sandbox();
    const file = path.join(s.home, '.claude', 'settings.json');
    write(file, '{ "model": "opus", }');
    const r = run(['claude-code', '--apply', ...s.args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^sluice: .*settings\.json is not valid JSON \(.*\); fix or move it, then run this again \(nothing was written\)\n$/,
    );
    expect(read(file)).toBe('{ "model": "opus", }');
    expect(fs.existsSync(path.join(s.data, 'setup-backups'))).toBe(false);
  });

  it('codex: edits config.toml in CODEX_HOME; undo after a user edit takes out only what Sluice set', () => {
    const s = sandbox();
    const codexHome = path.join(s.home, 'elsewhere', 'codex');
    const file = path.join(codexHome, 'config.toml');
    const original = [
      '# my config',
      'model = "gpt-5"',
      'model_provider = "openai"',
      '',
      '[model_providers.azure]',
      'name = "Azure"',
      'base_url = "https://x.openai.azure.com/openai"',
      '',
      '[profiles.fast]',
      'model = "o4-mini"',
      '',
      '[[skills.config]]',
      'path = "a"',
      '',
    ].join('\n');
    write(file, original);
    const r = run(['codex', '--apply', ...s.args], { CODEX_HOME: codexHome });
    expect(r.code).toBe(0);
    expect(fs.existsSync(path.join(s.home, '.codex'))).toBe(false);
    const applied = read(file);
    expect(applied).toContain('model = "gpt-5"\nmodel_provider = "sluice"\n\n[model_providers.azure]');
    expect(applied).toContain(
      '\n[model_providers.sluice]\nname = "Sluice"\nbase_url = "http://127.0.0.1:8787/v1"\nwire_api = "responses"\n',
    );
    expect(r.stdout).toContain('set model_provider = "sluice" (was "openai")');

    write(file, `${applied}\n[tui]\nnotifications = true\n`);
    const undo = run(['codex', '--undo', ...s.args], { CODEX_HOME: codexHome });
    expect(undo.code).toBe(0);
    expect(undo.stdout).toContain(
      `${file}: changed since Sluice wrote it, so only Sluice's entries were taken out:`,
    );
    expect(undo.stdout).toContain('  the original stays at ');
    expect(read(file)).toBe(`${original}\n[tui]\nnotifications = true\n`);
  });

  it('gemini-cli: sets the auth type and the .env, with a placeholder key or the local token', () => {
    const s = sandbox();
    const settings = path.join(s.home, '.gemini', 'settings.json');
    const env = path.join(s.home, '.gemini', '.env');
    write(settings, '{ "ui": { "theme": "GitHub" } }\n');
    const r = run(['gemini-cli', '--apply', ...s.args]);
    expect(r.code).toBe(0);
    expect(JSON.parse(read(settings))).toEqual({
      ui: { theme: 'GitHub' },
      security: { auth: { selectedType: 'gemini-api-key' } },
    });
    expect(read(env)).toBe(
      "GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:8787\n# Gemini CLI needs some GEMINI_API_KEY to start; Sluice swaps in its provider's key\nGEMINI_API_KEY=sluice\n",
    );
    expect((fs.statSync(env).mode & 0o777).toString(8)).toBe('600');

    const token = requireToken(s.data);
    const closed = run(['gemini-cli', '--apply', ...s.args]);
    expect(closed.code).toBe(0);
    expect(closed.stdout).not.toContain(token);
    expect(read(env)).toBe(`GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:8787\nGEMINI_API_KEY=${token}\n`);

    expect(run(['gemini-cli', '--undo', ...s.args]).code).toBe(0);
    expect(read(settings)).toBe('{ "ui": { "theme": "GitHub" } }\n');
    expect(fs.existsSync(env)).toBe(false);
  });

  it('openai-compatible: a marked block in the profile of $SHELL, once, removed by undo', () => {
    const s = sandbox();
    const zshrc = path.join(s.home, '.zshrc');
    write(zshrc, 'export EDITOR=vim\n');
    const r = run(['openai-compatible', '--apply', ...s.args], { SHELL: '/usr/bin/zsh' });
    expect(r.code).toBe(0);
    expect(run(['openai-compatible', '--apply', ...s.args], { SHELL: '/usr/bin/zsh' }).code).toBe(0);
    const text = read(zshrc);
    expect(text.match(/# >>> sluice >>>/g)).toHaveLength(1);
    expect(text).toContain('\nexport OPENAI_BASE_URL=http://127.0.0.1:8787/v1\n# <<< sluice <<<\n');
    expect(r.stdout).toContain('Cline:');
    expect(run(['openai-compatible', '--undo', ...s.args]).code).toBe(0);
    expect(read(zshrc)).toBe('export EDITOR=vim\n');
  });

  it('writes the API token, never the control token; a profile stays as private as it was and the output says where the token went', () => {
    const s = sandbox();
    const token = requireToken(s.data);
    const bashrc = path.join(s.home, '.bashrc');
    write(bashrc, 'export EDITOR=vim\n');
    fs.chmodSync(bashrc, 0o640);
    const r = run(['openai-compatible', '--apply', ...s.args]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(read(bashrc)).toContain(`export OPENAI_API_KEY=${token}\n`);
    expect(fs.statSync(bashrc).mode & 0o777).toBe(0o640);
    expect(r.stdout).toContain(`The API token is now in ${bashrc} (mode 0640`);
    expect(r.stdout).toContain('other users of this machine can read it');

    const claude = run(['claude-code', '--apply', ...s.args]);
    const settings = path.join(s.home, '.claude', 'settings.json');
    expect(fs.statSync(settings).mode & 0o777).toBe(0o600);
    expect(claude.stdout).toContain(`The API token is now in ${settings} (mode 0600).`);
    for (const f of filesUnder(s.home)) expect(read(f), f).not.toContain(CONTROL_TOKEN);
  });

  it('uses $HOME without --home', () => {
    const s = sandbox();
    const r = run(['claude-code', '--apply', '--data-dir', s.data], { HOME: s.home });
    expect(r.code).toBe(0);
    expect(fs.existsSync(path.join(s.home, '.claude', 'settings.json'))).toBe(true);
  });

  it('answers bad usage with the usage text and exit code 2', () => {
    for (const args of [
      [],
      ['vscode'],
      ['codex', '--apply', '--undo'],
      ['codex', '--force'],
      ['codex', 'extra'],
    ]) {
      const r = run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^sluice: .+\nUsage:\n/);
      expect(r.stderr).toContain('sluice setup <claude-code|codex|gemini-cli|openai-compatible>');
    }
    const port = run(['codex', '--port', 'x', ...sandbox().args]);
    expect(port).toMatchObject({ code: 1, stderr: 'sluice: --port must be 1–65535, got "x"\n' });
  });
});
