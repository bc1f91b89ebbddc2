import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { startApp, type SluiceApp } from '../../src/main/app/app';
import type { ProviderView, Result } from '../../src/shared/ipc-contract';
import { FakeUpstream } from '../support/fake-upstream';

const KEY = 'sk-control-test-key-0123456789';
const HEADER_SECRET = 'hdr-secret-value-abcdef123456';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: Result<unknown>;
}

describe('control API over HTTP', () => {
  let upstream: FakeUpstream;
  let app: SluiceApp;
  let dataDir: string;

  const call = async (name: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const res = await request(`${app.url}/_sluice/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token}`, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.statusCode, headers: res.headers, json: (await res.body.json()) as Result<unknown> };
  };
  const value = async <T>(name: string, body: unknown): Promise<T> => {
    const r = await call(name, body);
    expect(r.json).toMatchObject({ ok: true });
    return (r.json as { value: T }).value;
  };

  beforeAll(async () => {
    upstream = await new FakeUpstream((req) => {
      if (req.method === 'GET' && req.url === '/v1/models') {
        if (req.headers.authorization !== `Bearer ${KEY}`)
          return {
            status: 401,
            headers: { 'content-type': 'application/json' },
            chunks: [`{"error":{"message":"bad key ${String(req.headers.authorization)}"}}`],
          };
        return {
          headers: { 'content-type': 'application/json' },
          chunks: ['{"object":"list","data":[{"id":"a"},{"id":"b"}]}'],
        };
      }
      return {
        headers: { 'content-type': 'application/json' },
        chunks: [
          '{"id":"c1","object":"chat.completion","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1}}',
        ],
      };
    }).start();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-control-'));
    const configFile = path.join(dataDir, 'config.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        providers: [
          {
            id: 'oa',
            kind: 'openai',
            baseUrl: `${upstream.url}/v1`,
            apiKey: KEY,
            headers: { 'x-extra-auth': HEADER_SECRET, 'x-plain': 'visible' },
          },
          { id: 'keyless', kind: 'openai', baseUrl: `${upstream.url}/v1`, priority: 200 },
        ],
      }),
    );
    app = await startApp({ dataDir, configFile, port: 0, host: '127.0.0.1', log: () => {} });
  });
  afterAll(async () => {
    await app.close(500);
    await upstream.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the local token in <dataDir>/token, 0600, the same across restarts', () => {
    const file = path.join(dataDir, 'token');
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(app.token);
    expect(app.token).toMatch(/^[0-9a-f]{64}$/);
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('answers 401 without the token or with a wrong one, and the Result with it', async () => {
    const none = await request(`${app.url}/_sluice/api/status.get`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(none.statusCode).toBe(401);
    expect(await none.body.json()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const wrong = await call('status.get', {}, { authorization: `Bearer ${'0'.repeat(64)}` });
    expect(wrong.status).toBe(401);
    const wrongCookie = await call(
      'status.get',
      {},
      { authorization: '', cookie: `sluice_token_${app.port}=${'1'.repeat(64)}` },
    );
    expect(wrongCookie.status).toBe(401);
    const ok = await call('status.get', {});
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({
      ok: true,
      value: { url: app.url, port: app.port, inFlight: 0, paused: false, keyVault: 'key-file' },
    });
  });

  it('answers a payload that fails its schema with 400 and a validation Result', async () => {
    const bad = await call('providers.reorder', { ids: 'oa' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      ok: false,
      error: { code: 'bad_request', message: expect.stringContaining('ids') },
    });
    expect((await call('requests.get', { requestId: '../../etc' })).status).toBe(400);
    expect((await call('status.get', '{not json')).status).toBe(400);
    expect((await call('no.such.call', {})).status).toBe(404);
    expect((await call('status.get', {}, { 'content-type': 'text/plain' })).status).toBe(415);
    const big = await call('settings.update', { patch: { pad: 'x'.repeat(1024 * 1024 + 10) } });
    expect(big.status).toBe(413);
  });

  it('refuses a foreign Origin at the gateway guard, even with the token', async () => {
    const r = await request(`${app.url}/_sluice/api/status.get`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${app.token}`,
        origin: 'https://evil.example',
      },
      body: '{}',
    });
    expect(r.statusCode).toBe(403);
    await r.body.text();
  });

  it('applies settings.update to the next proxied request', async () => {
    const body = JSON.stringify({ model: 'gpt-x', messages: [{ role: 'user', content: 'x'.repeat(3000) }] });
    const send = (): Promise<number> =>
      request(`${app.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      }).then(async (r) => {
        await r.body.text();
        return r.statusCode;
      });
    expect(await send()).toBe(200);
    const updated = await value<{ maxRequestBodyBytes: number }>('settings.update', {
      patch: { maxRequestBodyBytes: 2048 },
    });
    expect(updated.maxRequestBodyBytes).toBe(2048);
    expect(await send()).toBe(413);
    await value('settings.update', { patch: { maxRequestBodyBytes: 32 * 1024 * 1024 } });
    expect(await send()).toBe(200);
    const invalid = await call('settings.update', { patch: { connectTimeoutMs: -1 } });
    expect(invalid.json).toMatchObject({
      ok: false,
      error: { code: 'config_invalid', message: expect.stringContaining('connectTimeoutMs') },
    });
  });

  it('never sends a key or a credential header, and keeps them when the view is saved back', async () => {
    const reply = await call('providers.list', {});
    const text = JSON.stringify(reply.json);
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(HEADER_SECRET);
    const [oa] = (reply.json as { value: ProviderView[] }).value;
    expect(oa).toMatchObject({
      id: 'oa',
      hasKey: true,
      keyPreview: 'sk-…6789',
      headers: { 'x-plain': 'visible' },
    });
    expect(oa!.health).toMatchObject({ state: 'closed' });
    const { hasKey: _h, keyPreview: _k, health: _he, ...edit } = oa!;
    const saved = await call('providers.save', { provider: { ...edit, priority: 5 } });
    expect(JSON.stringify(saved.json)).not.toContain(KEY);
    const stored = app.config.providers().find((p) => p.id === 'oa')!;
    expect(stored).toMatchObject({ priority: 5, apiKey: KEY, headers: { 'x-extra-auth': HEADER_SECRET } });
  });

  it('tests a provider against its model list with its own key, never echoing it', async () => {
    const r = await value<{ ok: boolean; status: number; latencyMs: number; message: string }>(
      'providers.test',
      { id: 'oa' },
    );
    expect(r).toMatchObject({ ok: true, status: 200, message: 'OK: 2 models listed' });
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
    const sent = upstream.requests.at(-1)!;
    expect(sent).toMatchObject({ method: 'GET', url: '/v1/models' });
    expect(sent.headers['user-agent']).toBe('Sluice/0.1.0');
    expect(sent.headers['x-extra-auth']).toBe(HEADER_SECRET);

    await value('providers.save', {
      provider: {
        id: 'echo',
        kind: 'openai',
        baseUrl: `${upstream.url}/v1`,
        apiKey: 'sk-wrong-key-for-echo-test',
      },
    });
    const refused = await value<{ ok: boolean; status: number; message: string }>('providers.test', {
      id: 'echo',
    });
    expect(refused).toMatchObject({
      ok: false,
      status: 401,
      message: expect.stringContaining('check the key'),
    });
    expect(refused.message).not.toContain('sk-wrong-key-for-echo-test');
    expect((await call('providers.test', { id: 'nobody' })).json).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    await value('providers.remove', { id: 'echo' });
  });

  it('lists, inspects, summarises and exports requests; setup names the tools and when each was seen', async () => {
    const res = await request(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'codex_cli_rs/0.50.0' },
      body: JSON.stringify({ model: 'gpt-x', messages: [] }),
    });
    await res.body.text();
    const id = String(res.headers['x-sluice-request-id']);
    await expect
      .poll(
        async () =>
          (
            await value<{ rows: { requestId: string; status: string }[] }>('requests.page', { limit: 5 })
          ).rows.find((r) => r.requestId === id)?.status,
      )
      .toBe('completed');
    const detail = await value<{ request: { client: string }; attempts: unknown[] }>('requests.get', {
      requestId: id,
    });
    expect(detail.request.client).toBe('codex');
    expect(detail.attempts).toHaveLength(1);
    expect(await value('requests.get', { requestId: '0'.repeat(32) })).toBeNull();
    const summary = await value<{ requests: number }[]>('usage.summary', { bucket: 'all', groupBy: 'none' });
    expect(summary[0]!.requests).toBeGreaterThanOrEqual(1);
    const csv = await value<string>('usage.exportCsv', {});
    expect(csv.split('\r\n')[0]).toContain('requestId');
    expect(csv).toContain(id);
    expect((await value<string>('usage.exportCsv', { groupBy: 'model' })).split('\r\n')[0]).toMatch(
      /^model,requests,/,
    );

    const setup = await value<{
      url: string;
      token: string;
      tools: { id: string; lines: string[]; lastSeenAt: number | null }[];
    }>('setup.get', {});
    expect(setup).toMatchObject({ url: app.url, token: app.token });
    const tool = (tid: string) => setup.tools.find((t) => t.id === tid)!;
    expect(tool('codex').lastSeenAt).toBeGreaterThan(0);
    expect(tool('claude-code').lastSeenAt).toBeNull();
    expect(tool('claude-code').lines[0]).toBe(`export ANTHROPIC_BASE_URL=${app.url}`);
    expect(tool('codex').lines).toContain(`base_url = "${app.url}/v1"`);
    expect(tool('gemini-cli').lines[0]).toBe(`export GOOGLE_GEMINI_BASE_URL=${app.url}`);
  });

  it('pauses and resumes the gateway', async () => {
    expect(await value('gateway.setPaused', { paused: true })).toMatchObject({ paused: true });
    const r = await request(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model":"m","messages":[]}',
    });
    expect(r.statusCode).toBe(503);
    await r.body.text();
    expect((await call('status.get', {})).status).toBe(200);
    expect(await value('gateway.setPaused', { paused: false })).toMatchObject({ paused: false });
  });
});
