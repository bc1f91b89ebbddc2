import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildHeadless } from '../support/headless-build';
import { createConfigRepo } from '../../src/main/store/write/config-repo';
import { closeDatabase, openDatabase } from '../../src/main/store/schema/db';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-setup-slots-'));
let cli = '';
let removeBuild = (): void => {};

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  // Never the real HOME or CLAUDE_CONFIG_DIR: --home points at the sandbox.
  const env = { PATH: process.env.PATH ?? '', HOME: path.join(tmp, 'no-home'), SHELL: '/bin/bash' };
  const r = spawnSync(process.execPath, [cli, 'setup', ...args], { encoding: 'utf8', env, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  ({ cli, remove: removeBuild } = buildHeadless('test-setup-slots'));
}, 120_000);
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  removeBuild();
});

describe('sluice setup claude-code with model slots (built CLI)', () => {
  it('saves the slots, writes them into ~/.claude/settings.json, and undo restores the file byte for byte', () => {
    const home = path.join(tmp, 'home');
    const data = path.join(tmp, 'data');
    const file = path.join(home, '.claude', 'settings.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const original = '{\n  "permissions": { "allow": ["Bash(ls)"] }\n}\n';
    fs.writeFileSync(file, original);
    const where = ['--home', home, '--data-dir', data];

    const applied = run([
      'claude-code',
      '--apply',
      '--haiku',
      'deepseek-chat',
      '--haiku-context-tokens',
      '128000',
      '--opus',
      'claude-opus-4-8',
      '--opus-context-tokens',
      '1000000',
      ...where,
    ]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('  haiku → deepseek-chat (128000-token window)');
    expect(applied.stdout).toContain('  set env.ANTHROPIC_DEFAULT_OPUS_MODEL = "claude-opus-4-8[1m]"');
    const env = (JSON.parse(fs.readFileSync(file, 'utf8')) as { env: Record<string, string> }).env;
    expect(env).toEqual({
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:8787',
      ANTHROPIC_DEFAULT_OPUS_MODEL: 'claude-opus-4-8[1m]',
      ANTHROPIC_DEFAULT_HAIKU_MODEL: 'deepseek-chat',
      CLAUDE_CODE_AUTO_COMPACT_WINDOW: '128000',
    });

    // Saved in the data dir's settings, where the app reads them at start.
    const db = openDatabase(path.join(data, 'sluice.db'));
    expect(createConfigRepo(db).loadSettings().claudeCodeSlots).toEqual({
      opus: { model: 'claude-opus-4-8', contextWindowTokens: 1_000_000 },
      haiku: { model: 'deepseek-chat', contextWindowTokens: 128_000 },
    });
    closeDatabase(db);

    // A later print with no flags shows the saved slots.
    const printed = run(['claude-code', ...where]);
    expect(printed.stdout).toContain('export ANTHROPIC_DEFAULT_HAIKU_MODEL=deepseek-chat\n');
    expect(printed.stdout).toContain(`export ANTHROPIC_DEFAULT_OPUS_MODEL='claude-opus-4-8[1m]'\n`);

    const undone = run(['claude-code', '--undo', '--data-dir', data]);
    expect(undone.code).toBe(0);
    expect(undone.stdout).toContain(`${file}: restored the original, byte for byte`);
    expect(fs.readFileSync(file, 'utf8')).toBe(original);
  });

  it('refuses slot flags for another tool, with --undo, or with a bad value naming the flag', () => {
    const where = ['--home', path.join(tmp, 'h2'), '--data-dir', path.join(tmp, 'd2')];
    const other = run(['codex', '--haiku', 'x', ...where]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('--opus, --sonnet, --haiku and --subagent are for claude-code');
    const undo = run(['claude-code', '--undo', '--haiku', 'x', ...where]);
    expect(undo.code).toBe(2);
    const bad = run(['claude-code', '--sonnet', 'x', '--sonnet-context-tokens', '12', ...where]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^sluice: --sonnet-context-tokens: /);
    expect(fs.existsSync(path.join(tmp, 'h2', '.claude'))).toBe(false);
  });
});
