import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Gateway } from '../../src/main/proxy/server';
import {
  nullLiveSink,
  nullUsageSink,
  systemClock,
  type SettingsSource,
  type UsageSink,
} from '../../src/main/proxy/ports';
import { ProviderSchema, type ProviderConfig } from '../../src/shared/config';
import { SettingsSchema, type Settings } from '../../src/shared/settings';
import type { RequestStart } from '../../src/shared/usage';
import { FakeUpstream, type FakeReply } from '../support/fake-upstream';

/*
 * Issue #15, the gateway side: inputs that stalled or crashed it (items 5–9) and what crossed it that
 * should not (item 12). Each case failed on the code before its fix.
 */

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(port: number, opts: http.RequestOptions & { body?: string | Buffer }): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, agent: false, ...opts }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString() }),
      );
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A raw connection: what arrives on it, and whether the gateway closed it. */
function rawSocket(port: number): Promise<{ socket: net.Socket; text: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', () => {});
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('connect', () => resolve({ socket, text: () => text, closed }));
    socket.once('error', reject);
  });
}

const stream =
  'event: message_start\ndata: {"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":1,"output_tokens":1}}}\n\n' +
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}\n\n' +
  'event: message_stop\ndata: {"type":"message_stop"}\n\n';

const geminiArray =
  '[{"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":1,"candidatesTokenCount":1}}]';

v8.setFlagsFromString('--expose-gc');
/** A full collection before a baseline is taken (the flag above lets a fresh context see `gc`). */
const gc = vm.runInNewContext('gc') as () => void;

/** A client in its own process (its copy of the body is not Sluice's memory): posts the file at argv[2] to port argv[1]. */
const CLIENT = `
const http = require('node:http');
const body = require('node:fs').readFileSync(process.argv[2]);
const req = http.request({ host: '127.0.0.1', port: Number(process.argv[1]), method: 'POST', path: '/v1/messages',
  headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => res.resume());
req.on('error', () => {});
req.end(body);
`;

