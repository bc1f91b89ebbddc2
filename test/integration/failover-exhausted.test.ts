import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import type { LiveEvent } from '../../src/shared/live-events';
import { ScriptedUpstream, pairProviders, post, type RawResponse } from '../support/fault-upstream';
import {
  KITS,
  anthropicKit,
  chatKit,
  errorBodyMessage,
  geminiKit,
  type FormatKit,
} from '../support/format-kits';
import { SDKS } from '../support/sdk-runners';
import { startSluice, type TestSluice } from '../support/sluice';

/**
 * When nothing works: the last upstream's own error (status and body as it sent them; more in
 * faithful-exhausted.test.ts), bounded attempts, clear 503s.
 */

function expectIdHeaders(res: RawResponse, attempts: number): void {
  expect(res.headers['x-sluice-request-id']).toMatch(/^[0-9a-f]{32}$/);
  expect(res.headers['x-sluice-attempts']).toBe(String(attempts));
}

describe('every candidate fails', () => {
  let a: ScriptedUpstream;
  let b: ScriptedUpstream;
  let sluice: TestSluice;

  beforeAll(async () => {
    a = await new ScriptedUpstream().start();
    b = await new ScriptedUpstream().start();
    sluice = await startSluice({
      providers: pairProviders(a, b),
      settings: { retryBaseDelayMs: 5, retryMaxDelayMs: 10, firstByteTimeoutMs: 1_000 },
    });
  });
  afterAll(async () => {
    await sluice.close();
    await a.close();
    await b.close();
  });
  beforeEach(() => {
    sluice.app.gateway.health.reset();
  });

  describe.each(KITS)('$format', (kit: FormatKit) => {
    const send = (): Promise<RawResponse> => post(sluice.url, kit.path('m'), kit.body('m'), kit.headers);

    it('answers the last upstream status and body after maxAttempts (4) attempts', async () => {
      a.script = () => ({
        status: 500,
        headers: { 'content-type': 'application/json' },
        chunks: ['{"e":"a"}'],
      });
      b.script = () => ({
        status: 503,
        headers: { 'content-type': 'application/json' },
        chunks: ['{"e":"b"}'],
      });
      const [aBefore, bBefore] = [a.requests.length, b.requests.length];
      const res = await send();
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toContain('application/json');
      expect(res.text).toBe('{"e":"b"}');
      expect(res.headers['x-sluice-summary']).toBe(`4 attempts failed; last: ${kit.kind}-b: http_status 503`);
      expectIdHeaders(res, 4);
      // A, B, then one more round over both after a backoff.
      expect(a.requests.length - aBefore).toBe(2);
      expect(b.requests.length - bBefore).toBe(2);
      const row = await sluice.row((r) => r.requestId === res.headers['x-sluice-request-id']);
      expect(row).toMatchObject({ status: 'failed', httpStatus: 503 });
      const attempts = sluice.app.attempts.forRequest(row.requestId);
      expect(attempts.map((x) => [x.provider, x.httpStatus])).toEqual([
        [`${kit.kind}-a`, 500],
        [`${kit.kind}-b`, 503],
        [`${kit.kind}-a`, 500],
        [`${kit.kind}-b`, 503],
      ]);
    });

    it("the official SDK raises an API error with the upstream status and the upstream's message", async () => {
      a.script = () => ({ status: 500, headers: { 'content-type': 'application/json' }, chunks: ['{}'] });
      b.script = () => ({
        status: 503,
        headers: { 'content-type': 'application/json' },
        chunks: [kit.jsonError('b is down for maintenance')],
      });
      const err = await SDKS[kit.format](sluice.url, 'm').then(
        () => null,
        (e: unknown) => e as { status?: unknown; message?: unknown },
      );
      expect(err).not.toBeNull();
      expect(err!.status).toBe(503);
      expect(String(err!.message)).toContain('b is down for maintenance');
    });

    // Regression: a failure found inside a 200 answer was once answered with that 200 (SDKs saw success).
    it('never answers 2xx when the last failure happened inside a 200 stream', async () => {
      a.script = () => ({ chunks: [kit.preamble(), kit.errorEvent('overloaded')] });
      b.script = () => ({ chunks: [] });
      const res = await send();
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(errorBodyMessage(kit, res.text)).toMatch(/empty_body/);
      expectIdHeaders(res, 4);
    });
  });

  it('the openai SDK raises when every candidate failed inside a 200 stream', async () => {
    a.script = () => ({ chunks: [chatKit.errorEvent('overloaded')] });
    b.script = () => ({ chunks: [chatKit.errorEvent('overloaded')] });
    const client = new OpenAI({ baseURL: `${sluice.url}/v1`, apiKey: 'sk', maxRetries: 0 });
    const run = async (): Promise<void> => {
      const stream = await client.chat.completions.create({ model: 'm', messages: [], stream: true });
      for await (const _ of stream) {
        // drain
      }
    };
    await expect(run()).rejects.toThrow();
  });

  it('does not retry a provider whose credentials were refused within the same request', async () => {
    a.script = () => ({ status: 401, headers: { 'content-type': 'application/json' }, chunks: ['{}'] });
    b.script = () => ({ status: 500, headers: { 'content-type': 'application/json' }, chunks: ['{}'] });
    const [aBefore, bBefore] = [a.requests.length, b.requests.length];
    const res = await post(sluice.url, chatKit.path('m'), chatKit.body('m'), chatKit.headers);
    expect(res.status).toBe(500);
    expectIdHeaders(res, 4);
    expect(a.requests.length - aBefore).toBe(1);
    expect(b.requests.length - bBefore).toBe(3);
  });

  it('carries the id headers on a client mistake returned as is', async () => {
    a.script = () => ({
      status: 422,
      headers: { 'content-type': 'application/json' },
      chunks: ['{"bad":1}'],
    });
    const res = await post(sluice.url, chatKit.path('m'), chatKit.body('m'), chatKit.headers);
    expect(res.status).toBe(422);
    expectIdHeaders(res, 1);
  });
});

