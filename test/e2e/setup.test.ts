import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type SluiceApp } from '../../src/main/app/app';
import { launchChromium, screenshot, type Theme, openDashboard } from './support/browser';
import { ensureDashboardBuilt } from './support/dashboard-build';

const THEMES: readonly Theme[] = ['dark', 'light'];

/** The user's own Codex config: comments, their model, another provider; undo must give back these bytes. */
const CODEX_BEFORE = `# ~/.codex/config.toml, written by hand
model = "gpt-5-codex" # my favourite
model_provider = "openai"
approval_policy = "on-request"

[model_providers.other]
name = "Other" # a second provider
base_url = "https://other.invalid/v1"

[profiles.fast]
model = "gpt-5-mini"
`;

/** The user's own Claude Code settings: four-space indent, other keys and an env entry of their own. */
const CLAUDE_BEFORE = `{
    "model": "opus",
    "permissions": {
        "allow": ["Bash(npm test)"]
    },
    "env": {
        "MY_VAR": "kept"
    }
}
`;

/** What apply must write into CODEX_BEFORE: Sluice selected in place, its table at the end, nothing else. */
const codexAfter = (url: string): string =>
  `${CODEX_BEFORE.replace('model_provider = "openai"', 'model_provider = "sluice"')}
[model_providers.sluice]
name = "Sluice"
base_url = "${url}/v1"
wire_api = "responses"
env_key = "OPENAI_API_KEY"  # must be set: your own key, or any value works when the provider in Sluice has a key
`;

/** What apply must write into CLAUDE_BEFORE (re-indented as it was, four spaces): one env key more. */
const claudeAfter = (url: string): string => `{
    "model": "opus",
    "permissions": {
        "allow": [
            "Bash(npm test)"
        ]
    },
    "env": {
        "MY_VAR": "kept",
        "ANTHROPIC_BASE_URL": "${url}"
    }
}
`;

/** Apply and Undo on the Setup screen write and restore the tools' own files, on a temporary home. */
describe('setup: apply and undo from the dashboard (e2e)', () => {
  let root: string;
  let home: string;
  let app: SluiceApp;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  const codexFile = (): string => path.join(home, '.codex', 'config.toml');
  const claudeFile = (): string => path.join(home, '.claude', 'settings.json');
  const bytes = (file: string): Buffer => fs.readFileSync(file);

  beforeAll(async () => {
    const dashboardDir = ensureDashboardBuilt();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-e2e-setup-'));
    home = path.join(root, 'home');
    for (const [file, text] of [
      [codexFile(), CODEX_BEFORE],
      [claudeFile(), CLAUDE_BEFORE],
    ] as const) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
    const dataDir = path.join(root, 'data');
    app = await startApp({
      dataDir,
      port: 0,
      host: '127.0.0.1',
      log: () => {},
      dashboardDir,
      // Only the temporary home, and no CODEX_HOME / CLAUDE_CONFIG_DIR from the environment.
      setupHome: { home, env: { SHELL: '/bin/bash' } },
    });
    browser = await launchChromium();
    ({ page, errors } = await openDashboard(browser, `${app.url}/_sluice/?token=${app.token}`));
    await page.keyboard.press('6');
    await page.locator('[data-tool="codex"]').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close(500);
    if (root !== undefined) fs.rmSync(root, { recursive: true, force: true });
  });

  const shots = async (card: Locator, name: string): Promise<void> => {
    await card.scrollIntoViewIfNeeded();
    for (const theme of THEMES) {
      await page.emulateMedia({ colorScheme: theme });
      await screenshot(page, name, theme);
    }
    await page.emulateMedia({ colorScheme: 'dark' });
  };

  /** Apply…, check the preview against the file (still untouched), write; returns the diff text shown. */
  const apply = async (card: Locator, file: string, before: Buffer, shot?: string): Promise<string> => {
    await card.getByRole('button', { name: 'Apply…' }).click();
    const preview = card.getByLabel('Apply preview');
    const diff = preview.getByLabel(`Changes to ${file}`);
    await diff.waitFor();
    await expect.poll(() => preview.locator(`[data-file="${file}"]`).innerText()).toContain('will be edited');
    // Shown, not written.
    expect(bytes(file).equals(before)).toBe(true);
    const shown = await diff.innerText();
    if (shot !== undefined) await shots(card, shot);
    await preview.getByRole('button', { name: 'Write these changes' }).click();
    await card.getByRole('status', { name: 'Applied' }).waitFor();
    await expect.poll(() => card.getAttribute('data-applied')).toBe('yes');
    return shown;
  };

  const undo = async (card: Locator, shot?: string): Promise<string> => {
    await card.getByRole('button', { name: 'Undo…' }).click();
    const confirm = card.getByLabel('Undo preview');
    await confirm.waitFor();
    const said = await confirm.innerText();
    if (shot !== undefined) await shots(card, `${shot}-preview`);
    await confirm.getByRole('button', { name: 'Undo these changes' }).click();
    const result = card.getByRole('status', { name: 'Undone' });
    await result.waitFor();
    await expect.poll(() => card.getAttribute('data-applied')).toBe('no');
    if (shot !== undefined) await shots(card, shot);
    return `${said}\n${await result.innerText()}`;
  };

  it('applies Codex setup after showing its diff, and undoes it to the original bytes', async () => {
    const card = page.locator('[data-tool="codex"]');
    await expect.poll(() => card.getAttribute('data-applied')).toBe('no');
    const before = bytes(codexFile());
    const shown = await apply(card, codexFile(), before, 'setup-apply-preview');
    expect(shown).toContain('-model_provider = "openai"\n+model_provider = "sluice"');
    expect(shown).toContain(`+base_url = "${app.url}/v1"`);

    expect(fs.readFileSync(codexFile(), 'utf8')).toBe(codexAfter(app.url));
    const result = await card.getByRole('status', { name: 'Applied' }).innerText();
    expect(result).toContain(codexFile());
    const backup = /backup of the original: (\S+)/.exec(result)?.[1];
    expect(backup).toBeDefined();
    expect(bytes(backup!).equals(before)).toBe(true);
    await expect.poll(() => card.innerText()).toContain('set up by Sluice');
    await shots(card, 'setup-applied');

    const undone = await undo(card, 'setup-undone');
    expect(undone).toContain(`the original comes back, byte for byte; from ${backup}`);
    // The diff undo will write: Sluice's lines out, the user's back.
    expect(undone).toContain('-model_provider = "sluice"\n+model_provider = "openai"');
    expect(undone).toContain('-[model_providers.sluice]');
    expect(undone).toContain(`${codexFile()}: restored the original, byte for byte`);
    expect(bytes(codexFile()).equals(before)).toBe(true);
    expect(fs.existsSync(backup!)).toBe(false);
  });

  it('applies Claude Code setup keeping the other keys, and undoes it to the original bytes', async () => {
    const card = page.locator('[data-tool="claude-code"]');
    const before = bytes(claudeFile());
    const shown = await apply(card, claudeFile(), before);
    expect(shown).toContain(`"ANTHROPIC_BASE_URL": "${app.url}"`);
    expect(fs.readFileSync(claudeFile(), 'utf8')).toBe(claudeAfter(app.url));
    await undo(card);
    expect(bytes(claudeFile()).equals(before)).toBe(true);
    expect(errors).toEqual([]);
  });
});
