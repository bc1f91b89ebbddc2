import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptRecord } from '../../src/shared/usage';
import {
  ScriptedUpstream,
  baseUrlFor,
  post,
  postThenLeave,
  type RawResponse,
} from '../support/fault-upstream';
import { KITS, chatKit, errorBodyMessage, geminiKit, type FormatKit } from '../support/format-kits';
import { startSluice, type TestSluice } from '../support/sluice';

/** Sluice's own per-provider limits (`rpm`, `maxConcurrentStreams`) and what happens when they bind. */

async function attemptsOf(sluice: TestSluice, res: RawResponse): Promise<AttemptRecord[]> {
  const id = String(res.headers['x-sluice-request-id']);
  await sluice.row((r) => r.requestId === id);
  return sluice.app.attempts.forRequest(id);
}

describe('a limited provider is skipped for the next candidate', () => {
  let a: ScriptedUpstream;
  let b: ScriptedUpstream;
  let sluice: TestSluice;

  beforeAll(async () => {
    a = await new ScriptedUpstream(() => ({ chunks: [chatKit.stream('from A')] })).start();
    b = await new ScriptedUpstream(() => ({ chunks: [chatKit.stream('from B')] })).start();
    const on = (url: string, extra: Record<string, unknown>): Record<string, unknown> => ({
      kind: 'openai',
      baseUrl: `${url}/v1`,
      apiKey: 'k',
      ...extra,
    });
    sluice = await startSluice({
      providers: [
        on(a.url, { id: 'rpm-a', rpm: 1, allowModels: ['rpm-*'], priority: 1 }),
        on(a.url, { id: 'conc-a', maxConcurrentStreams: 1, allowModels: ['conc-*'], priority: 1 }),
        on(b.url, { id: 'b', priority: 2 }),
      ],
      settings: { retryBaseDelayMs: 5 },
    });
  });
  afterAll(async () => {
    await sluice.close();
    await a.close();
    await b.close();
  });
  afterEach(() => {
    a.script = () => ({ chunks: [chatKit.stream('from A')] });
  });

  const send = (model: string): Promise<RawResponse> =>
    post(sluice.url, chatKit.path(model), chatKit.body(model), chatKit.headers);

  it('rpm: the second request within the minute goes to the next candidate, not to a 429', async () => {
    const before = a.requests.length;
    expect((await send('rpm-1')).text).toBe(chatKit.stream('from A'));
    const second = await send('rpm-2');
    expect(second.status).toBe(200);
    expect(second.text).toBe(chatKit.stream('from B'));
    expect(second.headers['x-sluice-attempts']).toBe('1');
    expect(a.requests.length - before).toBe(1);
    const skipped = (await attemptsOf(sluice, second)).find((x) => x.provider === 'rpm-a');
    expect(skipped).toMatchObject({ outcome: 'skipped', phase: 'skipped' });
    expect(skipped!.reason).toMatch(/^rate_limited.*rpm/);
  });

  it('maxConcurrentStreams: a second concurrent request goes elsewhere; the slot frees when the first ends', async () => {
    a.script = () => ({ chunks: [chatKit.head('slow'), chatKit.stream('from A')], delayMs: 1_000 });
    const before = a.requests.length;
    const first = send('conc-1');
    await expect.poll(() => a.requests.length).toBe(before + 1);
    const second = await send('conc-2');
    expect(second.text).toBe(chatKit.stream('from B'));
    const skipped = (await attemptsOf(sluice, second)).find((x) => x.provider === 'conc-a');
    expect(skipped?.reason).toMatch(/^rate_limited.*concurrency/);
    await first;
    a.script = () => ({ chunks: [chatKit.stream('from A')] });
    expect((await send('conc-3')).text).toBe(chatKit.stream('from A'));
  });

  it('maxConcurrentStreams: a failed attempt and a client that left both give the slot back', async () => {
    a.script = () => ({ status: 500, headers: { 'content-type': 'application/json' }, chunks: ['{}'] });
    expect((await send('conc-fail')).text).toBe(chatKit.stream('from B'));
    a.script = () => ({ chunks: [chatKit.head('x')], then: 'hang' });
    const before = a.requests.length;
    await postThenLeave(
      sluice.url,
      chatKit.path('conc-x'),
      chatKit.body('conc-x'),
      chatKit.headers,
      'first-byte',
    );
    await sluice.row((r) => r.model === 'conc-x');
    a.script = () => ({ chunks: [chatKit.stream('from A')] });
    expect((await send('conc-after')).text).toBe(chatKit.stream('from A'));
    expect(a.requests.length - before).toBe(2);
  });
});

