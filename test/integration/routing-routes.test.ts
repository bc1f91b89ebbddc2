import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/shared/live-events';
import type { AttemptRecord } from '../../src/shared/usage';
import { ScriptedUpstream, post, type RawResponse, type Script } from '../support/fault-upstream';
import { anthropicKit, chatKit } from '../support/format-kits';
import { startSluice, type TestSluice } from '../support/sluice';

/**
 * Routes through the real gateway: the first route whose globs match the model decides the chain, in
 * its order; no match walks the default chain. A route's provider of another format serves translated
 * (its model name passing as is), and is skipped with a reason where translation cannot go.
 */

const fail500: Script = { status: 500, headers: { 'content-type': 'application/json' }, chunks: ['{}'] };
const answer = (text: string): Script => ({
  headers: { 'content-type': 'text/event-stream' },
  chunks: [anthropicKit.stream(text)],
});

describe('routes', () => {
  const up: Record<string, ScriptedUpstream> = {};
  let sluice: TestSluice;
  const events: LiveEvent[] = [];

  beforeAll(async () => {
    for (const id of ['a', 'b', 'c', 'd', 'o']) up[id] = await new ScriptedUpstream().start();
    const anthropic = (id: string, priority: number, extra: Record<string, unknown> = {}) => ({
      id,
      kind: 'anthropic',
      baseUrl: up[id]!.url,
      apiKey: `key-${id}`,
      priority,
      ...extra,
    });
    sluice = await startSluice({
      providers: [
        anthropic('a', 1),
        anthropic('b', 2),
        anthropic('c', 3),
        anthropic('d', 4, { enabled: false }),
        { id: 'o', kind: 'openai', baseUrl: `${up.o!.url}/v1`, apiKey: 'key-o', priority: 5 },
      ],
      routes: [
        { models: ['claude-haiku-*'], providers: ['d', 'c', 'o'] },
        { models: ['claude-opus-*', 'big-*'], providers: ['b', 'a'] },
      ],
      settings: { maxAttempts: 3, retryBaseDelayMs: 1 },
    });
    sluice.app.live.subscribe((batch) => events.push(...batch));
  });
  afterAll(async () => {
    await sluice.close();
    for (const u of Object.values(up)) await u.close();
  });
  beforeEach(() => {
    sluice.app.gateway.health.reset();
    for (const id of ['a', 'b', 'c', 'd']) up[id]!.script = () => answer(`from ${id}`);
    up.o!.script = () => ({
      headers: { 'content-type': 'text/event-stream' },
      chunks: [chatKit.stream('from o')],
    });
  });

  const send = (model: string, path = '/v1/messages'): Promise<RawResponse> =>
    post(sluice.url, path, anthropicKit.body(model), anthropicKit.headers);

  async function recorded(res: RawResponse) {
    const id = String(res.headers['x-sluice-request-id']);
    const row = await sluice.row((r) => r.requestId === id);
    const attempts: AttemptRecord[] = sluice.app.attempts.forRequest(id);
    return { row, attempts, id };
  }

  it('the first matching route decides the chain, in its order; its index and globs are on the row and the live event', async () => {
    const res = await send('claude-opus-4');
    expect(res.text).toBe(anthropicKit.stream('from b'));
    const { row, id } = await recorded(res);
    expect(row.provider).toBe('b');
    expect(row.route).toEqual({
      route: { index: 1, glob: 'claude-opus-*', models: ['claude-opus-*', 'big-*'] },
      affinity: null,
      weighted: null,
    });
    await expect
      .poll(() => events.find((e) => e.requestId === id && e.type === 'request-routed'))
      .toMatchObject({
        choice: { route: { index: 1, glob: 'claude-opus-*' } },
      });
    // The second glob of the same route.
    expect((await send('big-model')).text).toBe(anthropicKit.stream('from b'));
  });

  it('a model no route matches walks the default chain', async () => {
    const res = await send('claude-sonnet-4');
    expect(res.text).toBe(anthropicKit.stream('from a'));
    const { row } = await recorded(res);
    expect(row.route).toEqual({ route: null, affinity: null, weighted: null });
  });

  it("fails over inside the route's own order, a disabled provider skipped with its reason", async () => {
    up.b!.script = () => fail500;
    const res = await send('claude-opus-4');
    expect(res.text).toBe(anthropicKit.stream('from a'));
    const { attempts } = await recorded(res);
    expect(attempts.map((x) => [x.provider, x.outcome])).toEqual([
      ['b', 'failed'],
      ['a', 'committed'],
    ]);
    const haiku = await recorded(await send('claude-haiku-4'));
    expect(haiku.row.provider).toBe('c');
    expect(haiku.attempts.find((x) => x.provider === 'd')).toMatchObject({
      outcome: 'skipped',
      reason: 'not_servable: disabled',
    });
    // The default chain's providers that the route does not name are never tried.
    expect(haiku.attempts.map((x) => x.provider)).toEqual(['d', 'c']);
  });

  it('a route may name a provider of another format: used translated, the model name passing as is', async () => {
    up.c!.script = () => fail500;
    const res = await send('claude-haiku-4');
    expect(res.status).toBe(200);
    expect(res.text).toContain('from o');
    const { row, attempts } = await recorded(res);
    expect(row.provider).toBe('o');
    expect(row.translatedTo).toBe('openai-chat');
    expect(attempts.map((x) => [x.provider, x.outcome])).toEqual([
      ['d', 'skipped'],
      ['c', 'failed'],
      ['o', 'committed'],
    ]);
    expect((up.o!.last().json as { model: string }).model).toBe('claude-haiku-4');
  });

  it('a token count is not translated: a route provider of another format is skipped with why', async () => {
    up.c!.script = () => ({
      headers: { 'content-type': 'application/json' },
      chunks: ['{"input_tokens":7}'],
    });
    const res = await post(
      sluice.url,
      '/v1/messages/count_tokens',
      JSON.stringify({ model: 'claude-haiku-4', messages: [{ role: 'user', content: 'hi' }] }),
      anthropicKit.headers,
    );
    expect(JSON.parse(res.text)).toEqual({ input_tokens: 7 });
    const id = String(res.headers['x-sluice-request-id']);
    await sluice.row((r) => r.requestId === id);
    const skipped = sluice.app.attempts.forRequest(id).find((x) => x.provider === 'o');
    expect(skipped?.reason).toMatch(/^not_servable: count-tokens is not translated/);
  });
});
