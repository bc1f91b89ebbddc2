import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../support/fake-upstream';
import { keyFingerprint } from '../../src/main/proxy/key-fingerprint';
import { anthropicFrames, sendMessage } from './support/anthropic-stream';
import { startDashboardApp, type DashboardApp } from './support/app';
import { launchChromium, screenshot, openDashboard } from './support/browser';

const K1 = 'sk-ant-pool-e2e-first-key-111111';
const K2 = 'sk-ant-pool-e2e-refused-key-222222';
const K3 = 'sk-ant-pool-e2e-added-key-333333';

/** The Providers screen shows a key pool's state by fingerprint and edits the pool without ever reading a key. */
describe('key pool on the Providers screen (e2e)', () => {
  let up: FakeUpstream;
  let sluice: DashboardApp;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    up = await new FakeUpstream((req) =>
      req.headers['x-api-key'] === K2
        ? {
            status: 401,
            headers: { 'content-type': 'application/json' },
            chunks: [
              '{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}',
            ],
          }
        : { chunks: anthropicFrames(['Hi.']) },
    ).start();
    sluice = await startDashboardApp({
      providers: [{ id: 'pooled', kind: 'anthropic', baseUrl: up.url, apiKeys: [K1, K2] }],
    });
    browser = await launchChromium();
    ({ page, errors } = await openDashboard(browser, sluice.dashboardUrl));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await sluice?.close();
    await up?.close();
  });

  it('lists each key with its requests, errors and bench; removes one and adds one, write-only', async () => {
    // K1 serves; K2 is refused, benched, and K1 serves that request too.
    expect((await sendMessage(sluice.url, 'one')).status).toBe(200);
    const two = await sendMessage(sluice.url, 'two');
    expect(two.status).toBe(200);

    // The inspector's attempts name the key each was sent with, by fingerprint.
    await page.keyboard.press('1');
    const live = page.locator(`.lrow[data-id="${two.id}"]`);
    await expect.poll(() => live.getAttribute('data-status')).toBe('done');
    await live.click();
    await page.keyboard.press('Enter');
    const wf = page.getByRole('figure', { name: 'Waterfall' });
    await expect
      .poll(async () => (await wf.getByTestId('attempt-key').allInnerTexts()).map((t) => t.trim()))
      .toEqual([`key ${keyFingerprint(K2)}`, `key ${keyFingerprint(K1)}`]);

    await page.keyboard.press('4');
    const row = page.getByRole('list', { name: 'Providers by priority' }).locator('[data-provider="pooled"]');
    const pool = row.getByTestId('key-pool');
    await pool.waitFor();
    const line = (key: string) => pool.locator(`tr[data-fingerprint="${keyFingerprint(key)}"]`);
    await expect.poll(() => line(K2).innerText()).toMatch(/benched.*http_status 401/s);
    await expect.poll(() => line(K2).innerText()).toMatch(/\b1\s+1\b/); // one request, one error
    await expect.poll(() => line(K1).innerText()).toContain('in turn');
    await expect.poll(() => line(K1).innerText()).toMatch(/\b2\s+0\b/);
    const content = await page.content();
    for (const k of [K1, K2]) expect(content).not.toContain(k);
    await screenshot(page, 'providers-key-pool', 'dark');

    await row.getByRole('button', { name: 'Edit' }).click();
    const form = page.getByRole('form', { name: 'Edit pooled' });
    const editor = form.getByTestId('key-pool-editor');
    await expect.poll(() => editor.innerText()).toContain(keyFingerprint(K2));
    await editor.getByRole('button', { name: `Remove pool key ${keyFingerprint(K2)}` }).click();
    await editor.getByLabel('Add a pool key (write-only)').fill(K3);
    await editor.getByRole('button', { name: 'Add key' }).click();
    await expect.poll(() => editor.innerText()).toContain('new …3333');
    await screenshot(page, 'providers-key-pool-edit', 'dark');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => sluice.app.config.providers().find((p) => p.id === 'pooled')?.apiKeys)
      .toEqual([K1, K3]);
    await expect.poll(() => pool.locator('tr[data-fingerprint]').count()).toBe(2);
    await line(K3).waitFor();
    const after = await page.content();
    for (const k of [K1, K2, K3]) expect(after).not.toContain(k);
    expect(errors).toEqual([]);
  }, 60_000);
});
