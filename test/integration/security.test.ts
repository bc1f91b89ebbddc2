import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import BetterSqlite3 from 'better-sqlite3';
import { startApp, type SluiceApp } from '../../src/main/app/app';
import { runUsageCommand } from '../../src/main/app/usage-command';
import { Gateway } from '../../src/main/proxy/server';
import { nullLiveSink, nullUsageSink, systemClock, type SettingsSource } from '../../src/main/proxy/ports';
import { ProviderSchema } from '../../src/shared/config';
import { SettingsSchema } from '../../src/shared/settings';
import { FakeUpstream } from '../support/fake-upstream';

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(port: number, opts: http.RequestOptions & { body?: string; host?: string }): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: opts.host ?? '127.0.0.1', port, ...opts }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const TOKEN = 'a'.repeat(64);
const anthropicStream =
  'event: message_start\ndata: {"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":1,"output_tokens":1}}}\n\n' +
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}\n\n' +
  'event: message_stop\ndata: {"type":"message_stop"}\n\n';

describe('gateway security', () => {
  let upstream: FakeUpstream;
  let gateway: Gateway;
  let port = 0;
  let settings = SettingsSchema.parse({
    allowedOrigins: ['https://allowed.example'],
    maxRequestBodyBytes: 2048,
  });
  const source: SettingsSource = {
    settings: () => settings,
    providers: () => [
      ProviderSchema.parse({
        id: 'a',
        kind: 'anthropic',
        baseUrl: upstream.url,
        apiKey: 'sk-ant-provider-key',
      }),
    ],
  };
  const body = JSON.stringify({ model: 'c', max_tokens: 5, stream: true, messages: [] });

  beforeAll(async () => {
    upstream = await new FakeUpstream(() => ({ chunks: [anthropicStream] })).start();
    gateway = new Gateway({
      source,
      usage: nullUsageSink,
      live: nullLiveSink,
      clock: systemClock,
      localToken: () => TOKEN,
    });
    port = await gateway.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await gateway.close(100);
    await upstream.close();
  });

  const post = (headers: Record<string, string>, b = body): Promise<Res> =>
    request(port, {
      method: 'POST',
      path: '/v1/messages',
      headers: { 'content-type': 'application/json', ...headers },
      body: b,
    });

  it('refuses a DNS-rebinding Host', async () => {
    const r = await post({ host: `attacker.example:${port}` });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toMatchObject({
      type: 'error',
      error: { message: expect.stringContaining('not a loopback') },
    });
  });

  it('refuses a foreign page and its preflight, and serves an allow-listed one with CORS', async () => {
    expect((await post({ origin: 'https://evil.example' })).status).toBe(403);
    const preflight = await request(port, {
      method: 'OPTIONS',
      path: '/v1/messages',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const ok = await request(port, {
      method: 'OPTIONS',
      path: '/v1/messages',
      headers: {
        origin: 'https://allowed.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-api-key, content-type',
      },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('https://allowed.example');
    expect(ok.headers['access-control-allow-headers']).toBe('x-api-key, content-type');
    const real = await post({ origin: 'https://allowed.example' });
    expect(real.status).toBe(200);
    expect(real.headers['access-control-allow-origin']).toBe('https://allowed.example');
  });

  it('requires the local token as the API key when told to, and never forwards it', async () => {
    settings = { ...settings, requireLocalToken: true };
    try {
      const none = await post({});
      expect(none.status).toBe(401);
      expect(JSON.parse(none.body)).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
      expect((await post({ 'x-api-key': 'b'.repeat(64) })).status).toBe(401);
      expect((await post({ 'x-api-key': 'short' })).status).toBe(401);
      const ok = await post({ authorization: `Bearer ${TOKEN}` });
      expect(ok.status).toBe(200);
      expect(ok.body).toBe(anthropicStream);
      const sent = upstream.requests.at(-1)!;
      expect(sent.headers['x-api-key']).toBe('sk-ant-provider-key');
      expect(JSON.stringify(sent.headers)).not.toContain(TOKEN);
    } finally {
      settings = { ...settings, requireLocalToken: false };
    }
  });

  it('answers oversized bodies with 413 and oversized headers with 431, in words', async () => {
    const big = await post({}, JSON.stringify({ pad: 'x'.repeat(5000) }));
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body)).toMatchObject({
      type: 'error',
      error: { message: expect.stringContaining('2048') },
    });
    const huge = await post({ 'x-junk': 'y'.repeat(20_000) });
    expect(huge.status).toBe(431);
    expect(JSON.parse(huge.body)).toMatchObject({ error: { message: expect.stringContaining('headers') } });
  });

  it('listens on ::1 too when the machine has IPv6 loopback', async () => {
    const r = await post({ host: `[::1]:${port}` }).catch(() => null);
    const v6 = await request(port, {
      method: 'POST',
      path: '/v1/messages',
      host: '::1',
      headers: { 'content-type': 'application/json' },
      body,
    }).catch((e: unknown) => (e as NodeJS.ErrnoException).code);
    if (v6 === 'EADDRNOTAVAIL' || v6 === 'ECONNREFUSED') return; // no IPv6 loopback on this machine
    expect(r?.status).toBe(200);
    expect(typeof v6 === 'object' && v6.status).toBe(200);
  });

  it('bound beyond loopback: any Host, but only with the local token, and never while the token is off', async () => {
    const exposed = new Gateway({
      source,
      usage: nullUsageSink,
      live: nullLiveSink,
      clock: systemClock,
      localToken: () => TOKEN,
      exposed: true,
    });
    const p = await exposed.listen(0, '127.0.0.1');
    const send = (headers: Record<string, string>): Promise<Res> =>
      request(p, {
        method: 'POST',
        path: '/v1/messages',
        headers: { 'content-type': 'application/json', host: `192.0.2.7:${p}`, ...headers },
        body,
      });
    try {
      expect((await send({ 'x-api-key': TOKEN })).status).toBe(403); // requireLocalToken off: refused outright
      settings = { ...settings, requireLocalToken: true };
      expect((await send({})).status).toBe(401);
      const ok = await send({ 'x-api-key': TOKEN });
      expect(ok.status).toBe(200);
      expect(ok.body).toBe(anthropicStream);
    } finally {
      settings = { ...settings, requireLocalToken: false };
      await exposed.close(100);
    }
  });
});

/*
 * Issue #15 item 1 and 3: an upstream that echoes the provider's key — in a 401 body (before the commit),
 * in a 400 passed through (after it), and in an error event after content — must leave the key in no
 * file of the data folder, no export, no log line and no push event. The key is shaped like no known
 * credential, so only redaction by value can catch it. The provider has a second key in its pool
 * (`apiKeys`, issue #18 §2): the upstream echoes whichever key it was sent, and neither may leave.
 */
describe('the provider key never leaves, whatever the phase', () => {
  const KEY = `prov-${randomBytes(18).toString('base64url')}`;
  const POOL_KEY = `pool-${randomBytes(18).toString('base64url')}`;
  /** The key the current request was sent with (the pool takes turns). */
  let sent = KEY;
  const echo = (what: string): string => `${what}: key=${sent} is not valid here`;
  const sse = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  let upstream: FakeUpstream;
  let app: SluiceApp;
  let dataDir: string;
  let tmp: string;
  const logs: string[] = [];
  const spies: MockInstance<typeof process.stdout.write>[] = [];
  const printed = (): string =>
    spies
      .flatMap((spy) =>
        spy.mock.calls.map(([chunk]) =>
          typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'),
        ),
      )
      .join('');

  beforeAll(async () => {
    upstream = await new FakeUpstream((req) => {
      const model = (req.json as { model?: string } | null)?.model;
      sent = String(req.headers['x-api-key']);
      if (model === 'm-401')
        return {
          status: 401,
          headers: { 'content-type': 'application/json' },
          chunks: [
            JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: echo('401') } }),
          ],
        };
      if (model === 'm-400')
        return {
          status: 400,
          headers: { 'content-type': 'application/json' },
          chunks: [
            JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: echo('400') } }),
          ],
        };
      return {
        chunks: [
          sse('message_start', {
            type: 'message_start',
            message: { id: 'm', model: 'm', usage: { input_tokens: 3, output_tokens: 1 } },
          }),
          sse('content_block_start', {
            type: 'content_block_start',
            index: 0,
            content_block: { type: 'text', text: '' },
          }),
          sse('content_block_delta', {
            type: 'content_block_delta',
            index: 0,
            delta: { type: 'text_delta', text: 'partial' },
          }),
          sse('error', { type: 'error', error: { type: 'overloaded_error', message: echo('event') } }),
        ],
        delayMs: 20,
      };
    }).start();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-key-'));
    dataDir = path.join(tmp, 'data');
    // Whatever Sluice prints, besides its `log` option (the spies still print it).
    for (const stream of [process.stdout, process.stderr]) spies.push(vi.spyOn(stream, 'write'));
    app = await startApp({ dataDir, port: 0, host: '127.0.0.1', log: (line) => logs.push(line) });
    app.config.updateSettings({ captureRequestBodies: true, maxAttempts: 1 });
    app.config.saveProvider({
      ...ProviderSchema.parse({ id: 'echo', kind: 'anthropic', baseUrl: upstream.url }),
      apiKey: KEY,
      apiKeys: [POOL_KEY],
    });
  }, 120_000);
  afterAll(async () => {
    for (const spy of spies) spy.mockRestore();
    await app.close(200).catch(() => {});
    await upstream.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const control = async (name: string, payload: unknown): Promise<string> => {
    const res = await fetch(`${app.url}/_sluice/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token}` },
      body: JSON.stringify(payload),
    });
    const text = await res.text();
    expect(JSON.parse(text), `${name}: ${text}`).toMatchObject({ ok: true });
    return text;
  };

  it('is in no file, export, log line or push event after a 401, a passed-through 400 and an error event', async () => {
    const pushes = await openPushStream(app.url, app.token);
    const ask = (model: string): Promise<Response> =>
      fetch(`${app.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'client-side-key' },
        body: JSON.stringify({ model, max_tokens: 5, stream: model === 'm-stream', messages: [] }),
      });
    const r401 = await ask('m-401');
    expect(r401.status).toBe(401);
    // Item 3: the provider's health says its credentials failed, in words without the key.
    const health = app.gateway.health.view('echo', app.config.settings());
    expect(health.credentialsProblem).toContain('401');
    expect(health.credentialsProblem).toContain('[redacted]');
    const providers = await control('providers.list', {});
    expect(providers).toContain('[redacted]');
    const r400 = await ask('m-400');
    expect(r400.status).toBe(400);
    // Relayed bytes are the upstream's own after the commit: never worse than calling it directly.
    // (The 401 benched KEY: the pool's other key was sent, and echoed.)
    expect(await r400.text()).toContain(POOL_KEY);
    const rs = await ask('m-stream');
    expect(rs.status).toBe(200);
    expect(await rs.text()).toContain('partial');
    await r401.text();
    await expect.poll(() => app.gateway.activeRequests).toBe(0);
    app.flushUsage();
    await expect.poll(() => pushes.text().split('"request-finished"').length - 1).toBe(3);
    pushes.close();

    const rows = app.repo.listRequests({ limit: 10 });
    expect(rows.map((r) => r.httpStatus).sort()).toEqual([200, 400, 401]);
    // What the renderer and the control API see, request by request and in total.
    const reads = [
      await control('requests.page', {}),
      ...(await Promise.all(rows.map((r) => control('requests.get', { requestId: r.requestId })))),
      await control('usage.exportCsv', {}),
      await control('usage.exportCsv', { groupBy: 'model' }),
      await control('usage.summary', { bucket: 'all', groupBy: 'model' }),
      await control('providers.list', {}),
      await control('status.get', {}),
    ];
    const exports = ['--json', '--csv', ''].map((flag) => runUsage(dataDir, flag));
    exports.push(runUsage(dataDir, '--csv --group-by model'));
    expect(exports[0]).toContain('m-400');

    const found = (what: string, text: string): void => {
      for (const form of [...keyForms(KEY), ...keyForms(POOL_KEY)])
        expect(text.includes(form), `${what} holds a key as ${form}`).toBe(false);
    };
    found('a push event', pushes.text());
    reads.forEach((text, i) => found(`control read ${i}`, text));
    exports.forEach((text, i) => found(`usage export ${i}`, text));
    found('health', JSON.stringify(health));
    found('the provider list', providers);
    found('the log', logs.join('\n'));
    found('stdout/stderr', printed());
    // The vault holds it sealed, and it opens only with vault.key.
    const db = new BetterSqlite3(app.dbFile, { readonly: true });
    const sealed = db.prepare('SELECT key_ref FROM providers').pluck().get();
    db.close();
    expect(typeof sealed === 'string' && app.vault.open(sealed)).toBe(KEY);
    // The pool's keys are sealed beside the provider's config, each opening only with vault.key.
    const config = new BetterSqlite3(app.dbFile, { readonly: true });
    const saved = JSON.parse(String(config.prepare('SELECT config FROM providers').pluck().get())) as {
      sealedApiKeys: string[];
    };
    config.close();
    expect(saved.sealedApiKeys.map((k) => app.vault.open(k))).toEqual([POOL_KEY]);
    for (const file of filesUnder(dataDir)) found(file, fs.readFileSync(file).toString('latin1'));
    found('the database, decompressed', databaseText(app.dbFile));
    await app.close(200);
    for (const file of filesUnder(dataDir)) found(file, fs.readFileSync(file).toString('latin1'));
    found('the database after close', databaseText(path.join(dataDir, 'sluice.db')));
  }, 60_000);
});

/** The key as text, base64 and base64url at each of the three byte alignments (the stable middle), hex. */
function keyForms(key: string): string[] {
  const bytes = Buffer.from(key);
  const forms = [key, bytes.toString('hex'), bytes.toString('hex').toUpperCase()];
  for (let shift = 0; shift < 3; shift++) {
    const b = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    const core = b.slice(shift === 0 ? 0 : 4, -4);
    forms.push(core, core.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return forms;
}

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .flatMap((e) => (e.isFile() ? [path.join(e.parentPath, e.name)] : []));
}

/** Every cell of every table, blobs decompressed where they are (captures are Brotli or raw DEFLATE). */
function databaseText(file: string): string {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    const out: string[] = [];
    for (const { name } of tables) {
      for (const row of db.prepare(`SELECT * FROM "${name}"`).iterate() as Iterable<
        Record<string, unknown>
      >) {
        for (const cell of Object.values(row)) {
          if (!Buffer.isBuffer(cell)) {
            out.push(String(cell));
            continue;
          }
          out.push(cell.toString('latin1'));
          for (const unpack of [zlib.brotliDecompressSync, zlib.inflateRawSync]) {
            try {
              out.push(unpack(cell).toString('latin1'));
            } catch {
              // not this codec
            }
          }
        }
      }
    }
    return out.join('\n');
  } finally {
    db.close();
  }
}

/** `sluice usage <flags>`: the CLI's own command, its output collected (the bundle is not rebuilt here). */
function runUsage(dataDir: string, flags: string): string {
  let out = '';
  const argv = [...flags.split(' ').filter((f) => f !== ''), '--data-dir', dataDir];
  expect(runUsageCommand(argv, (s) => (out += s))).toBe(0);
  return out;
}

/** The control API's push stream, as the dashboard reads it. */
function openPushStream(url: string, token: string): Promise<{ text: () => string; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${url}/_sluice/api/events`,
      { headers: { authorization: `Bearer ${token}` }, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        resolve({ text: () => text, close: () => req.destroy() });
      },
    );
    req.on('error', reject);
  });
}