// First in the file, while the process holds little else: the figures are deltas of its RSS.
describe('item 9: memory of large bodies in flight', () => {
  it('holds four 30 MB bodies in flight in less than twice their size', async () => {
    const stalled: net.Socket[] = [];
    // An upstream that takes the connection and never reads: every body stays in flight.
    const sink = net.createServer((socket) => {
      socket.pause();
      stalled.push(socket);
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const sinkUrl = `http://127.0.0.1:${(sink.address() as net.AddressInfo).port}`;
    const gateway = new Gateway({
      source: {
        settings: () => SettingsSchema.parse({}),
        providers: () => [
          ProviderSchema.parse({ id: 'a', kind: 'anthropic', baseUrl: sinkUrl, apiKey: 'k' }),
        ],
      },
      usage: nullUsageSink,
      live: nullLiveSink,
      clock: systemClock,
    });
    const port = await gateway.listen(0, '127.0.0.1');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-mem-'));
    const file = path.join(dir, 'body.json');
    // Written in pieces: no 30 MB string of the test's own lingers in the baseline.
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, '{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"');
    fs.writeSync(fd, Buffer.alloc(30 * 1024 * 1024 - 100, 'x'));
    fs.writeSync(fd, '"}]}');
    fs.closeSync(fd);
    const size = fs.statSync(file).size;
    const clients: ChildProcess[] = [];
    try {
      gc();
      const before = process.memoryUsage.rss();
      let peak = before;
      const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 2);
      for (let i = 0; i < 4; i++) clients.push(spawn(process.execPath, ['-e', CLIENT, String(port), file]));
      await expect.poll(() => stalled.length, { timeout: 20_000 }).toBe(4);
      await new Promise((r) => setTimeout(r, 300));
      clearInterval(sample);
      const inFlight = 4 * size;
      const ratio = (peak - before) / inFlight;
      console.log(
        `item 9: 4 bodies of ${(size / 2 ** 20).toFixed(0)} MiB in flight: peak RSS +${((peak - before) / 2 ** 20).toFixed(0)} MiB = ${ratio.toFixed(2)}× (budget held ${(gateway.bodies.held / 2 ** 20).toFixed(0)} MiB)`,
      );
      expect(gateway.bodies.held).toBe(inFlight);
      expect(ratio).toBeLessThan(2);
    } finally {
      for (const child of clients) child.kill();
      for (const socket of stalled) socket.destroy();
      await gateway.close(100);
      sink.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('gateway bounds and boundaries', () => {
  let upstream: FakeUpstream;
  let gateway: Gateway;
  let port = 0;
  let settings: Settings;
  let providers: ProviderConfig[] = [];
  /** Opened by a test to let held upstream answers finish. */
  let release: () => void = () => {};
  let held: Promise<void> = Promise.resolve();
  const logs: string[] = [];
  const started: RequestStart[] = [];
  const usage: UsageSink = {
    requestStarted: (s) => started.push(s),
    requestStreaming() {},
    requestFinished() {},
    attemptFinished() {},
  };
  const source: SettingsSource = { settings: () => settings, providers: () => providers };
  const anthropic = (extra: Record<string, unknown> = {}): ProviderConfig =>
    ProviderSchema.parse({ id: 'a', kind: 'anthropic', baseUrl: upstream.url, apiKey: 'sk-ant-k', ...extra });

  const reset = (): void => {
    settings = SettingsSchema.parse({ allowedOrigins: ['https://allowed.example'] });
    providers = [
      anthropic(),
      ProviderSchema.parse({ id: 'g', kind: 'gemini', baseUrl: upstream.url, apiKey: 'gk' }),
    ];
    logs.length = 0;
    started.length = 0;
  };

  beforeAll(async () => {
    upstream = await new FakeUpstream((req): FakeReply => {
      if (req.url.includes('hold')) return { chunks: [async () => held.then(() => stream)] };
      if (req.url.includes(':streamGenerateContent'))
        return { headers: { 'content-type': 'application/json' }, chunks: [geminiArray] };
      return {
        headers: {
          'access-control-allow-origin': '*',
          'access-control-allow-credentials': 'true',
          'access-control-expose-headers': 'x-secret',
        },
        chunks: [stream],
      };
    }).start();
    reset();
    gateway = new Gateway({
      source,
      usage,
      live: nullLiveSink,
      clock: systemClock,
      log: (l) => logs.push(l),
    });
    port = await gateway.listen(0, '127.0.0.1');
  });
  afterEach(() => {
    release();
    reset();
  });
  afterAll(async () => {
    await gateway.close(200);
    await upstream.close();
  });

  const post = (
    body: string | Buffer,
    headers: Record<string, string> = {},
    path = '/v1/messages',
  ): Promise<Res> =>
    request(port, {
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', 'x-api-key': 'client', ...headers },
      body,
    });
  const ask = (model: string, extra: Record<string, unknown> = {}): string =>
    JSON.stringify({ model, max_tokens: 5, stream: true, messages: [], ...extra });

  describe('item 5: model names', () => {
    it('refuses a model name past 256 characters with a 400 in the client format, storing nothing', async () => {
      // The glob that used to backtrack for seconds on a long name.
      providers = [anthropic({ allowModels: ['*claude*sonnet*'] })];
      const before = upstream.requests.length;
      const t0 = performance.now();
      const r = await post(ask(`${'claude'.repeat(50_000)}x`));
      expect(performance.now() - t0).toBeLessThan(2_000);
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body)).toMatchObject({
        type: 'error',
        error: { type: 'invalid_request_error', message: expect.stringContaining('256') },
      });
      expect(started).toEqual([]); // no usage row at all, so none holding 300 KB
      expect(upstream.requests.length).toBe(before);
      const gemini = await post('{}', {}, `/v1beta/models/${'g'.repeat(300)}:generateContent`);
      expect(gemini.status).toBe(400);
      expect(JSON.parse(gemini.body)).toMatchObject({ error: { status: 'INVALID_ARGUMENT' } });
      const ok = await post(ask(`claude-${'x'.repeat(240)}-sonnet`));
      expect(ok.status).toBe(200);
      expect(started.at(-1)?.model).toHaveLength(254);
    });
  });

  describe('item 6: slow bodies and too many connections', () => {
    it('answers a body that never completes with a 408 in the client format, closes it, and logs once', async () => {
      settings = { ...settings, requestBodyTimeoutMs: 1_000 };
      const slow = await Promise.all([rawSocket(port), rawSocket(port)]);
      for (const { socket } of slow)
        socket.write(
          `POST /v1/messages HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"model":`,
        );
      const t0 = performance.now();
      await Promise.all(slow.map((s) => s.closed));
      expect(performance.now() - t0).toBeLessThan(3_500);
      for (const s of slow) {
        expect(s.text()).toMatch(/^HTTP\/1\.1 408 /);
        expect(s.text()).toContain('"type":"error"');
        expect(s.text()).toContain('requestBodyTimeoutMs');
      }
      const lines = logs.filter((l) => l.includes('requestBodyTimeoutMs'));
      expect(lines).toHaveLength(1); // throttled: the second one is counted, not logged
    });

    it('bounds open client connections: past the bound a 503, logged, and room again once they close', async () => {
      settings = { ...settings, maxClientConnections: 4 };
      await expect.poll(() => gateway.openConnections).toBe(0);
      const idle = await Promise.all([0, 1, 2, 3].map(() => rawSocket(port)));
      await expect.poll(() => gateway.openConnections).toBe(4);
      const extra = await rawSocket(port);
      await extra.closed;
      expect(extra.text()).toMatch(/^HTTP\/1\.1 503 /);
      expect(extra.text()).toContain('maxClientConnections');
      expect(logs.some((l) => l.includes('maxClientConnections'))).toBe(true);
      for (const { socket } of idle) socket.destroy();
      await expect.poll(() => gateway.openConnections).toBe(0);
      expect((await post(ask('c'))).status).toBe(200);
    });
  });

  describe('item 7: malformed escapes', () => {
    it('answers a path whose %-escape does not decode with a 400 in the client format', async () => {
      const gemini = await post('{}', {}, '/v1beta/models/%ZZ:generateContent');
      expect(gemini.status).toBe(400);
      expect(JSON.parse(gemini.body)).toMatchObject({
        error: { code: 400, status: 'INVALID_ARGUMENT', message: expect.stringContaining('%-escape') },
      });
      const claude = await post(ask('c'), { 'anthropic-version': '2023-06-01' }, '/v1/messages%E0%A4%A');
      expect(claude.status).toBe(400);
      const ok = await post('{"contents":[]}', {}, '/v1beta/models/gem%2Dini:streamGenerateContent');
      expect(ok.status).toBe(200);
      expect(upstream.requests.at(-1)?.url).toContain('/models/gem-ini:');
    });
  });

  describe('item 8: a second top-level model', () => {
    it('is refused with a 400 in the client format, however it is spelled; nested ones are not', async () => {
      const before = upstream.requests.length;
      for (const body of [
        '{"model":"allowed","max_tokens":5,"messages":[],"model":"other"}',
        '{"model":"allowed","max_tokens":5,"messages":[],"\\u006dodel":"other"}',
        `{"model":"allowed","pad":"${'x'.repeat(2 * 1024 * 1024)}","model":"other"}`, // read without a full parse
      ]) {
        const r = await post(body);
        expect(r.status).toBe(400);
        expect(JSON.parse(r.body)).toMatchObject({
          type: 'error',
          error: {
            type: 'invalid_request_error',
            message: expect.stringContaining('"model" more than once'),
          },
        });
      }
      expect(upstream.requests.length).toBe(before);
      const nested = JSON.stringify({
        model: 'c',
        stream: true,
        max_tokens: 5,
        metadata: { model: 'n' },
        messages: [{ role: 'user', content: '"model":"x"' }],
      });
      expect((await post(nested)).status).toBe(200);
    });
  });

  describe('item 9: bodies in flight', () => {
    it('lets a request wait for room, then answers the one that waited too long with a 503', async () => {
      settings = { ...settings, maxBodiesInFlightBytes: 1024 * 1024, bodiesInFlightWaitMs: 300 };
      held = new Promise((r) => (release = r));
      const body = ask('c', { pad: 'p'.repeat(700 * 1024) });
      const first = post(body, {}, '/v1/messages?hold=1');
      await expect.poll(() => gateway.bodies.held).toBeGreaterThan(700 * 1024);
      const t0 = performance.now();
      const refused = await post(body);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(250);
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.body)).toMatchObject({
        type: 'error',
        error: { message: expect.stringContaining('maxBodiesInFlightBytes') },
      });
      expect(logs.some((l) => l.includes('maxBodiesInFlightBytes'))).toBe(true);
      // One that waits while the first finishes is served.
      const waiter = post(body);
      await new Promise((r) => setTimeout(r, 50));
      release();
      expect((await first).status).toBe(200);
      expect((await waiter).status).toBe(200);
      await expect.poll(() => gateway.bodies.held).toBe(0);
    });

    it('forwards a large body byte for byte, and maps its model by parsing it only then', async () => {
      const pad = 'q'.repeat(2 * 1024 * 1024);
      const body = `  {"model" : "c", "stream":true,"max_tokens":5,"messages":[{"role":"user","content":"${pad}"}]}\n`;
      expect((await post(body)).status).toBe(200);
      expect(upstream.requests.at(-1)?.body).toBe(body);
      providers = [anthropic({ models: { c: 'c-up' } })];
      expect((await post(body)).status).toBe(200);
      const sent = upstream.requests.at(-1)?.json as { model: string; messages: { content: string }[] };
      expect(sent.model).toBe('c-up');
      expect(sent.messages[0]?.content).toBe(pad);
    });
  });

  describe('item 12: browser headers and CORS', () => {
    it('sends no Cookie, Origin or Referer upstream, and only Sluice answers CORS', async () => {
      const r = await post(ask('c'), {
        origin: 'https://allowed.example',
        referer: 'https://allowed.example/page?secret=1',
        cookie: 'sluice_session=abc; other=1',
      });
      expect(r.status).toBe(200);
      const sent = upstream.requests.at(-1)!.headers;
      expect(sent.cookie).toBeUndefined();
      expect(sent.origin).toBeUndefined();
      expect(sent.referer).toBeUndefined();
      expect(r.headers['access-control-allow-origin']).toBe('https://allowed.example');
      expect(r.headers['access-control-allow-credentials']).toBeUndefined();
      expect(r.headers['access-control-expose-headers']).toBeUndefined();
      const plain = await post(ask('c'));
      expect(plain.headers['access-control-allow-origin']).toBeUndefined(); // not the upstream's `*`
    });
  });
});