describe('no usable provider', () => {
  let sluice: TestSluice;
  let up: ScriptedUpstream;

  beforeAll(async () => {
    up = await new ScriptedUpstream(() => ({ chunks: [anthropicKit.stream('x')] })).start();
    sluice = await startSluice({
      providers: [
        { id: 'g-off', kind: 'gemini', baseUrl: up.url, enabled: false },
        { id: 'claude-only', kind: 'anthropic', baseUrl: up.url, allowModels: ['claude-*'] },
      ],
    });
  });
  afterAll(async () => {
    await sluice.close();
    await up.close();
  });

  it('503 naming the missing kind when no provider serves the format', async () => {
    const res = await post(sluice.url, chatKit.path('m'), chatKit.body('m'), chatKit.headers);
    expect(res.status).toBe(503);
    expect(errorBodyMessage(chatKit, res.text)).toMatch(/no provider of kind "openai"/);
    expectIdHeaders(res, 0);
    const row = await sluice.row((r) => r.requestId === res.headers['x-sluice-request-id']);
    expect(row).toMatchObject({ status: 'failed', httpStatus: 503 });
  });

  it('503 saying the providers are disabled', async () => {
    const res = await post(
      sluice.url,
      geminiKit.path('gemini-x'),
      geminiKit.body('gemini-x'),
      geminiKit.headers,
    );
    expect(res.status).toBe(503);
    expect(errorBodyMessage(geminiKit, res.text)).toMatch(/g-off.*disabled/);
    expectIdHeaders(res, 0);
  });

  it('503 naming the skipped provider and why, with a live attempt-skipped event', async () => {
    const events: LiveEvent[] = [];
    const unsubscribe = sluice.app.live.subscribe((batch) => events.push(...batch));
    const res = await post(
      sluice.url,
      anthropicKit.path('gpt-4o'),
      anthropicKit.body('gpt-4o'),
      anthropicKit.headers,
    );
    expect(res.status).toBe(503);
    expect(errorBodyMessage(anthropicKit, res.text)).toMatch(/claude-only \(model_not_allowed\)/);
    expectIdHeaders(res, 0);
    const id = String(res.headers['x-sluice-request-id']);
    await expect
      .poll(() => events.find((e) => e.type === 'attempt-skipped' && e.requestId === id))
      .toMatchObject({ provider: 'claude-only', reason: 'model_not_allowed' });
    unsubscribe();
    await sluice.row((r) => r.requestId === id);
    expect(sluice.app.attempts.forRequest(id)).toEqual([
      expect.objectContaining({ provider: 'claude-only', phase: 'skipped', outcome: 'skipped' }),
    ]);
    expect(up.requests.length).toBe(0);
  });
});

