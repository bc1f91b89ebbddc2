import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applySetup, undoSetup } from '../../../src/main/setup/apply';
import { slotEnv, slotModels } from '../../../src/main/setup/claude-slot-env';
import { backupDir } from '../../../src/main/setup/manifest';
import { toolText } from '../../../src/main/setup/plans';
import { readRequireLocalToken } from '../../../src/main/setup/read-settings';
import { applySlotFlags, saveSlots } from '../../../src/main/setup/slot-flags';
import { targetsFor } from '../../../src/main/setup/targets';
import { createConfigRepo } from '../../../src/main/store/write/config-repo';
import { closeDatabase, openDatabase } from '../../../src/main/store/schema/db';
import { SettingsSchema } from '../../../src/shared/settings';

const dirs: string[] = [];
function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-slots-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const base = { url: 'http://127.0.0.1:8787', token: 'ab'.repeat(32), requireToken: false };
const now = new Date('2030-01-02T03:04:05.678Z');
const slots = {
  opus: { model: 'claude-opus-4-8', contextWindowTokens: 1_000_000 },
  sonnet: { model: 'glm-4.6' },
  haiku: { model: 'deepseek-chat', contextWindowTokens: 128_000 },
  subagent: { model: 'kimi-k2', contextWindowTokens: 160_000 },
};

describe('Claude Code slot variables', () => {
  it('name each slot, mark a 1M window with [1m], and lower the auto-compact window to the smallest', () => {
    expect(slotEnv(slots)).toEqual([
      ['ANTHROPIC_DEFAULT_OPUS_MODEL', 'claude-opus-4-8[1m]'],
      ['ANTHROPIC_DEFAULT_SONNET_MODEL', 'glm-4.6'],
      ['ANTHROPIC_DEFAULT_HAIKU_MODEL', 'deepseek-chat'],
      ['CLAUDE_CODE_SUBAGENT_MODEL', 'kimi-k2'],
      ['CLAUDE_CODE_AUTO_COMPACT_WINDOW', '128000'],
    ]);
    // A window Claude Code already assumes (200 000) or one between that and 1M tells it nothing.
    expect(slotEnv({ haiku: { model: 'm', contextWindowTokens: 400_000 } })).toEqual([
      ['ANTHROPIC_DEFAULT_HAIKU_MODEL', 'm'],
    ]);
    expect(slotEnv({})).toEqual([]);
    expect(slotModels({ ...slots, subagent: { model: 'glm-4.6' } })).toEqual([
      'claude-opus-4-8',
      'glm-4.6',
      'deepseek-chat',
    ]);
  });

  it('print as exports, quoted for the shell where the value needs it', () => {
    const text = toolText('claude-code', { ...base, claudeSlots: slots });
    expect(text.lines).toContain(`export ANTHROPIC_DEFAULT_OPUS_MODEL='claude-opus-4-8[1m]'`);
    expect(text.lines).toContain('export ANTHROPIC_DEFAULT_HAIKU_MODEL=deepseek-chat');
    expect(text.lines).toContain('export CLAUDE_CODE_AUTO_COMPACT_WINDOW=128000');
    expect(toolText('claude-code', base).lines.join('\n')).not.toContain('MODEL');
  });

  it('are written into env by apply, taken out when a slot is cleared, and undone byte for byte', () => {
    const home = tmp();
    const o = { home, env: {} };
    const file = path.join(home, '.claude', 'settings.json');
    fs.mkdirSync(path.dirname(file));
    const original = Buffer.from('{\n    "model": "sonnet",\n    "env": { "DEBUG": "1" }\n}\n');
    fs.writeFileSync(file, original);
    const dir = backupDir(path.join(home, 'data'), 'claude-code');

    const report = applySetup(
      'claude-code',
      targetsFor('claude-code', { ...base, claudeSlots: slots }, o),
      dir,
      now,
    );
    expect(report).toContain('  set env.ANTHROPIC_DEFAULT_HAIKU_MODEL = "deepseek-chat"');
    const written = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      env: Record<string, string>;
      model: string;
    };
    expect(written.model).toBe('sonnet');
    expect(written.env).toEqual({
      DEBUG: '1',
      ANTHROPIC_BASE_URL: base.url,
      ANTHROPIC_DEFAULT_OPUS_MODEL: 'claude-opus-4-8[1m]',
      ANTHROPIC_DEFAULT_SONNET_MODEL: 'glm-4.6',
      ANTHROPIC_DEFAULT_HAIKU_MODEL: 'deepseek-chat',
      CLAUDE_CODE_SUBAGENT_MODEL: 'kimi-k2',
      CLAUDE_CODE_AUTO_COMPACT_WINDOW: '128000',
    });

    // Haiku cleared and the subagent's window dropped: their variables go, the others stay.
    const fewer = { opus: slots.opus, sonnet: slots.sonnet, subagent: { model: 'kimi-k2' } };
    const again = applySetup(
      'claude-code',
      targetsFor('claude-code', { ...base, claudeSlots: fewer }, o),
      dir,
      now,
    );
    expect(again).toContain('  removed env.ANTHROPIC_DEFAULT_HAIKU_MODEL');
    expect(again).toContain('  removed env.CLAUDE_CODE_AUTO_COMPACT_WINDOW');
    const env = (JSON.parse(fs.readFileSync(file, 'utf8')) as { env: Record<string, string> }).env;
    expect(Object.keys(env)).toEqual([
      'DEBUG',
      'ANTHROPIC_BASE_URL',
      'ANTHROPIC_DEFAULT_OPUS_MODEL',
      'ANTHROPIC_DEFAULT_SONNET_MODEL',
      'CLAUDE_CODE_SUBAGENT_MODEL',
    ]);

    expect(undoSetup(dir)!.report).toEqual([`${file}: restored the original, byte for byte`]);
    expect(fs.readFileSync(file)).toEqual(original);
  });

  it('undo keeps a slot the user changed by hand and takes out the rest', () => {
    const home = tmp();
    const o = { home, env: {} };
    const file = path.join(home, '.claude', 'settings.json');
    const dir = backupDir(path.join(home, 'data'), 'claude-code');
    applySetup('claude-code', targetsFor('claude-code', { ...base, claudeSlots: slots }, o), dir, now);
    const edited = JSON.parse(fs.readFileSync(file, 'utf8')) as { env: Record<string, string> };
    edited.env.ANTHROPIC_DEFAULT_HAIKU_MODEL = 'my-own-haiku';
    fs.writeFileSync(file, JSON.stringify(edited, null, 2));
    const undone = undoSetup(dir)!;
    expect(undone.report).toContain('  left env.ANTHROPIC_DEFAULT_HAIKU_MODEL: you changed it');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({
      env: { ANTHROPIC_DEFAULT_HAIKU_MODEL: 'my-own-haiku' },
    });
  });
});

