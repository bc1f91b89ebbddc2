import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { ProviderView, Result } from '../../src/shared/ipc-contract';
import { FakeUpstream, type RecordedRequest } from '../support/fake-upstream';
import { startSluice, type TestSluice } from '../support/sluice';

const JSON_HEADERS = { 'content-type': 'application/json' };

/** One fake standing in for all three vendors: each path answers in its format, non-streaming. */
function vendorReply(req: RecordedRequest): {
  status: number;
  headers: Record<string, string>;
  chunks: string[];
} {
  if (req.url.startsWith('/v1/messages'))
    return {
      status: 200,
      headers: JSON_HEADERS,
      chunks: [
        '{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":1}}',
      ],
    };
  if (req.url.startsWith('/v1/chat/completions'))
    return {
      status: 200,
      headers: JSON_HEADERS,
      chunks: [
        '{"id":"c1","object":"chat.completion","model":"gpt-x","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}',
      ],
    };
  if (req.url.startsWith('/v1beta/models/'))
    return {
      status: 200,
      headers: JSON_HEADERS,
      chunks: [
        '{"candidates":[{"content":{"role":"model","parts":[{"text":"hi"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1}}',
      ],
    };
  return { status: 404, headers: JSON_HEADERS, chunks: ['{"error":"unexpected path"}'] };
}

async function post(url: string, path: string, headers: Record<string, string>, body: unknown) {
  const res = await request(`${url}${path}`, {
    method: 'POST',
    headers: { ...JSON_HEADERS, ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

const MESSAGES = { model: 'claude-x', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] };
const CHAT = { model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] };
const GEMINI = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };

describe('built-in default providers (no config needed)', () => {
  let vendor: FakeUpstream;
  let sluice: TestSluice;

  beforeEach(async () => {
    vendor = await new FakeUpstream(vendorReply).start();
    sluice = await startSluice({ providers: [] }, { builtinProviders: { origin: vendor.url } });
  });
  afterEach(async () => {
    await sluice.close();
    await vendor.close();
  });

  const control = async <T>(name: string, body: unknown): Promise<Result<T>> => {
    const res = await request(`${sluice.url}/_sluice/api/${name}`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, authorization: `Bearer ${sluice.app.token}` },
      body: JSON.stringify(body),
    });
    return (await res.body.json()) as Result<T>;
  };

  it('serves every format from its vendor with the client’s own credentials', async () => {
    const a = await post(
      sluice.url,
      '/v1/messages',
      { 'x-api-key': 'client-anthropic-key', 'anthropic-version': '2023-06-01' },
      MESSAGES,
    );
    const c = await post(
      sluice.url,
      '/v1/chat/completions',
      { authorization: 'Bearer client-openai-key' },
      CHAT,
    );
    const g = await post(
      sluice.url,
      '/v1beta/models/gemini-x:generateContent',
      { 'x-goog-api-key': 'client-gemini-key' },
      GEMINI,
    );
    expect([a.status, c.status, g.status]).toEqual([200, 200, 200]);
    const byPath = (prefix: string): RecordedRequest =>
      vendor.requests.find((r) => r.url.startsWith(prefix))!;
    expect(byPath('/v1/messages').headers['x-api-key']).toBe('client-anthropic-key');
    expect(byPath('/v1/chat/completions').headers.authorization).toBe('Bearer client-openai-key');
    expect(byPath('/v1beta/models/gemini-x:generateContent').headers['x-goog-api-key']).toBe(
      'client-gemini-key',
    );
    const row = await sluice.row((r) => r.format === 'anthropic');
    expect(row.provider).toBe('builtin-anthropic');
    expect(row.status).toBe('completed');
  });

  it('shows the defaults as such, and refuses to remove one', async () => {
    const list = await control<ProviderView[]>('providers.list', {});
    expect(list.ok).toBe(true);
    const views = list.ok ? list.value : [];
    expect(views.map((p) => [p.id, p.builtin, p.hasKey])).toEqual([
      ['builtin-openai', true, false],
      ['builtin-anthropic', true, false],
      ['builtin-gemini', true, false],
    ]);
    expect(views.find((p) => p.id === 'builtin-openai')?.baseUrl).toBe(`${vendor.url}/v1`);
    const removed = await control('providers.remove', { id: 'builtin-gemini' });
    expect(removed).toMatchObject({ ok: false });
    expect(JSON.stringify(removed)).toMatch(/built-in default: switch it off/);
  });

  it('a configured provider of a kind replaces that kind’s default, and only that one', async () => {
    const own = await new FakeUpstream(vendorReply).start();
    try {
      sluice.app.config.saveProvider({
        id: 'my-anthropic',
        kind: 'anthropic',
        baseUrl: own.url,
        priority: 1,
        enabled: true,
        models: {},
        headers: {},
      });
      expect(sluice.app.config.providers().map((p) => p.id)).toEqual([
        'my-anthropic',
        'builtin-openai',
        'builtin-gemini',
      ]);
      const a = await post(sluice.url, '/v1/messages', { 'x-api-key': 'k' }, MESSAGES);
      expect(a.status).toBe(200);
      expect(own.requests).toHaveLength(1);
      expect(vendor.requests.filter((r) => r.url.startsWith('/v1/messages'))).toHaveLength(0);
      const c = await post(sluice.url, '/v1/chat/completions', { authorization: 'Bearer k' }, CHAT);
      expect(c.status).toBe(200);
      expect(vendor.requests.filter((r) => r.url.startsWith('/v1/chat/completions'))).toHaveLength(1);
    } finally {
      await own.close();
    }
  });

  it('switching a default off keeps it, configured and disabled, and its requests are refused', async () => {
    const views = await control<ProviderView[]>('providers.list', {});
    const openai = views.ok ? views.value.find((p) => p.id === 'builtin-openai') : undefined;
    expect(openai).toBeDefined();
    const { health: _h, hasKey: _k, keyPreview: _p, builtin: _b, keys: _keys, ...rest } = openai!;
    const saved = await control<ProviderView>('providers.save', { provider: { ...rest, enabled: false } });
    expect(saved).toMatchObject({
      ok: true,
      value: { id: 'builtin-openai', builtin: false, enabled: false },
    });
    expect(sluice.app.config.isBuiltin('builtin-openai')).toBe(false);
    const c = await post(sluice.url, '/v1/chat/completions', { authorization: 'Bearer k' }, CHAT);
    expect(c.status).toBe(503);
    expect(c.text).toMatch(/builtin-openai\) are all disabled/);
    expect(vendor.requests).toHaveLength(0);
    // Reordering around a default leaves it last: it has no priority of its own to set.
    sluice.app.config.reorder(['builtin-gemini', 'builtin-openai']);
    expect(sluice.app.config.providers().map((p) => p.id)).toEqual([
      'builtin-openai',
      'builtin-anthropic',
      'builtin-gemini',
    ]);
  });
});

describe('built-in defaults switched off', () => {
  it('with SLUICE_BUILTIN_ORIGIN=off (as every test runs) nothing is served without a provider', async () => {
    expect(process.env.SLUICE_BUILTIN_ORIGIN).toBe('off');
    const sluice = await startSluice({ providers: [] });
    try {
      expect(sluice.app.config.providers()).toEqual([]);
      const a = await post(sluice.url, '/v1/messages', { 'x-api-key': 'k' }, MESSAGES);
      expect(a.status).toBe(503);
      expect((JSON.parse(a.text) as { error: { message: string } }).error.message).toMatch(
        /no provider of kind "anthropic"/,
      );
    } finally {
      await sluice.close();
    }
  });
});
