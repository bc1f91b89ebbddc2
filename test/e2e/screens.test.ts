import fs from 'node:fs';
import net from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../support/fake-upstream';
import { anthropicFrames, sendMessage } from './support/anthropic-stream';
import { startDashboardApp, type DashboardApp } from './support/app';
import { launchChromium, screenshot, type Theme, openDashboard } from './support/browser';

const THEMES: readonly Theme[] = ['dark', 'light'];
const LONG_DELTA = 'A long delta that smoothing splits into pieces of a few characters each.';

/** Settings apply to the next request; Providers, Usage and Setup work against the real app. */
describe('settings, providers, usage, setup (e2e)', () => {
  let up: FakeUpstream;
  let spare: FakeUpstream;
  let sluice: DashboardApp;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    up = await new FakeUpstream((req) =>
      req.method === 'GET'
        ? {
            status: 200,
            headers: { 'content-type': 'application/json' },
            chunks: ['{"data":[{"id":"claude-e2e"}]}'],
          }
        : { chunks: anthropicFrames(['Hi. ', LONG_DELTA]), delayMs: 20 },
    ).start();
    spare = await new FakeUpstream(() => ({ status: 500, chunks: ['no'] })).start();
    sluice = await startDashboardApp({
      providers: [
        {
          id: 'anthropic-main',
          kind: 'anthropic',
          baseUrl: up.url,
          priority: 1,
          apiKey: 'sk-ant-e2e-secret-key-123456',
        },
        { id: 'openai-backup', kind: 'openai', baseUrl: `${spare.url}/v1`, priority: 2 },
      ],
    });
    browser = await launchChromium();
    ({ page, errors } = await openDashboard(browser, sluice.dashboardUrl));
  });

  afterAll(async () => {
    await browser?.close();
    await sluice?.close();
    await Promise.all([up?.close(), spare?.close()]);
  });

  const shots = async (name: string): Promise<void> => {
    for (const theme of THEMES) {
      await page.emulateMedia({ colorScheme: theme });
      await screenshot(page, name, theme);
    }
    await page.emulateMedia({ colorScheme: 'dark' });
  };

  /** Opens the request in the inspector from the Live list (1, click, Enter) and returns its waterfall text. */
  const inspect = async (id: string | null): Promise<string> => {
    await page.keyboard.press('1');
    const row = page.locator(`.lrow[data-id="${id}"]`);
    await expect.poll(() => row.getAttribute('data-status')).toBe('done');
    await row.click();
    await page.keyboard.press('Enter');
    const wf = page.getByRole('figure', { name: 'Waterfall' });
    await expect.poll(() => wf.innerText()).toContain('answered');
    return wf.innerText();
  };

  it('applies a smoothing change to the very next request', async () => {
    const before = await sendMessage(sluice.url, 'before');
    expect(await inspect(before.id)).not.toContain('client delivery');

    await page.keyboard.press('5');
    const settings = page.getByRole('region', { name: 'Settings' });
    await settings.waitFor();
    const chunk = page.getByLabel('chunk size');
    await chunk.fill('4');
    await chunk.press('Enter');
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Saved' }).innerText())
      .toContain('chunkChars');
    await page.getByLabel('enabled', { exact: true }).check();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Saved' }).innerText())
      .toContain('enabled');
    expect(sluice.app.config.settings().smoothing).toMatchObject({ enabled: true, chunkChars: 4 });
    await page.getByLabel('Smoothing preview').waitFor();
    await shots('settings');

    const after = await sendMessage(sluice.url, 'after');
    const deltas = (body: string): number => body.split('event: content_block_delta').length - 1;
    expect(deltas(after.body)).toBeGreaterThan(deltas(before.body) + 5);
    const wf = await inspect(after.id);
    expect(wf).toContain('upstream arrival');
    expect(wf).toContain('client delivery');
  });

  it('shows providers with masked keys and health; tests, reorders and adds one', async () => {
    await page.keyboard.press('4');
    const list = page.getByRole('list', { name: 'Providers by priority' });
    await list.waitFor();
    expect(await list.innerText()).toContain('sk-…3456');
    expect(await page.content()).not.toContain('sk-ant-e2e-secret-key-123456');

    const main = list.locator('[data-provider="anthropic-main"]');
    await main.getByRole('button', { name: 'Test' }).click();
    await expect.poll(() => main.getByRole('status').innerText()).toMatch(/✓ 200/);

    // Keyboard reorder (Alt+↓) moves it below the backup; the gateway's order follows.
    await main.focus();
    await page.keyboard.press('Alt+ArrowDown');
    await expect
      .poll(() => sluice.app.config.providers().map((p) => p.id))
      .toEqual(['openai-backup', 'anthropic-main']);
    // Drag it back to the top.
    await list
      .locator('[data-provider="anthropic-main"]')
      .dragTo(list.locator('[data-provider="openai-backup"]'));
    await expect
      .poll(() => sluice.app.config.providers().map((p) => p.id))
      .toEqual(['anthropic-main', 'openai-backup']);

    await page.getByRole('button', { name: 'Add provider' }).click();
    const form = page.getByRole('form', { name: 'Add provider' });
    await form.getByPlaceholder('anthropic-main').fill('gemini-extra');
    await form.getByRole('combobox').first().selectOption('gemini');
    await form.getByPlaceholder('https://generativelanguage.googleapis.com').fill(up.url);
    await form.getByLabel('API key (write-only)').fill('AIzaE2eSecretKeyValue0000000000');
    // A credential header whose name says nothing: typed here, it is marked secret.
    await form.getByLabel('secret headers (write-only)').fill('x-org-cred: OrgCredE2e-0123456789');
    await shots('providers-edit');
    await form.getByRole('button', { name: 'Save' }).click();
    const added = list.locator('[data-provider="gemini-extra"]');
    await added.waitFor();
    expect(await added.innerText()).toContain('AIz…0000');
    expect(await page.content()).not.toContain('AIzaE2eSecretKeyValue0000000000');
    expect(await page.content()).not.toContain('OrgCredE2e-0123456789');
    const saved = (): unknown => sluice.app.config.providers().find((p) => p.id === 'gemini-extra');
    expect(saved()).toMatchObject({
      headers: { 'x-org-cred': 'OrgCredE2e-0123456789' },
      secretHeaders: ['x-org-cred'],
    });
    // Editing shows the saved header masked, never its value; saving another change keeps it.
    await added.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('form', { name: 'Edit gemini-extra' });
    await expect
      .poll(() => edit.getByTestId('saved-secret-header').innerText())
      .toContain('x-org-cred: Org…6789');
    expect(await edit.getByLabel('secret headers (write-only)').inputValue()).toBe('');
    expect(await page.content()).not.toContain('OrgCredE2e-0123456789');
    await edit.getByPlaceholder('default').first().fill('30');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => saved())
      .toMatchObject({ rpm: 30, headers: { 'x-org-cred': 'OrgCredE2e-0123456789' } });
    await shots('providers');
  });

  it('draws usage charts and cards and exports CSV', async () => {
    await page.keyboard.press('3');
    await page.getByRole('region', { name: 'Usage' }).waitFor();
    await expect.poll(() => page.locator('.uchart canvas').count()).toBe(4);
    const cards = page.locator('.cards');
    await expect.poll(() => cards.innerText()).toMatch(/requests\s+[2-9]/);
    await shots('usage');
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const text = fs.readFileSync(await csv.path(), 'utf8');
    expect(text.split('\r\n')[0]).toContain('requestId');
    expect(text.split('\r\n').filter((l) => l.includes('claude-e2e')).length).toBeGreaterThanOrEqual(2);
  });

  it('shows the setup lines with copy buttons, and which clients were seen', async () => {
    await page.keyboard.press('6');
    const claude = page.locator('[data-tool="claude-code"]');
    await claude.waitFor();
    expect(await claude.innerText()).toContain(`export ANTHROPIC_BASE_URL=${sluice.url}`);
    expect(await claude.innerText()).toMatch(/seen (just now|\d+ s ago)/);
    expect(await page.locator('[data-tool="codex"]').innerText()).toContain('not seen yet');
    expect(await claude.getByRole('button', { name: 'Copy' }).count()).toBeGreaterThan(0);
    await shots('setup');

    // The theme follows the OS until overridden: system → dark → light → system.
    const theme = page.getByRole('button', { name: /^Theme:/ });
    const forced = (): Promise<string | null> => page.locator('html').getAttribute('data-theme');
    // The page applies the choice in an effect after the click: wait for it, not for a time.
    await theme.click();
    await expect.poll(forced).toBe('dark');
    await theme.click();
    await expect.poll(forced).toBe('light');
    await expect
      .poll(() => page.evaluate<string>('getComputedStyle(document.body).backgroundColor'))
      .toBe('rgb(246, 246, 244)');
    await theme.click();
    await expect.poll(forced).toBeNull();
    expect(errors).toEqual([]);
  });

  // Last: it moves the gateway, so the URL every test above used is gone after it.
  it('moves the gateway to another port and follows it there; rotates the token and stays signed in', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));

    await page.keyboard.press('5');
    const gateway = page.getByRole('region', { name: 'Gateway' });
    await gateway.scrollIntoViewIfNeeded();
    const field = gateway.getByLabel('port', { exact: true });
    await field.fill('70000');
    await field.press('Enter');
    await expect.poll(() => gateway.innerText()).toContain('a port is a whole number 0–65535');
    await shots('settings-gateway-error');

    await field.fill(String(port));
    await gateway.getByRole('button', { name: 'Apply' }).click();
    // The old port no longer answers: the page reopens itself on the new one, on the same screen.
    await page.waitForURL(`http://127.0.0.1:${port}/_sluice/#/settings`);
    await page.locator('header[data-live="open"]').waitFor();
    expect(sluice.app.port).toBe(port);
    await expect
      .poll(() =>
        page.getByRole('region', { name: 'Gateway' }).getByLabel('port', { exact: true }).inputValue(),
      )
      .toBe(String(port));

    const old = sluice.app.token;
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('region', { name: 'Gateway' }).getByRole('button', { name: 'Rotate' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Saved' }).innerText())
      .toContain('new token');
    expect(sluice.app.token).not.toBe(old);
    const shown = page.getByRole('region', { name: 'Gateway' });
    await shown.getByRole('button', { name: 'Reveal' }).click();
    await expect.poll(() => shown.innerText()).toContain(sluice.app.token);
    await page.locator('header[data-live="open"]').waitFor();
    await shots('settings-gateway');

    // Still signed in (the answer to the rotation carried the next session): the Setup screen loads.
    await page.keyboard.press('6');
    const claude = page.locator('[data-tool="claude-code"]');
    await expect
      .poll(() => claude.innerText())
      .toContain(`export ANTHROPIC_BASE_URL=http://127.0.0.1:${port}`);
    // The old token opens nothing any more.
    const refused = await fetch(`http://127.0.0.1:${port}/_sluice/?token=${old}`, { redirect: 'manual' });
    expect(refused.status).toBe(401);
    expect(errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
  });
});