describe('slot flags', () => {
  it('set, change and clear slots; a bad value names its flag', () => {
    const one = applySlotFlags({}, { haiku: 'deepseek-chat', 'haiku-context-tokens': '128000' });
    expect(one).toEqual({ haiku: { model: 'deepseek-chat', contextWindowTokens: 128_000 } });
    const two = applySlotFlags(one, { opus: 'claude-opus-4-8', 'haiku-context-tokens': '' });
    expect(two).toEqual({ opus: { model: 'claude-opus-4-8' }, haiku: { model: 'deepseek-chat' } });
    expect(applySlotFlags(two, { haiku: '' })).toEqual({ opus: { model: 'claude-opus-4-8' } });
    expect(() => applySlotFlags({}, { haiku: 'x', 'haiku-context-tokens': 'lots' })).toThrow(
      /^--haiku-context-tokens: /,
    );
    expect(() => applySlotFlags({}, { sonnet: 'two words' })).toThrow(/^--sonnet: /);
    expect(() => applySlotFlags({}, { 'opus-context-tokens': '1000000' })).toThrow(
      '--opus-context-tokens needs a model for the opus slot',
    );
  });

  it('are saved as the one claudeCodeSlots setting, beside the others, and read back', () => {
    const data = tmp();
    const db = openDatabase(path.join(data, 'sluice.db'));
    createConfigRepo(db).saveSettings({ requireLocalToken: true });
    closeDatabase(db);
    saveSlots(data, { haiku: { model: 'deepseek-chat' } });
    const read = readRequireLocalToken(data);
    expect(read).toMatchObject({ requireToken: true, claudeSlots: { haiku: { model: 'deepseek-chat' } } });
    const again = openDatabase(path.join(data, 'sluice.db'));
    const saved = createConfigRepo(again).loadSettings();
    closeDatabase(again);
    // What the app will load at its next start.
    expect(SettingsSchema.parse(saved).claudeCodeSlots).toEqual({ haiku: { model: 'deepseek-chat' } });
    saveSlots(data, {});
    expect(readRequireLocalToken(data).claudeSlots).toEqual({});
    expect(readRequireLocalToken(data).requireToken).toBe(true);
  });
});
