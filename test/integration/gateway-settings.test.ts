import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startApp, type SluiceApp } from '../../src/main/app/app';
import type { Result } from '../../src/shared/ipc-contract';
import { FakeUpstream } from '../support/fake-upstream';
import { chatKit } from '../support/format-kits';

/** One answer, read whole, over a fresh connection (no keep-alive survives a move to confuse it). */
interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

function send(
  url: string,
  pathname: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}${pathname}`,
      { method: opts.method ?? 'POST', headers: opts.headers ?? {}, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A control call with the token as a bearer; the Result and the HTTP answer. */
async function call<T>(
  url: string,
  token: string,
  name: string,
  body: unknown = {},
): Promise<{ reply: Reply; result: Result<T> }> {
  const reply = await send(url, `/_sluice/api/${name}`, {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { reply, result: JSON.parse(reply.text) as Result<T> };
}

/** A streaming chat request through Sluice, read whole. */
function chat(url: string, apiKey = 'sk-client'): Promise<Reply> {
  return send(url, chatKit.path('gpt-test'), {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: chatKit.body('gpt-test'),
  });
}

/** Resolves with the error code of a plain TCP connect to 127.0.0.1:`port` or ::1, or 'connected'. */
function connect(port: number, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** A port nothing listens on right now (on both loopback addresses). */
async function freePort(): Promise<number> {
  for (;;) {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    if ((await connect(port, '::1')) !== 'connected') return port;
  }
}

/** Opens the control push stream; `text()` is what arrived so far, `ended` settles when it ends. */
function openEvents(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: () => string; ended: Promise<void>; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/_sluice/api/events`, { headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      const ended = new Promise<void>((r) => res.on('close', () => r()));
      resolve({ status: res.statusCode ?? 0, text: () => text, ended, close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

const hasIpv6 = (): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(0, '::1', () => s.close(() => resolve(true)));
  });

describe('gateway port and local token, changed while running', () => {
  let upstream: FakeUpstream;
  /** Opened by a test to let the held stream finish. */
  let release: () => void = () => {};
  let dataDir: string;
  let configFile: string;
  let app: SluiceApp | undefined;
  const blockers: net.Server[] = [];

  beforeAll(async () => {
    upstream = await new FakeUpstream((req) => {
      const frames = chatKit.stream('hello').split(/(?<=\n\n)/);
      if (!req.body.includes('"hold"')) return { chunks: frames };
      const held = new Promise<string>((resolve) => {
        release = () => resolve(frames.slice(2).join(''));
      });
      return { chunks: [frames.slice(0, 2).join(''), () => held] };
    }).start();
  });

  // Each test its own data dir: the saved port and the token live there.
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-gateway-settings-'));
    configFile = path.join(dataDir, 'config.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        providers: [{ id: 'oa', kind: 'openai', baseUrl: chatKit.baseUrl(upstream.url), apiKey: 'sk-up' }],
      }),
    );
  });

  afterEach(async () => {
    release();
    await app?.close(500);
    app = undefined;
    for (const b of blockers.splice(0)) await new Promise<void>((r) => b.close(() => r()));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  afterAll(async () => {
    await upstream.close();
  });

  const start = async (port?: number): Promise<SluiceApp> => {
    app = await startApp({
      dataDir,
      configFile,
      ...(port === undefined ? {} : { port }),
      host: '127.0.0.1',
      log: () => {},
    });
    return app;
  };

  it('moves to a free port: the new one serves, the old one refuses, a stream on the old one completes', async () => {
    const a = await start(0);
    const oldUrl = a.url;
    const oldPort = a.port;
    const token = a.token;

    // A stream in flight on the old port, held by the upstream after its first content event, on a
    // connection the client would keep alive.
    const keepAlive = new http.Agent({ keepAlive: true });
    let socketClosed = false;
    const held = new Promise<Reply>((resolve, reject) => {
      const req = http.request(
        `${oldUrl}${chatKit.path('gpt-test')}`,
        { method: 'POST', headers: { 'content-type': 'application/json' }, agent: keepAlive },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.socket.once('close', () => (socketClosed = true));
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        },
      );
      req.on('error', reject);
      req.end(chatKit.body('gpt-test').replace('"hi"', '"hold"'));
    });
    await expect.poll(() => a.gateway.activeRequests).toBe(1);
    await expect.poll(() => upstream.requests.length).toBeGreaterThan(0);
    // A push stream opened on the old port hears where the gateway went, then ends.
    const events = await openEvents(oldUrl, { authorization: `Bearer ${token}` });
    expect(events.status).toBe(200);

    const port = await freePort();
    const moved = await call<{ port: number; url: string }>(oldUrl, token, 'gateway.setPort', { port });
    expect(moved.result).toEqual({ ok: true, value: { port, url: `http://127.0.0.1:${port}` } });
    expect(a.port).toBe(port);
    expect(a.url).toBe(`http://127.0.0.1:${port}`);
    expect(a.config.settings().port).toBe(port);

    await events.ended;
    expect(events.text()).toContain(`"port":${port}`);

    // The new port serves the API and the control API, and the status says where it is.
    const fresh = await chat(a.url);
    expect(fresh.status).toBe(200);
    expect(fresh.text).toContain('data: [DONE]');
    const status = await call<{ port: number; url: string }>(a.url, token, 'status.get');
    expect(status.result).toMatchObject({ ok: true, value: { port, url: a.url } });
    // The guards expect the new port now: a Host or Origin naming the old one is refused.
    const oldHost = await send(a.url, chatKit.path('gpt-test'), {
      headers: { 'content-type': 'application/json', host: `127.0.0.1:${oldPort}` },
      body: chatKit.body('gpt-test'),
    });
    expect(oldHost.status).toBe(403);
    const oldOrigin = await send(a.url, '/_sluice/api/status.get', {
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        origin: oldUrl,
      },
      body: '{}',
    });
    expect(oldOrigin.status).toBe(403);

    // The old port takes no new connection, on either loopback address.
    expect(await connect(oldPort)).toBe('ECONNREFUSED');
    if (await hasIpv6()) expect(await connect(oldPort, '::1')).toBe('ECONNREFUSED');

    // …while the stream it carried still finishes normally.
    release();
    const done = await held;
    expect(done.status).toBe(200);
    expect(done.text).toContain('hello');
    expect(done.text).toContain('data: [DONE]');
    await expect.poll(() => a.gateway.activeRequests).toBe(0);
    // Then the old listener lets go of that connection too, rather than keep it open and answering.
    await expect.poll(() => socketClosed, { timeout: 2_000 }).toBe(true);
    keepAlive.destroy();
    a.flushUsage();
    const rows = a.repo.listRequests({ limit: 10 });
    expect(rows.map((r) => r.status)).toEqual(['completed', 'completed']);
  });

  it('moves to any free port with 0, and says so', async () => {
    const a = await start(0);
    const from = a.port;
    const moved = await call<{ port: number; url: string }>(a.url, a.token, 'gateway.setPort', { port: 0 });
    expect(moved.result.ok).toBe(true);
    const to = a.port;
    expect(to).not.toBe(from);
    expect(to).toBeGreaterThan(0);
    expect(moved.result).toEqual({ ok: true, value: { port: to, url: `http://127.0.0.1:${to}` } });
    expect((await chat(a.url)).status).toBe(200);
    // The port it got is what is kept, so clients set up with it find it again after a restart.
    expect(a.config.settings().port).toBe(to);
  });

  it('refuses a port in use with the reason, and keeps serving where it was', async () => {
    const a = await start(0);
    const before = a.port;
    const blocker = net.createServer();
    blockers.push(blocker);
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as net.AddressInfo).port;

    const refused = await call(a.url, a.token, 'gateway.setPort', { port: taken });
    expect(refused.reply.status).toBe(200);
    expect(refused.result).toMatchObject({
      ok: false,
      error: { code: 'config_invalid', message: expect.stringContaining(`port ${taken} is in use`) },
    });
    expect(a.port).toBe(before);
    expect(a.config.settings().port).toBeUndefined();
    expect((await chat(a.url)).status).toBe(200);

    // Free on IPv4 but taken on ::1: the IPv4 listener it opened is closed again, nothing moves.
    if (await hasIpv6()) {
      const v6 = net.createServer();
      blockers.push(v6);
      await new Promise<void>((r) => v6.listen(0, '::1', r));
      const half = (v6.address() as net.AddressInfo).port;
      if ((await connect(half)) !== 'connected') {
        const r = await call(a.url, a.token, 'gateway.setPort', { port: half });
        expect(r.result).toMatchObject({
          ok: false,
          error: { message: expect.stringContaining(`port ${half} is in use (on ::1)`) },
        });
        expect(await connect(half)).toBe('ECONNREFUSED');
        expect(a.port).toBe(before);
        expect((await chat(a.url)).status).toBe(200);
      }
    }

    // Out of range never reaches the gateway.
    const bad = await call(a.url, a.token, 'gateway.setPort', { port: 70000 });
    expect(bad.reply.status).toBe(400);
    // The saved port is changed only by moving there.
    const sneaky = await call(a.url, a.token, 'settings.update', { patch: { port: 1234 } });
    expect(sneaky.result).toMatchObject({ ok: false, error: { code: 'config_invalid' } });
    expect(a.config.settings().port).toBeUndefined();
  });

  it('starts on the saved port when none is given, and on a given one over it', async () => {
    const first = await start(0);
    const port = await freePort();
    expect((await call(first.url, first.token, 'gateway.setPort', { port })).result.ok).toBe(true);
    await first.close(500);
    app = undefined;

    const again = await start();
    expect(again.port).toBe(port);
    expect(again.url).toBe(`http://127.0.0.1:${port}`);
    expect((await chat(again.url)).status).toBe(200);
    await again.close(500);
    app = undefined;

    const given = await start(0);
    expect(given.port).not.toBe(port);
    expect(given.config.settings().port).toBe(port);
  });

  it('rotates both tokens: the old ones are refused at once, the new ones work, the files hold them (0600)', async () => {
    const a = await start(0);
    const old = a.token;
    const oldApi = a.apiToken;
    expect(oldApi).not.toBe(old);
    const origin = a.url;
    // A dashboard page's session, and its push stream; another page's session.
    const session = async (token: string): Promise<Reply> =>
      send(a.url, '/_sluice/api/session', { headers: { authorization: `Bearer ${token}`, origin } });
    const mine = (JSON.parse((await session(old)).text) as { value: { session: string } }).value.session;
    const other = (JSON.parse((await session(old)).text) as { value: { session: string } }).value.session;
    const asPage = (s: string): Record<string, string> => ({ 'x-sluice-session': s, origin });
    const events = await openEvents(a.url, asPage(other));
    expect(events.status).toBe(200);

    const rotated = await send(a.url, '/_sluice/api/token.rotate', {
      headers: { 'content-type': 'application/json', ...asPage(mine) },
      body: '{}',
    });
    const result = JSON.parse(rotated.text) as Result<{ token: string; apiToken: string }>;
    expect(result.ok).toBe(true);
    const { token, apiToken } = result.ok ? result.value : { token: '', apiToken: '' };
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(apiToken).toMatch(/^[0-9a-f]{64}$/);
    expect([token, apiToken]).not.toContain(old);
    expect([token, apiToken]).not.toContain(oldApi);
    expect(a.token).toBe(token);
    expect(a.apiToken).toBe(apiToken);
    // The page that rotated keeps signed in: its next session comes in the same answer, never a cookie.
    expect(rotated.headers['set-cookie']).toBeUndefined();
    const renewed = String(rotated.headers['x-sluice-session']);
    expect(renewed).toMatch(/^[0-9a-f]{64}$/);
    expect(
      (
        await send(a.url, '/_sluice/api/status.get', {
          headers: { 'content-type': 'application/json', ...asPage(renewed) },
          body: '{}',
        })
      ).status,
    ).toBe(200);

    for (const [name, value] of [
      ['token', token],
      ['api-token', apiToken],
    ] as const) {
      const file = path.join(dataDir, name);
      expect(fs.readFileSync(file, 'utf8').trim()).toBe(value);
      if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    }
    expect(fs.readdirSync(dataDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    // Every session made with the old token ended, and the push stream let in with one ends too.
    await events.ended;
    for (const s of [mine, other]) {
      expect((await openEvents(a.url, asPage(s))).status).toBe(401);
      const refused = await send(a.url, '/_sluice/api/status.get', {
        headers: { 'content-type': 'application/json', ...asPage(s) },
        body: '{}',
      });
      expect(refused.status).toBe(401);
      expect(refused.text).toContain('session has ended');
    }
    expect((await openEvents(a.url, { authorization: `Bearer ${old}` })).status).toBe(401);
    const back = await openEvents(a.url, asPage(renewed));
    expect(back.status).toBe(200);
    back.close();

    // Control API and dashboard: every way of presenting the old token is refused.
    expect((await call(a.url, old, 'status.get')).reply.status).toBe(401);
    expect((await session(old)).status).toBe(401);
    expect((await send(a.url, `/_sluice/?token=${old}`, { method: 'GET' })).status).toBe(401);
    // The new one opens the page (here: "not built", as no dashboard is mounted).
    expect((await send(a.url, `/_sluice/?token=${token}`, { method: 'GET' })).status).toBe(503);
    expect((await call(a.url, token, 'status.get')).reply.status).toBe(200);

    // The Setup screen's lines carry the new API token, never the control token.
    expect(
      (await call(a.url, token, 'settings.update', { patch: { requireLocalToken: true } })).result.ok,
    ).toBe(true);
    const setup = await call<{ token: string; apiToken: string; tools: { lines: string[] }[] }>(
      a.url,
      token,
      'setup.get',
    );
    expect(setup.result.ok && setup.result.value).toMatchObject({ token, apiToken });
    const lines = setup.result.ok ? setup.result.value.tools.flatMap((t) => t.lines).join('\n') : '';
    expect(lines).toContain(apiToken);
    expect(lines).not.toContain(token);
    expect(lines).not.toContain(oldApi);

    // The API, with the token required: only the current API token passes; the control token never does.
    expect((await chat(a.url, oldApi)).status).toBe(401);
    expect((await chat(a.url, token)).status).toBe(401);
    expect((await chat(a.url, apiToken)).status).toBe(200);
    // And the API token opens no control call.
    expect((await call(a.url, apiToken, 'status.get')).reply.status).toBe(401);
    const rotatedAgain = await call<{ token: string; apiToken: string }>(a.url, token, 'token.rotate');
    const third = rotatedAgain.result.ok ? rotatedAgain.result.value.apiToken : '';
    expect((await chat(a.url, apiToken)).status).toBe(401);
    expect((await chat(a.url, third)).status).toBe(200);
  });
});
