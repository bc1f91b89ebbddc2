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

  it('trades ?token= for an HttpOnly cookie, then serves the page with a strict CSP', async () => {
    expect((await get(`${app.url}/_sluice/`)).status).toBe(401);
    expect((await get(`${app.url}/_sluice/?token=${'f'.repeat(64)}`)).status).toBe(401);
    const first = await get(`${app.url}/_sluice/?token=${app.token}&tab=live`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/_sluice/?tab=live');
    const cookie = first.headers['set-cookie']![0]!;
    expect(cookie).toBe(`sluice_token_${app.port}=${app.token}; Path=/_sluice/; HttpOnly; SameSite=Strict`);
    const jar = { cookie: cookie.split(';')[0]! };

    const page = await get(`${app.url}/_sluice/?tab=live`, jar);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('<title>Sluice</title>');

    const asset = await get(`${app.url}/_sluice/assets/app-1234.js`, jar);
    expect(asset).toMatchObject({ status: 200, body: 'console.log("sluice")' });
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    // A route of the SPA is the page; a missing file is not.
    expect((await get(`${app.url}/_sluice/providers`, jar)).body).toContain('<title>Sluice</title>');
    expect((await get(`${app.url}/_sluice/assets/missing.js`, jar)).status).toBe(404);
    for (const escape of [
      '..%2fsecret.txt',
      '..%2F..%2Frenderer%2F..%2Fsecret.txt',
      '%2e%2e/secret.txt',
      '..\\secret.txt',
    ])
      expect((await get(`${app.url}/_sluice/${escape}`, jar)).body).not.toContain('not for the browser');
    // The cookie is no good for another port's Sluice.
    expect((await get(`${app.url}/_sluice/`, { cookie: `sluice_token_1=${app.token}` })).status).toBe(401);
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
      const page = await get(`${other.url}/_sluice/`, { authorization: `Bearer ${other.token}` });
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
