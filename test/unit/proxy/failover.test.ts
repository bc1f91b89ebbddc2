import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../../src/main/proxy/failover';
import { candidatesFor, modelAllowed, noProviderMessage } from '../../../src/main/proxy/candidates';
import { isRetryableStatus } from '../../../src/main/proxy/attempt';
import { ProviderSchema, type ProviderConfig } from '../../../src/shared/config';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';

function p(id: string, kind: ProviderConfig['kind'], extra: Record<string, unknown> = {}): ProviderConfig {
  return ProviderSchema.parse({ id, kind, baseUrl: 'http://127.0.0.1:1', ...extra });
}

const ids = (list: readonly ProviderConfig[]): string[] => list.map((x) => x.id);

describe('candidatesFor', () => {
  it('keeps enabled providers of the format kind, lowest priority first', () => {
    const providers = [
      p('a-late', 'anthropic', { priority: 9 }),
      p('o', 'openai', { priority: 0 }),
      p('a-off', 'anthropic', { priority: 0, enabled: false }),
      p('a-first', 'anthropic', { priority: -3 }),
      p('g', 'gemini'),
      p('a-mid', 'anthropic', { priority: 5 }),
    ];
    expect(ids(candidatesFor('anthropic', providers))).toEqual(['a-first', 'a-mid', 'a-late']);
    expect(ids(candidatesFor('gemini', providers))).toEqual(['g']);
  });

  it('serves both OpenAI formats from openai providers', () => {
    const providers = [
      p('o2', 'openai', { priority: 2 }),
      p('o1', 'openai', { priority: 1 }),
      p('a', 'anthropic'),
    ];
    expect(ids(candidatesFor('openai-chat', providers))).toEqual(['o1', 'o2']);
    expect(ids(candidatesFor('openai-responses', providers))).toEqual(['o1', 'o2']);
  });

  it('ties keep config order, for many ties interleaved with other priorities', () => {
    const providers = Array.from({ length: 40 }, (_, i) => p(`o${i}`, 'openai', { priority: i % 3 }));
    const expected = [0, 1, 2].flatMap((prio) =>
      providers.filter((x) => x.priority === prio).map((x) => x.id),
    );
    expect(ids(candidatesFor('openai-chat', providers))).toEqual(expected);
  });

  it('defaults the priority to 100 and does not reorder the input', () => {
    const providers = [
      p('d1', 'gemini'),
      p('low', 'gemini', { priority: 100 }),
      p('hi', 'gemini', { priority: 99 }),
    ];
    const copy = [...providers];
    expect(ids(candidatesFor('gemini', providers))).toEqual(['hi', 'd1', 'low']);
    expect(providers).toEqual(copy);
  });

  it('is empty when nothing serves the kind', () => {
    expect(candidatesFor('anthropic', [p('o', 'openai'), p('a', 'anthropic', { enabled: false })])).toEqual(
      [],
    );
  });
});

describe('modelAllowed', () => {
  it('allows everything when the list is absent', () => {
    expect(modelAllowed(undefined, 'anything')).toBe(true);
    expect(modelAllowed(undefined, null)).toBe(true);
  });

  it('needs a model when there is a list, and an empty list allows nothing', () => {
    expect(modelAllowed(['*'], null)).toBe(false);
    expect(modelAllowed([], 'gpt-4o')).toBe(false);
  });

  it('matches exact names exactly', () => {
    expect(modelAllowed(['gpt-4o'], 'gpt-4o')).toBe(true);
    expect(modelAllowed(['gpt-4o'], 'gpt-4o-mini')).toBe(false);
    expect(modelAllowed(['gpt-4o'], 'GPT-4o')).toBe(false);
  });

  it('matches * globs anywhere in the name, anchored at both ends', () => {
    expect(modelAllowed(['claude-*'], 'claude-sonnet-4-5')).toBe(true);
    expect(modelAllowed(['claude-*'], 'my-claude-x')).toBe(false);
    expect(modelAllowed(['*-mini'], 'gpt-4o-mini')).toBe(true);
    expect(modelAllowed(['*-mini'], 'gpt-4o-mini-2024')).toBe(false);
    expect(modelAllowed(['gemini-*-flash*'], 'gemini-2.5-flash-lite')).toBe(true);
    expect(modelAllowed(['*'], '')).toBe(true);
  });

  it('treats regex metacharacters in patterns literally', () => {
    expect(modelAllowed(['gpt-4.1*'], 'gpt-4.1-mini')).toBe(true);
    expect(modelAllowed(['gpt-4.1*'], 'gpt-4x1-mini')).toBe(false);
    expect(modelAllowed(['a+b*'], 'a+b-1')).toBe(true);
    expect(modelAllowed(['a+b*'], 'aab-1')).toBe(false);
    expect(modelAllowed(['(x)|y*'], '(x)|y2')).toBe(true);
    expect(modelAllowed(['(x)|y*'], 'y2')).toBe(false);
    expect(modelAllowed(['models/[a]*'], 'models/[a]b')).toBe(true);
    expect(modelAllowed(['models/[a]*'], 'models/ab')).toBe(false);
  });

  it('any matching entry is enough', () => {
    expect(modelAllowed(['x', 'claude-*', 'y'], 'claude-3')).toBe(true);
  });
});

describe('backoffMs', () => {
  it('starts at the base and doubles per round (no jitter)', () => {
    const none = (): number => 0;
    expect([1, 2, 3, 4].map((r) => backoffMs(r, 250, 100_000, none))).toEqual([250, 500, 1_000, 2_000]);
  });

  it('adds at most 50 % jitter, never less than the plain delay', () => {
    expect(backoffMs(1, 200, 10_000, () => 1)).toBe(300);
    expect(backoffMs(2, 200, 10_000, () => 0.5)).toBe(500);
    for (let i = 0; i < 200; i++) {
      const ms = backoffMs(3, 100, 10_000);
      expect(ms).toBeGreaterThanOrEqual(400);
      expect(ms).toBeLessThanOrEqual(600);
    }
  });

  it('a zero base means no wait', () => {
    expect(backoffMs(5, 0, 1_000, () => 1)).toBe(0);
  });

  it('never exceeds retryMaxDelayMs, jitter included', () => {
    expect(backoffMs(10, 250, 4_000, () => 1)).toBeLessThanOrEqual(4_000);
  });

  it('caps the exponential part at the maximum', () => {
    expect(backoffMs(30, 250, 4_000, () => 0)).toBe(4_000);
    expect(backoffMs(2, 250, DEFAULT_SETTINGS.retryMaxDelayMs, () => 0)).toBe(500);
  });
});

describe('noProviderMessage', () => {
  it('says which kind to add when none exists', () => {
    const msg = noProviderMessage('openai-responses', [p('a', 'anthropic')]);
    expect(msg).toMatch(/no provider of kind "openai"/);
    expect(msg).toMatch(/openai-responses/);
  });

  it('names the disabled providers of the kind', () => {
    const msg = noProviderMessage('gemini', [
      p('g1', 'gemini', { enabled: false }),
      p('g2', 'gemini', { enabled: false }),
    ]);
    expect(msg).toMatch(/g1, g2/);
    expect(msg).toMatch(/disabled/);
  });
});

describe('isRetryableStatus', () => {
  it.each([401, 403, 408, 409, 429, 500, 502, 503, 504, 529])('%i moves on to the next candidate', (s) => {
    expect(isRetryableStatus(s)).toBe(true);
  });

  it.each([400, 404, 413, 422])("%i is the client's own and goes back as is", (s) => {
    expect(isRetryableStatus(s)).toBe(false);
  });
});
