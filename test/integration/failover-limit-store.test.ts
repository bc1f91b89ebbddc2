import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from '../../src/main/proxy/server';
import { nullLiveSink, systemClock, type UsageSink } from '../../src/main/proxy/ports';
import { MemoryLimitStore, type LimitState, type LimitStateStore } from '../../src/main/proxy/rate-limit';
import { ProviderSchema } from '../../src/shared/config';
import { SettingsSchema } from '../../src/shared/settings';
import type { AttemptRecord, RequestFinish } from '../../src/shared/usage';
import { ScriptedUpstream, post } from '../support/fault-upstream';
import { anthropicKit, chatKit, errorBodyMessage } from '../support/format-kits';

/**
 * rateLimitFailMode: what the gateway does when the limiter cannot decide (its state store throws, or
 * holds state no limiter could have written). `startApp` takes no store, so the Gateway is built here.
 */

/** A limiter store that fails, or holds state no limiter could have written. */
class BrokenStore implements LimitStateStore {
  constructor(private readonly mode: 'throw' | 'corrupt') {}
  get(): LimitState | undefined {
    if (this.mode === 'throw') throw new Error('limit store offline');
    return { tokens: Number.NaN, updatedAt: 0, inFlight: -3 };
  }
  set(): void {
    if (this.mode === 'throw') throw new Error('limit store offline');
  }
}

describe('a gateway with its own limiter store', () => {
  let up: ScriptedUpstream;
  const gateways: Gateway[] = [];

  beforeAll(async () => {
    up = await new ScriptedUpstream(() => ({ chunks: [chatKit.stream('ok')] })).start();
  });
  afterAll(async () => {
    for (const g of gateways) await g.close(100);
    await up.close();
  });

  async function gateway(
    failMode: 'open' | 'closed',
    store: LimitStateStore,
    limits: Record<string, unknown> = { rpm: 100 },
    more: Record<string, unknown> = {},
  ): Promise<{ url: string; finished: RequestFinish[]; attempts: AttemptRecord[] }> {
    const finished: RequestFinish[] = [];
    const attempts: AttemptRecord[] = [];
    const usage: UsageSink = {
      requestStarted() {},
      requestStreaming() {},
      attemptFinished: (a) => attempts.push(a),
      requestFinished: (f) => finished.push(f),
    };
    const settings = SettingsSchema.parse({ rateLimitFailMode: failMode, ...more });
    const providers = [
      ProviderSchema.parse({ id: 'oa', kind: 'openai', baseUrl: `${up.url}/v1`, ...limits }),
      ProviderSchema.parse({ id: 'an', kind: 'anthropic', baseUrl: up.url, ...limits }),
    ];
    const g = new Gateway({
      source: { settings: () => settings, providers: () => providers },
      usage,
      live: nullLiveSink,
      clock: systemClock,
      limitStore: store,
    });
    gateways.push(g);
    const port = await g.listen(0, '127.0.0.1');
    return { url: `http://127.0.0.1:${port}`, finished, attempts };
  }

  it.each(['throw', 'corrupt'] as const)(
    "'open' lets the request through when the store is %s",
    async (mode) => {
      const { url } = await gateway('open', new BrokenStore(mode));
      const before = up.requests.length;
      const res = await post(url, chatKit.path('m'), chatKit.body('m'), chatKit.headers);
      expect(res.status).toBe(200);
      expect(res.text).toBe(chatKit.stream('ok'));
      expect(up.requests.length).toBe(before + 1);
    },
  );

  it.each([
    ['throw', /limiter state unavailable: limit store offline/],
    ['corrupt', /corrupt/],
  ] as const)("'closed' refuses with a clear 503 when the store is %s", async (mode, why) => {
    const { url, finished } = await gateway('closed', new BrokenStore(mode));
    const before = up.requests.length;
    const res = await post(url, chatKit.path('m'), chatKit.body('m'), chatKit.headers);
    expect(res.status).toBe(503);
    const message = errorBodyMessage(chatKit, res.text);
    expect(message).toMatch(why);
    expect(message).toMatch(/rateLimitFailMode/);
    expect(res.headers['x-sluice-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers['x-sluice-attempts']).toBe('0');
    expect(up.requests.length).toBe(before);
    await expect.poll(() => finished.length).toBe(1);
    expect(finished[0]).toMatchObject({ status: 'failed', httpStatus: 503 });

    const anthropic = await post(url, anthropicKit.path('c'), anthropicKit.body('c'), anthropicKit.headers);
    expect(anthropic.status).toBe(503);
    expect(errorBodyMessage(anthropicKit, anthropic.text)).toMatch(why);
  });

  it("'closed' does not consult the store for a provider without limits", async () => {
    const { url } = await gateway('closed', new BrokenStore('throw'), {});
    const res = await post(url, chatKit.path('m'), chatKit.body('m'), chatKit.headers);
    expect(res.status).toBe(200);
  });

  it('rateLimitMaxWaitMs > 0: with the rpm bucket empty, the request waits for the next token and succeeds', async () => {
    const store = new MemoryLimitStore();
    const { url, attempts } = await gateway('closed', store, { rpm: 120 }, { rateLimitMaxWaitMs: 3_000 });
    // rpm 120: one token per 500 ms; none left now.
    store.set('oa', { tokens: 0, updatedAt: Date.now(), inFlight: 0 });
    const t0 = performance.now();
    const res = await post(url, chatKit.path('m'), chatKit.body('m'), chatKit.headers);
    expect(res.status).toBe(200);
    expect(res.text).toBe(chatKit.stream('ok'));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(400);
    await expect.poll(() => attempts.length).toBe(2);
    expect(attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ['oa', 'skipped'],
      ['oa', 'committed'],
    ]);
    expect(attempts[0]!.reason).toMatch(/^rate_limited.*rpm/);
  });

  it('rateLimitMaxWaitMs 0: with the rpm bucket empty, 429 with retry-after at once', async () => {
    const store = new MemoryLimitStore();
    store.set('oa', { tokens: 0, updatedAt: Date.now(), inFlight: 0 });
    const { url } = await gateway('closed', store, { rpm: 120 });
    const before = up.requests.length;
    const res = await post(url, chatKit.path('m'), chatKit.body('m'), chatKit.headers);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('1');
    expect(up.requests.length).toBe(before);
  });
});