describe('every candidate is at its limit, rateLimitMaxWaitMs 0', () => {
  let up: ScriptedUpstream;
  let sluice: TestSluice;
  const modelOf: Record<FormatKit['format'], string> = {
    'openai-chat': 'chat-m',
    'openai-responses': 'resp-m',
    anthropic: 'claude-m',
    gemini: 'gemini-m',
  };

  beforeAll(async () => {
    up = await new ScriptedUpstream().start();
    const p = (id: string, kind: FormatKit['kind'], extra = {}): Record<string, unknown> => ({
      id,
      kind,
      baseUrl: baseUrlFor(kind, up.url),
      rpm: 1,
      ...extra,
    });
    sluice = await startSluice({
      providers: [
        p('oa-chat', 'openai', { allowModels: ['chat-*'] }),
        p('oa-resp', 'openai', { allowModels: ['resp-*'] }),
        p('an', 'anthropic'),
        p('ge', 'gemini'),
      ],
      settings: { rateLimitMaxWaitMs: 0 },
    });
  });
  afterAll(async () => {
    await sluice.close();
    await up.close();
  });

  it.each(KITS)(
    '$format: 429 in the client format, with retry-after, without calling upstream',
    async (kit) => {
      up.script = () => ({ chunks: [kit.stream('ok')] });
      const model = modelOf[kit.format];
      const send = (): Promise<RawResponse> =>
        post(sluice.url, kit.path(model), kit.body(model), kit.headers);
      expect((await send()).status).toBe(200);
      const before = up.requests.length;
      const res = await send();
      expect(res.status).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(res.headers['x-sluice-request-id']).toMatch(/^[0-9a-f]{32}$/);
      expect(res.headers['x-sluice-attempts']).toBe('0');
      expect(errorBodyMessage(kit, res.text)).toMatch(/rate limit/);
      const body = JSON.parse(res.text) as { error: { type?: string; status?: string; code?: unknown } };
      if (kit.format === 'gemini')
        expect(body.error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
      else expect(body.error.type).toBe('rate_limit_error');
      expect(up.requests.length).toBe(before);
      const row = await sluice.row((r) => r.requestId === res.headers['x-sluice-request-id']);
      expect(row).toMatchObject({ status: 'failed', httpStatus: 429 });
    },
  );
});

describe('rateLimitMaxWaitMs > 0: waits for the limit, then succeeds', () => {
  let up: ScriptedUpstream;
  let sluice: TestSluice;

  beforeAll(async () => {
    up = await new ScriptedUpstream().start();
    sluice = await startSluice({
      providers: [
        { id: 'conc', kind: 'openai', baseUrl: `${up.url}/v1`, maxConcurrentStreams: 1 },
        { id: 'slow-rpm', kind: 'gemini', baseUrl: up.url, rpm: 1 },
      ],
      settings: { rateLimitMaxWaitMs: 3_000 },
    });
  });
  afterAll(async () => {
    await sluice.close();
    await up.close();
  });

  it('concurrency: the second request starts once the first stream ended', async () => {
    up.script = () => ({ chunks: [chatKit.head('one'), chatKit.stream('from A')], delayMs: 300 });
    const before = up.requests.length;
    const first = post(sluice.url, chatKit.path('m'), chatKit.body('m'), chatKit.headers);
    await expect.poll(() => up.requests.length).toBe(before + 1);
    const second = post(sluice.url, chatKit.path('m'), chatKit.body('m'), chatKit.headers);
    const [r1, r2] = await Promise.all([first, second]);
    expect([r1.status, r2.status]).toEqual([200, 200]);
    expect(r2.text).toBe(chatKit.head('one') + chatKit.stream('from A'));
    const [q1, q2] = up.requests.slice(before);
    expect(q2!.arrivedAt).toBeGreaterThanOrEqual(q1!.closedAt! - 1);
  });

  it('a client that leaves while waiting for the limit is recorded as aborted at once', async () => {
    up.script = () => ({ chunks: [chatKit.head('hold')], then: 'hang' });
    const before = up.requests.length;
    const holder = postThenLeave(sluice.url, chatKit.path('hold'), chatKit.body('hold'), chatKit.headers, {
      ms: 1_000,
    });
    await expect.poll(() => up.requests.length).toBe(before + 1);
    const { leftAt } = await postThenLeave(
      sluice.url,
      chatKit.path('waiter'),
      chatKit.body('waiter'),
      chatKit.headers,
      {
        ms: 200,
      },
    );
    const row = await sluice.row((r) => r.model === 'waiter');
    expect(row).toMatchObject({ status: 'aborted', httpStatus: 499 });
    expect(performance.now() - leftAt).toBeLessThan(1_000);
    expect(up.requests.length).toBe(before + 1);
    await holder;
  });

  it('answers 429 at once when the wait needed is longer than rateLimitMaxWaitMs', async () => {
    up.script = () => ({ chunks: [geminiKit.stream('ok')] });
    const send = (): Promise<RawResponse> =>
      post(sluice.url, geminiKit.path('g'), geminiKit.body('g'), geminiKit.headers);
    expect((await send()).status).toBe(200);
    const t0 = performance.now();
    const res = await send();
    expect(res.status).toBe(429);
    expect(performance.now() - t0).toBeLessThan(1_000);
  });
});

describe('limits changed while running', () => {
  let up: ScriptedUpstream;
  let sluice: TestSluice;

  beforeAll(async () => {
    up = await new ScriptedUpstream(() => ({ chunks: [chatKit.stream('ok')] })).start();
    sluice = await startSluice({
      providers: [{ id: 'oa', kind: 'openai', baseUrl: `${up.url}/v1`, apiKey: 'k', rpm: 100 }],
      settings: { rateLimitFailMode: 'closed' },
    });
  });
  afterAll(async () => {
    await sluice.close();
    await up.close();
  });

  it('lowering rpm applies the new limit to the next request instead of refusing them all', async () => {
    const send = (): Promise<RawResponse> =>
      post(sluice.url, chatKit.path('m'), chatKit.body('m'), chatKit.headers);
    expect((await send()).status).toBe(200);
    const current = sluice.app.config.providers().find((p) => p.id === 'oa')!;
    const { apiKey: _keep, ...rest } = current;
    sluice.app.config.saveProvider({ ...rest, rpm: 2 });
    expect(sluice.app.config.providers().find((p) => p.id === 'oa')!.rpm).toBe(2);
    const next = await send();
    expect(next.status).toBe(200);
  });
});
