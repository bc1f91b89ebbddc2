import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../support/fake-upstream';
import { anthropicFrames, sendMessage } from './support/anthropic-stream';
import { startDashboardApp, type DashboardApp } from './support/app';
import { launchChromium, newContext, screenshot, watchErrors, type Theme } from './support/browser';

/**
 * The Live screen and the Inspector against the real headless app: a request appears live and its
 * TTFB ticks while it waits; a failover shows both hops with the reason; exports download.
 */
describe('live and inspector (e2e)', () => {
  let slow: FakeUpstream;
  /** Lets the slow upstream's held first byte go (a test waits for the page's state, not for time). */
  let releaseSlow: () => void = () => {};
  let down: FakeUpstream;
  let up: FakeUpstream;
  let sluice: DashboardApp;
  let browser: Browser;

  beforeAll(async () => {
    // Holds the first byte until the test has seen the TTFB tick, then streams.
    slow = await new FakeUpstream(() => {
      const held = new Promise<void>((resolve) => (releaseSlow = resolve));
      const [first = '', ...rest] = anthropicFrames(['Hello', ' from', ' the', ' slow', ' one.']);
      return { chunks: [async () => held.then(() => first), ...rest], delayMs: 40 };
    }).start();
    down = await new FakeUpstream(() => ({
      status: 529,
      headers: { 'content-type': 'application/json' },
      chunks: ['{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'],
    })).start();
    up = await new FakeUpstream(() => ({
      chunks: anthropicFrames(['Failed', ' over', ' fine.']),
      delayMs: 10,
    })).start();
    sluice = await startDashboardApp({
      providers: [
        { id: 'slow', kind: 'anthropic', baseUrl: slow.url, priority: 1, allowModels: ['claude-slow'] },
        { id: 'anthropic-down', kind: 'anthropic', baseUrl: down.url, priority: 2 },
        { id: 'anthropic-up', kind: 'anthropic', baseUrl: up.url, priority: 3 },
      ],
      // Only curl's requests are smoothed: the other tests see the stream as it came.
      settings: {
        smoothingByClient: { curl: { enabled: true, mode: 'fixed', chunkChars: 2, delayMs: 25 } },
      },
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await sluice?.close();
    await Promise.all([slow?.close(), down?.close(), up?.close()]);
  });

  const open = async (theme: Theme): Promise<{ page: Page; errors: string[] }> => {
    const ctx = await newContext(browser, theme);
    const page = await ctx.newPage();
    // Fail fast and say where, rather than hang until the test's own timeout.
    page.setDefaultTimeout(15_000);
    const errors = watchErrors(page);
    await page.goto(sluice.dashboardUrl);
    await page.getByRole('grid', { name: 'Requests' }).or(page.getByText('No requests yet')).waitFor();
    // Pushes flowing: from here on every live event reaches the page.
    await page.locator('header[data-live="open"]').waitFor();
    return { page, errors };
  };

  it('shows an empty state that says what to do first', async () => {
    for (const theme of ['dark', 'light'] as const) {
      const { page, errors } = await open(theme);
      await expect.poll(() => page.getByText('No requests yet').isVisible()).toBe(true);
      expect(await page.getByText('export ANTHROPIC_BASE_URL=').isVisible()).toBe(true);
      expect(page.url()).not.toContain('token=');
      await screenshot(page, 'live-empty', theme);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  });

  it('shows a request live, its TTFB ticking while it waits, then its numbers', async () => {
    const { page, errors } = await open('dark');
    const sent = fetch(`${sluice.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        'user-agent': 'claude-cli/2.0.0',
      },
      body: JSON.stringify({
        model: 'claude-slow',
        max_tokens: 64,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    }).then((r) => r.text());
    const row = page.locator('.lrow[data-status]').first();
    await expect.poll(() => row.getAttribute('data-status')).toBe('waiting');
    const ttfb = row.locator('[data-col="ttfb"]');
    const parse = async (): Promise<number> => {
      const [, n = '', unit] = /([\d.]+)\s*(ms|s)/.exec(await ttfb.innerText()) ?? [];
      return Number(n) * (unit === 's' ? 1000 : 1);
    };
    // The clock ticks while the first byte is held (for as long as that takes on a loaded machine).
    const first = await parse();
    await expect.poll(parse).toBeGreaterThan(first);
    await screenshot(page, 'live-waiting', 'dark');
    releaseSlow();
    await sent;
    await expect.poll(() => row.getAttribute('data-status')).toBe('done');
    await expect.poll(() => row.innerText()).toContain('42');
    expect(await row.innerText()).toMatch(/claude-slow\s*→\s*slow/);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('shows a failover with both hops and the reason, in the list and the inspector', async () => {
    const { page, errors } = await open('dark');
    const res = await sendMessage(sluice.url, 'fail over please');
    expect(res.status).toBe(200);
    const row = page.locator(`.lrow[data-id="${res.id}"]`);
    await expect.poll(() => row.getAttribute('data-status')).toBe('done');
    expect(await row.locator('.badge').innerText()).toBe('↻1');

    // Keyboard: j selects the newest row, Enter opens the inspector.
    await page.keyboard.press('j');
    await expect.poll(() => row.getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    const wf = page.getByRole('figure', { name: 'Waterfall' });
    await wf.waitFor();
    const failed = wf.locator('[data-state="failed"]');
    const committed = wf.locator('[data-state="committed"]');
    await expect.poll(() => failed.innerText()).toContain('anthropic-down');
    expect(await failed.innerText()).toContain('http_status 529');
    expect(await committed.innerText()).toContain('anthropic-up');
    await failed.getByRole('button', { name: 'bytes' }).click();
    expect(await wf.locator('.wf-bytes').innerText()).toContain('overloaded_error');
    await expect.poll(() => page.locator('.message').innerText()).toContain('Failed over fine.');
    for (const theme of ['dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await screenshot(page, 'inspector', theme);
    }

    // Esc goes back to the list, with the row still selected.
    await page.keyboard.press('Escape');
    await page.getByRole('grid', { name: 'Requests' }).waitFor();
    await expect.poll(() => row.getAttribute('aria-selected')).toBe('true');
    for (const theme of ['dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await screenshot(page, 'live', theme);
    }
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('exports a request as .json and .sse, and copies it as curl without the key', async () => {
    const { page, errors } = await open('light');
    const res = await sendMessage(sluice.url, 'export me');
    const row = page.locator(`.lrow[data-id="${res.id}"]`);
    await expect.poll(() => row.getAttribute('data-status')).toBe('done');
    await row.dblclick();
    await page.getByRole('figure', { name: 'Waterfall' }).waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Export .sse' }).isEnabled()).toBe(true);

    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export .json' }).click(),
    ]);
    expect(json.suggestedFilename()).toMatch(/^sluice-\d{8}-\d{6}-[0-9a-f]{8}\.json$/);
    const detail = JSON.parse(fs.readFileSync(await json.path(), 'utf8')) as {
      request: { requestId: string };
      attempts: { provider: string; outcome: string }[];
    };
    expect(detail.request.requestId).toBe(res.id);
    expect(detail.attempts.map((a) => `${a.provider}:${a.outcome}`)).toEqual([
      'slow:skipped',
      'anthropic-down:failed',
      'anthropic-up:committed',
    ]);

    const [sse] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export .sse' }).click(),
    ]);
    const text = fs.readFileSync(await sse.path(), 'utf8');
    expect(text).toContain('event: message_start\ndata: {');
    expect(text).toContain('"text":"Failed"');

    // Raw frames (key f): searchable, with +ms offsets; a click shows one pretty-printed.
    await page.keyboard.press('f');
    const frames = page.getByRole('list', { name: 'Raw frames' });
    await expect.poll(() => frames.getByRole('listitem').count()).toBe(8);
    expect(await frames.getByRole('listitem').first().innerText()).toMatch(/^\+\d+ ms\s+message_start/);
    await page.getByLabel('Search frames').fill('Failed');
    await expect.poll(() => frames.getByRole('listitem').count()).toBe(1);
    expect(await page.locator('.frames .counts').innerText()).toBe('1 of 8 frames');
    await frames.getByRole('listitem').click();
    expect(await page.locator('.frame-detail').innerText()).toContain('"text": "Failed"');
    for (const theme of ['dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await screenshot(page, 'inspector-frames', theme);
    }

    // Request (key r): the headers as sent, the key masked and marked, above the body.
    await page.keyboard.press('r');
    const headers = page.getByRole('table', { name: 'Request headers' });
    await headers.waitFor();
    const apiKey = headers.locator('tr', { has: page.locator('th', { hasText: /^x-api-key$/ }) });
    expect(await apiKey.getAttribute('data-redacted')).toBe('true');
    expect(await apiKey.locator('.redacted').innerText()).toBe('sk-a…(redacted, 28 chars)');
    expect(await headers.innerText()).toContain('anthropic-version\t2023-06-01');
    expect(await page.locator('.request-view').innerText()).toContain('POST /v1/messages');
    expect(await page.content()).not.toContain('sk-ant-e2e-client-key');
    for (const theme of ['dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await screenshot(page, 'inspector-request', theme);
    }

    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByRole('button', { name: 'Copy as curl' }).click();
    const curl = await page.evaluate<string>('navigator.clipboard.readText()');
    expect(curl).toContain(`${sluice.url}/v1/messages`);
    expect(curl).toContain('-H "x-api-key: $ANTHROPIC_API_KEY"');
    expect(curl).toContain(`-H 'user-agent: claude-cli/2.0.0 (external, cli)'`);
    expect(curl).not.toContain('sk-ant-e2e-client-key');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('shows the smoothing marks of a request opened after a reload, from the store', async () => {
    const { page, errors } = await open('dark');
    const res = await fetch(`${sluice.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'curl/8.5.0' },
      body: JSON.stringify({
        model: 'claude-e2e',
        max_tokens: 64,
        stream: true,
        messages: [{ role: 'user', content: 'smooth it' }],
      }),
    });
    await res.text();
    const id = res.headers.get('x-sluice-request-id')!;
    const row = page.locator(`.lrow[data-id="${id}"]`);
    await expect.poll(() => row.getAttribute('data-status')).toBe('done');
    sluice.app.flushUsage();
    const stored = sluice.app.queries.getRequest(id)!.capture.smoothing;
    expect(stored.length).toBeGreaterThan(0);
    const pieces = stored.reduce((n, m) => n + m.deliveredOffsetsMs.length, 0);

    // A reload forgets every live event: what the waterfall shows now comes from the store.
    await page.reload();
    await page.locator('header[data-live="open"]').waitFor();
    await row.dblclick();
    const wf = page.getByRole('figure', { name: 'Waterfall' });
    await wf.waitFor();
    await expect.poll(() => wf.innerText()).toContain(`${stored.length} deltas split`);
    expect(await wf.innerText()).toContain(`${pieces} pieces`);
    expect(await wf.locator('.ticks-upstream').count()).toBe(1);
    expect(await wf.locator('.ticks-delivered').count()).toBe(1);
    await screenshot(page, 'inspector-smoothed', 'dark');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
