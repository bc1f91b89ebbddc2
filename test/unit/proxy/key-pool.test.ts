import { describe, expect, it } from 'vitest';
import { ProviderSchema } from '../../../src/shared/config';
import { SettingsSchema } from '../../../src/shared/settings';
import { adapterFor } from '../../../src/formats';
import { KeyPool, servedKey } from '../../../src/main/proxy/key-pool';
import { keyFingerprint } from '../../../src/main/proxy/key-fingerprint';

const s = SettingsSchema.parse({ keyBenchMs: 10_000, keyCooldownMs: 2_000, maxCooldownMs: 5_000 });
const provider = (keys: string[]) =>
  ProviderSchema.parse({ id: 'p', kind: 'openai', baseUrl: 'https://h/v1', apiKeys: keys });
const fail = (
  status: number,
  code: 'http_status' | 'quota_exhausted' = 'http_status',
  retryAfterMs: number | null = null,
) => ({
  failure: { code, status },
  status,
  retryAfterMs,
  bodyHead: '{"error":"no"}',
});

describe('KeyPool', () => {
  it('takes turns, benches a refused key for keyBenchMs and cools a 429 for its Retry-After (capped)', () => {
    let now = 0;
    const pool = new KeyPool(() => now);
    const p = provider(['k1', 'k2', 'k3']);
    const none = new Set<string>();
    expect([1, 2, 3, 4].map(() => pool.pick(p, none)?.key)).toEqual(['k1', 'k2', 'k3', 'k1']);
    expect(pool.failed(p, keyFingerprint('k2'), s, fail(403))).toBe('benched');
    expect(pool.failed(p, keyFingerprint('k3'), s, fail(429, 'http_status', 60_000))).toBe('cooled');
    expect(pool.failed(p, keyFingerprint('k1'), s, fail(500))).toBe('none');
    expect([1, 2].map(() => pool.pick(p, none)?.key)).toEqual(['k1', 'k1']);
    now = 5_001; // the 429's wait was capped at maxCooldownMs
    expect(pool.view(p).map((k) => k.unusableForMs)).toEqual([0, 4_999, 0]);
    expect(pool.pick(p, none)?.key).toBe('k3');
    now = 10_001;
    expect(pool.hasUsable(p, new Set([keyFingerprint('k1'), keyFingerprint('k3')]))).toBe(true);
    expect(pool.view(p).map((k) => [k.requests, k.errors])).toEqual([
      [4, 1],
      [1, 1],
      [2, 1],
    ]);
  });

  it("never benches a lone key: its failures are the provider's, and it is tried again next time", () => {
    const pool = new KeyPool(() => 0);
    const p = provider(['only']);
    expect(pool.failed(p, keyFingerprint('only'), s, fail(401))).toBe('none');
    expect(pool.pick(p, new Set())?.key).toBe('only');
    expect(pool.pick(p, new Set([keyFingerprint('only')]))).toBeNull();
  });

  it('prefers the key named (affinity) while it is usable, and forgets keys no longer configured', () => {
    const pool = new KeyPool(() => 0);
    const p = provider(['k1', 'k2']);
    expect(pool.pick(p, new Set(), keyFingerprint('k2'))?.key).toBe('k2');
    pool.failed(p, keyFingerprint('k2'), s, fail(401));
    expect(pool.pick(p, new Set(), keyFingerprint('k2'))?.key).toBe('k1');
    expect(pool.soonestMs(p)).toBe(0);
    expect(pool.view(provider(['k1', 'k9'])).map((k) => [k.fingerprint, k.requests])).toEqual([
      [keyFingerprint('k1'), 1],
      [keyFingerprint('k9'), 0],
    ]);
  });
});

describe('quota answers, as each format reads its own', () => {
  const q = (format: Parameters<typeof adapterFor>[0], status: number, body: unknown): boolean =>
    adapterFor(format).isQuotaExhausted(status, JSON.stringify(body));

  it('OpenAI (Chat and Responses): insufficient_quota, not a rate limit', () => {
    for (const f of ['openai-chat', 'openai-responses'] as const) {
      expect(
        q(f, 429, { error: { type: 'insufficient_quota', code: 'insufficient_quota', message: 'quota' } }),
      ).toBe(true);
      expect(q(f, 429, { error: { type: 'requests', code: 'rate_limit_exceeded', message: 'slow' } })).toBe(
        false,
      );
    }
  });

  it('Anthropic: a low credit balance (400) or a billing_error, not any other 400', () => {
    const low = 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing.';
    expect(
      q('anthropic', 400, { type: 'error', error: { type: 'invalid_request_error', message: low } }),
    ).toBe(true);
    expect(q('anthropic', 402, { type: 'error', error: { type: 'billing_error', message: 'pay' } })).toBe(
      true,
    );
    expect(
      q('anthropic', 400, { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens' } }),
    ).toBe(false);
    expect(q('anthropic', 429, { type: 'error', error: { type: 'rate_limit_error', message: 'slow' } })).toBe(
      false,
    );
  });

  it('Gemini: RESOURCE_EXHAUSTED on a per-day quota, not on a per-minute one', () => {
    const body = (quotaId: string) => ({
      error: {
        code: 429,
        status: 'RESOURCE_EXHAUSTED',
        message: 'You exceeded your current quota',
        details: [{ '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaId }] }],
      },
    });
    expect(q('gemini', 429, body('GenerateRequestsPerDayPerProjectPerModel-FreeTier'))).toBe(true);
    expect(q('gemini', 429, [body('GenerateRequestsPerDayPerProjectPerModel-FreeTier')])).toBe(true);
    expect(q('gemini', 429, body('GenerateRequestsPerMinutePerProjectPerModel-FreeTier'))).toBe(false);
    expect(
      q('gemini', 429, { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'exhausted' } }),
    ).toBe(false);
  });
});

describe('servedKey', () => {
  it("names an attempt's key by fingerprint, or null for the client's own credentials", () => {
    expect(servedKey({ apiKey: 'k1' })).toBe(keyFingerprint('k1'));
    expect(servedKey({})).toBeNull();
  });
});
