import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../support/fake-upstream';
import { anthropicKit } from '../support/format-kits';
import { post } from '../support/fault-upstream';
import { startDashboardApp, type DashboardApp } from './support/app';
import { launchChromium, screenshot, openDashboard } from './support/browser';

/**
 * Session affinity in the UI: the second turn of a Claude Code session, kept on the provider that
 * served the first, is marked "kept on X" on its Live row, and the inspector's routing line says so.
 */
describe('affinity in the live view and inspector (e2e)', () => {
  const ups: FakeUpstream[] = [];
  let sluice: DashboardApp;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    for (const id of ['p1', 'p2']) {
      ups.push(
        await new FakeUpstream(() => ({
          headers: { 'content-type': 'text/event-stream' },
          chunks: [anthropicKit.stream(`from ${id}`)],
        })).start(),
      );
    }
    sluice = await startDashboardApp({
      providers: ['p1', 'p2'].map((id, i) => ({
        id,
        kind: 'anthropic',
        baseUrl: ups[i]!.url,
        apiKey: `key-${id}`,
        priority: 1,
        weight: 1,
      })),
    });
    browser = await launchChromium();
    ({ page, errors } = await openDashboard(browser, sluice.dashboardUrl));
  });

  afterAll(async () => {
    await browser?.close();
    await sluice?.close();
    for (const u of ups) await u.close();
  });

  it('marks the kept turn on its Live row and in the inspector', async () => {
    const messages: { role: string; content: string }[] = [];
    const turn = async (): Promise<{ id: string; text: string }> => {
      messages.push({ role: 'user', content: `question ${messages.length}` });
      const res = await post(
        sluice.url,
        '/v1/messages',
        JSON.stringify({
          model: 'claude-sonnet-4',
          max_tokens: 32,
          stream: true,
          metadata: { user_id: 'user_e2e_account_a_session_s1' },
          messages,
        }),
        anthropicKit.headers,
      );
      messages.push({ role: 'assistant', content: 'ok' });
      return { id: String(res.headers['x-sluice-request-id']), text: res.text };
    };
    const first = await turn();
    const second = await turn();
    const holder = first.text === anthropicKit.stream('from p1') ? 'p1' : 'p2';
    expect(second.text).toBe(first.text);

    await page.keyboard.press('1');
    const row = page.locator(`.lrow[data-id="${second.id}"]`);
    await expect.poll(() => row.getAttribute('data-status')).toBe('done');
    await expect.poll(() => row.getByTestId('affinity').innerText()).toBe(`kept on ${holder}`);
    await expect
      .poll(() => row.getByTestId('affinity').getAttribute('title'))
      .toBe(`default chain · kept on ${holder} (affinity)`);
    // The first turn took a weighted turn: no affinity mark.
    await expect
      .poll(() => page.locator(`.lrow[data-id="${first.id}"]`).getByTestId('affinity').count())
      .toBe(0);
    await row.click();
    await screenshot(page, 'live-affinity', 'dark');

    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByTestId('insp-routing').innerText())
      .toBe(`default chain · kept on ${holder} (affinity)`);
    await screenshot(page, 'inspector-affinity', 'dark');
    expect(errors).toEqual([]);
  }, 60_000);
});
