import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp, type SluiceApp } from '../../src/main/app/app';
import type { Result } from '../../src/shared/ipc-contract';

/** The Setup screen's Apply runs the same plan as the CLI: the slots saved in Settings go with it. */
describe('Claude Code slots through the control API (settings, setup.apply, setup.undo)', () => {
  let root: string;
  let home: string;
  let app: SluiceApp;

  const call = async <T>(name: string, body: unknown): Promise<T> => {
    const res = await fetch(`${app.url}/_sluice/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
    const json = (await res.json()) as Result<T>;
    if (!json.ok) throw new Error(`${name}: ${json.error.message}`);
    return json.value;
  };

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-slots-control-'));
    home = path.join(root, 'home');
    fs.mkdirSync(path.join(home, '.claude'), { recursive: true });
    app = await startApp({
      dataDir: path.join(root, 'data'),
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

  it('writes the saved slots on Apply and Undo restores the original', async () => {
    const file = path.join(home, '.claude', 'settings.json');
    const original = '{ "theme": "dark" }\n';
    fs.writeFileSync(file, original);
    await call('settings.update', {
      patch: { claudeCodeSlots: { haiku: { model: 'deepseek-chat', contextWindowTokens: 64_000 } } },
    });
    await expect(
      call('settings.update', { patch: { claudeCodeSlots: { haiku: { model: 'two words' } } } }),
    ).rejects.toThrow(/claudeCodeSlots\.haiku\.model: /);

    const info = await call<{ tools: { id: string; lines: string[] }[] }>('setup.get', {});
    expect(info.tools.find((t) => t.id === 'claude-code')!.lines).toContain(
      'export ANTHROPIC_DEFAULT_HAIKU_MODEL=deepseek-chat',
    );
    await call('setup.apply', { tool: 'claude-code' });
    const env = (JSON.parse(fs.readFileSync(file, 'utf8')) as { env: Record<string, string> }).env;
    expect(env).toEqual({
      ANTHROPIC_BASE_URL: app.url,
      ANTHROPIC_DEFAULT_HAIKU_MODEL: 'deepseek-chat',
      CLAUDE_CODE_AUTO_COMPACT_WINDOW: '64000',
    });
    await call('setup.undo', { tool: 'claude-code' });
    expect(fs.readFileSync(file, 'utf8')).toBe(original);
  });
});
