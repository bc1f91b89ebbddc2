import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../support/fake-upstream';
import { anthropicFrames, sendMessage } from './support/anthropic-stream';
import { startDashboardApp, type DashboardApp } from './support/app';
import { launchChromium, screenshot, type Theme, openDashboard } from './support/browser';

const THEMES: readonly Theme[] = ['dark', 'light'];

/** A first start with no config: the Providers screen shows the built-in defaults, and one can be switched off. */
describe('built-in default providers on the Providers screen (e2e)', () => {
  let vendor: FakeUpstream;
  let sluice: DashboardApp;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    vendor = await new FakeUpstream(() => ({ chunks: anthropicFrames(['Hello from the default.']) })).start();
    sluice = await startDashboardApp({ providers: [] }, { builtinProviders: { origin: vendor.url } });
    browser = await launchChromium();
    ({ page, errors } = await openDashboard(browser, sluice.dashboardUrl));
  });

  afterAll(async () => {
    await browser?.close();
    await sluice?.close();
    await vendor?.close();
  });

  it('serves a first request through the default and lists the defaults as such', async () => {
    const sent = await sendMessage(sluice.url, 'first minute');
    expect(sent.body).toContain('Hello from the default.');
    expect(vendor.requests[0]?.url).toBe('/v1/messages');

    await page.keyboard.press('4');
    const list = page.getByRole('list', { name: 'Providers by priority' });
    await list.waitFor();
    await expect.poll(() => list.getByTestId('builtin-chip').count()).toBe(3);
    await page.getByTestId('builtin-note').waitFor();
    const anthropic = list.locator('[data-provider="builtin-anthropic"]');
    await expect.poll(() => anthropic.innerText()).toContain('client’s key');
    await expect.poll(() => anthropic.getByRole('button', { name: 'Remove' }).count()).toBe(0);
    for (const theme of THEMES) {
      await page.emulateMedia({ colorScheme: theme });
      await screenshot(page, 'providers-defaults', theme);
    }
    await page.emulateMedia({ colorScheme: 'dark' });

    // Switching the default off keeps it as a configured, disabled provider; its kind then gets a 503.
    await anthropic.getByLabel('Enable builtin-anthropic').click();
    await expect.poll(() => anthropic.getByLabel('Enable builtin-anthropic').isChecked()).toBe(false);
    await expect.poll(() => anthropic.getByTestId('builtin-chip').count()).toBe(0);
    expect(sluice.app.config.isBuiltin('builtin-anthropic')).toBe(false);
    expect(sluice.app.config.providers().find((p) => p.id === 'builtin-anthropic')?.enabled).toBe(false);
    const refused = await fetch(`${sluice.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
      body: JSON.stringify({ model: 'claude-x', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(refused.status).toBe(503);
    expect(vendor.requests).toHaveLength(1);
    expect(errors).toEqual([]);
  });
});
