import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
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