describe('maxAttempts, backoff and candidate order', () => {
  let up: ScriptedUpstream;
  let sluice: TestSluice;
  const BASE = 80;

  beforeAll(async () => {
    up = await new ScriptedUpstream(() => ({
      status: 500,
      headers: { 'content-type': 'application/json' },
      chunks: ['{}'],
    })).start();
    const at = (id: string, kind: string, priority: number, extra = {}): Record<string, unknown> => ({
      id,
      kind,
      baseUrl: kind === 'openai' ? `${up.url}/v1` : up.url,
      priority,
      ...extra,
    });
    sluice = await startSluice({
      providers: [
        at('an-5', 'anthropic', 5),
        at('an-1x', 'anthropic', 1),
        at('an-off', 'anthropic', 0, { enabled: false }),
        at('an-1y', 'anthropic', 1),
        at('solo', 'gemini', 1),
        at('oa-1', 'openai', 1),
        at('oa-2', 'openai', 2),
      ],
      settings: {
        maxAttempts: 3,
        retryBaseDelayMs: BASE,
        retryMaxDelayMs: 10_000,
        circuitConsecutiveFailures: 1000,
      },
    });
  });
  afterAll(async () => {
    await sluice.close();
    await up.close();
  });

  async function attemptProviders(res: RawResponse): Promise<string[]> {
    const id = String(res.headers['x-sluice-request-id']);
    await sluice.row((r) => r.requestId === id);
    return sluice.app.attempts.forRequest(id).map((x) => x.provider);
  }

  it('tries candidates by priority, ties in config order, disabled ones never', async () => {
    sluice.app.gateway.health.reset();
    const res = await post(sluice.url, anthropicKit.path('c'), anthropicKit.body('c'), anthropicKit.headers);
    expect(res.status).toBe(500);
    expectIdHeaders(res, 3);
    expect(await attemptProviders(res)).toEqual(['an-1x', 'an-1y', 'an-5']);
  });

  it('bounds the attempts by maxAttempts across providers and rounds', async () => {
    sluice.app.gateway.health.reset();
    const res = await post(sluice.url, chatKit.path('m'), chatKit.body('m'), chatKit.headers);
    expectIdHeaders(res, 3);
    expect(await attemptProviders(res)).toEqual(['oa-1', 'oa-2', 'oa-1']);
  });

  it('retries the same provider only after an exponential backoff', async () => {
    sluice.app.gateway.health.reset();
    const before = up.requests.length;
    const res = await post(sluice.url, geminiKit.path('g'), geminiKit.body('g'), geminiKit.headers);
    expect(res.status).toBe(500);
    expectIdHeaders(res, 3);
    const times = up.requests.slice(before).map((r) => r.arrivedAt);
    expect(times).toHaveLength(3);
    const gaps = [times[1]! - times[0]!, times[2]! - times[1]!];
    expect(gaps[0]).toBeGreaterThanOrEqual(BASE - 5);
    expect(gaps[1]).toBeGreaterThanOrEqual(2 * BASE - 5);
    expect(gaps[1]).toBeLessThan(2 * BASE * 1.5 + 1_000);
  });
});
