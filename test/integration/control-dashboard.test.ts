import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startApp, type SluiceApp } from '../../src/main/app/app';
import type { LiveEvent } from '../../src/shared/live-events';
import { FakeUpstream } from '../support/fake-upstream';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A plain GET (node:http sends no Origin, like a browser's same-origin navigation). */
function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

interface SseEvent {
  event: string;
  data: unknown;
}

/** Opens the push stream and collects its events until closed. */
function openEvents(
  url: string,
  headers: Record<string, string>,
): Promise<{ events: SseEvent[]; close: () => void; status: number; type: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      const events: SseEvent[] = [];
      let buffer = '';
      res.on('data', (c: Buffer) => {
        buffer += c.toString();
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) });
        }
      });
      resolve({
        events,
        close: () => req.destroy(),
        status: res.statusCode ?? 0,
        type: String(res.headers['content-type']),
      });
    });
    req.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
    });
  });
}

describe('dashboard and push stream', () => {
  let upstream: FakeUpstream;
  let app: SluiceApp;
  let dataDir: string;
  let dashboardDir: string;

  beforeAll(async () => {
    upstream = await new FakeUpstream(() => ({
      headers: { 'content-type': 'application/json' },
      chunks: [
        '{"id":"c1","object":"chat.completion","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1}}',
      ],
    })).start();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-dash-'));
    // A stand-in for out/renderer: what is under test is serving it, not building it.
    dashboardDir = path.join(dataDir, 'renderer');
    fs.mkdirSync(path.join(dashboardDir, 'assets'), { recursive: true });
    fs.writeFileSync(
      path.join(dashboardDir, 'index.html'),
      '<!doctype html><title>Sluice</title><script type="module" src="./assets/app-1234.js"></script>',
    );
    fs.writeFileSync(path.join(dashboardDir, 'assets', 'app-1234.js'), 'console.log("sluice")');
    fs.writeFileSync(path.join(dataDir, 'secret.txt'), 'not for the browser');
    const configFile = path.join(dataDir, 'config.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        providers: [
          { id: 'oa', kind: 'openai', baseUrl: `${upstream.url}/v1`, apiKey: 'sk-dash-test-key-123456789' },
        ],
      }),
    );
    app = await startApp({ dataDir, configFile, port: 0, host: '127.0.0.1', log: () => {}, dashboardDir });
  });
  afterAll(async () => {
    await app.close(500);
    await upstream.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the page (it holds no secret) with a strict CSP, refuses a wrong ?token=, and sets no cookie', async () => {
    expect((await get(`${app.url}/_sluice/?token=${'f'.repeat(64)}`)).status).toBe(401);
    const opened = await get(`${app.url}/_sluice/?token=${app.token}&tab=live`);
    expect(opened.status).toBe(200);
    expect(opened.headers['set-cookie']).toBeUndefined();
    expect(opened.headers['referrer-policy']).toBe('no-referrer');

    // A reload has no token in its URL: the page still loads, and signs in with its stored session.
    const page = await get(`${app.url}/_sluice/?tab=live`);
    expect(page.status).toBe(200);
    expect(page.headers['set-cookie']).toBeUndefined();
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('<title>Sluice</title>');

    const asset = await get(`${app.url}/_sluice/assets/app-1234.js`);
    expect(asset).toMatchObject({ status: 200, body: 'console.log("sluice")' });
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    // A route of the SPA is the page; a missing file is not.
    expect((await get(`${app.url}/_sluice/providers`)).body).toContain('<title>Sluice</title>');
    expect((await get(`${app.url}/_sluice/assets/missing.js`)).status).toBe(404);
    for (const escape of [
      '..%2fsecret.txt',
      '..%2F..%2Frenderer%2F..%2Fsecret.txt',
      '%2e%2e/secret.txt',
      '..\\secret.txt',
    ])
      expect((await get(`${app.url}/_sluice/${escape}`)).body).not.toContain('not for the browser');

    // The cookie an older Sluice set held the token itself, and every local port was sent it: cleared.
    const stale = await get(`${app.url}/_sluice/`, {
      cookie: `theme=dark; sluice_token_${app.port}=${app.token}; sluice_token_1=x`,
    });
    expect(stale.headers['set-cookie']).toEqual([
      `sluice_token_${app.port}=; Path=/_sluice/; Max-Age=0; HttpOnly; SameSite=Strict`,
      'sluice_token_1=; Path=/_sluice/; Max-Age=0; HttpOnly; SameSite=Strict',
    ]);
    // And it opens nothing.
    const withCookie = await fetch(`${app.url}/_sluice/api/status.get`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `sluice_token_${app.port}=${app.token}` },
      body: '{}',
    });
    expect(withCookie.status).toBe(401);
  });

  it('trades the token for a session bound to the page origin, sent in a header, never a cookie', async () => {
    const origin = app.url;
    const post = (pathname: string, headers: Record<string, string>): Promise<Response> =>
      fetch(`${app.url}${pathname}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{}',
      });
    const opened = await post('/_sluice/api/session', { authorization: `Bearer ${app.token}`, origin });
    expect(opened.status).toBe(200);
    expect(opened.headers.get('set-cookie')).toBeNull();
    const session = ((await opened.json()) as { value: { session: string } }).value.session;
    expect(session).toMatch(/^[0-9a-f]{64}$/);
    expect(session).not.toBe(app.token);

    const status = (headers: Record<string, string>): Promise<number> =>
      post('/_sluice/api/status.get', headers).then((r) => r.status);
    expect(await status({ 'x-sluice-session': session, origin })).toBe(200);
    expect(await status({ 'x-sluice-session': session, origin, 'sec-fetch-site': 'same-origin' })).toBe(200);
    // Only from the origin it was made for: not without one, not from Sluice's other name for itself.
    expect(await status({ 'x-sluice-session': session })).toBe(401);
    expect(await status({ 'x-sluice-session': session, origin: `http://localhost:${app.port}` })).toBe(401);
    expect(await status({ 'x-sluice-session': session, origin: 'http://127.0.0.1:1' })).toBe(403);
    expect(await status({ cookie: `x-sluice-session=${session}`, origin })).toBe(401);
    // A browser call from another site or from no page at all is refused whatever it carries.
    for (const site of ['cross-site', 'same-site', 'none'])
      expect(await status({ authorization: `Bearer ${app.token}`, 'sec-fetch-site': site })).toBe(403);

    // Opening a session: the control token (not the API token), from a page of Sluice's own origin.
    expect(
      (await post('/_sluice/api/session', { authorization: `Bearer ${app.apiToken}`, origin })).status,
    ).toBe(401);
    expect((await post('/_sluice/api/session', { 'x-sluice-session': session, origin })).status).toBe(401);
    expect((await post('/_sluice/api/session', { authorization: `Bearer ${app.token}` })).status).toBe(400);
  });

  it('pushes a live batch, the request row and the status while a request goes through', async () => {
    expect((await get(`${app.url}/_sluice/api/events`)).status).toBe(401);
    const stream = await openEvents(`${app.url}/_sluice/api/events`, {
      authorization: `Bearer ${app.token}`,
    });
    try {
      expect(stream.status).toBe(200);
      expect(stream.type).toBe('text/event-stream; charset=utf-8');
      await expect
        .poll(() => stream.events.find((e) => e.event === 'status')?.data)
        .toMatchObject({ port: app.port });

      const res = await fetch(`${app.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-x', messages: [] }),
      });
      await res.text();
      const id = res.headers.get('x-sluice-request-id')!;
      const live = (): LiveEvent[] =>
        stream.events.filter((e) => e.event === 'live').flatMap((e) => e.data as LiveEvent[]);
      await expect
        .poll(() =>
          live()
            .filter((e) => e.requestId === id)
            .map((e) => e.type),
        )
        .toContain('request-finished');
      await expect
        .poll(
          () =>
            stream.events.find(
              (e) =>
                e.event === 'request-row' &&
                (e.data as { requestId: string; status: string }).status === 'completed',
            )?.data,
        )
        .toMatchObject({ requestId: id, provider: 'oa' });
      // A push never carries a provider key.
      expect(JSON.stringify(stream.events)).not.toContain('sk-dash-test-key-123456789');
    } finally {
      stream.close();
    }
  });

  it('ends open push streams when the app closes, and says when the dashboard is not built', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-dash2-'));
    const other = await startApp({ dataDir: dir, port: 0, host: '127.0.0.1', log: () => {} });
    try {
      const page = await get(`${other.url}/_sluice/`);
      expect(page.status).toBe(503);
      expect(page.body).toContain('not built');
      const ended = new Promise<void>((resolve) => {
        http.get(
          `${other.url}/_sluice/api/events`,
          { headers: { authorization: `Bearer ${other.token}` } },
          (res) => {
            res.resume();
            res.on('end', () => resolve());
          },
        );
      });
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      await other.close(5_000);
      await ended;
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
