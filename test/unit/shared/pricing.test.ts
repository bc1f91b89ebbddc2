import { describe, expect, it } from 'vitest';
import { BUILTIN_PRICES } from '../../../src/shared/builtin-prices';
import {
  costUsd,
  createPriceBook,
  normalizeModelName,
  type PriceRule,
  type StoredPriceRule,
} from '../../../src/shared/pricing';
import { EMPTY_USAGE } from '../../../src/shared/usage';

let nextId = 1;
function stored(
  rule: Partial<PriceRule> & { modelPattern: string },
  source: 'builtin' | 'user' = 'builtin',
): StoredPriceRule {
  return {
    provider: null,
    abovePromptTokens: 0,
    inputPerMTok: 1,
    cacheReadPerMTok: null,
    cacheWrite5mPerMTok: null,
    cacheWrite1hPerMTok: null,
    outputPerMTok: 2,
    ...rule,
    id: nextId++,
    source,
    createdAt: 0,
    retiredAt: null,
  };
}

const builtinBook = createPriceBook(BUILTIN_PRICES.map((r) => stored(r)));

function priceOf(model: string, prompt = 0): [number, number] | null {
  const r = builtinBook.match(model, null, prompt);
  return r === null ? null : [r.inputPerMTok, r.outputPerMTok];
}

describe('normalizeModelName', () => {
  it('drops vendor prefixes, lower-cases and reads dots between digits as dashes', () => {
    expect(normalizeModelName('models/gemini-2.5-Pro')).toBe('gemini-2-5-pro');
    expect(normalizeModelName('anthropic/claude-sonnet-4.5')).toBe('claude-sonnet-4-5');
    expect(normalizeModelName('gpt-4o')).toBe('gpt-4o');
  });
});

describe('the shipped price list', () => {
  it('prices the common models of each vendor, the most specific pattern winning', () => {
    expect(priceOf('claude-sonnet-4-5-20250929')).toEqual([3, 15]);
    expect(priceOf('claude-opus-4-1-20250805')).toEqual([15, 75]);
    expect(priceOf('claude-opus-4-5-20251101')).toEqual([5, 25]);
    expect(priceOf('claude-haiku-4-5')).toEqual([1, 5]);
    expect(priceOf('claude-3-5-haiku-latest')).toEqual([0.8, 4]);
    expect(priceOf('gpt-4o-mini-2024-07-18')).toEqual([0.15, 0.6]);
    expect(priceOf('gpt-4o')).toEqual([2.5, 10]);
    expect(priceOf('gpt-5-mini')).toEqual([0.25, 2]);
    expect(priceOf('gpt-5.1-codex-mini')).toEqual([0.25, 2]);
    expect(priceOf('gpt-5-codex')).toEqual([1.25, 10]);
    expect(priceOf('o4-mini')).toEqual([1.1, 4.4]);
    expect(priceOf('models/gemini-2.5-flash')).toEqual([0.3, 2.5]);
    expect(priceOf('gemini-2.5-flash-lite')).toEqual([0.1, 0.4]);
    expect(priceOf('gemini-2.0-flash')).toEqual([0.1, 0.4]);
    expect(priceOf('llama-3-70b')).toBeNull();
  });

  it('applies the long-prompt tier above its threshold', () => {
    expect(priceOf('gemini-2.5-pro', 200_000)).toEqual([1.25, 10]);
    expect(priceOf('gemini-2.5-pro', 200_001)).toEqual([2.5, 15]);
    expect(priceOf('claude-sonnet-4-5', 250_000)).toEqual([6, 22.5]);
  });

  it('derives Anthropic cache prices from input: reads 0.1×, 5-minute writes 1.25×, 1-hour writes 2×', () => {
    const r = builtinBook.match('claude-sonnet-4-5', null, 0)!;
    expect([r.cacheReadPerMTok, r.cacheWrite5mPerMTok, r.cacheWrite1hPerMTok]).toEqual([0.3, 3.75, 6]);
  });

  it('holds no two rules for the same pattern and tier', () => {
    const keys = BUILTIN_PRICES.map((r) => `${r.modelPattern}@${r.abovePromptTokens}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('createPriceBook', () => {
  it('prefers a user rule over a shipped one, and a provider-bound rule over both', () => {
    const book = createPriceBook([
      stored({ modelPattern: 'gpt-4o*', inputPerMTok: 2.5 }),
      stored({ modelPattern: 'gpt-4o*', inputPerMTok: 2 }, 'user'),
      stored({ modelPattern: 'gpt-*', provider: 'azure', inputPerMTok: 0 }, 'user'),
    ]);
    expect(book.match('gpt-4o', 'openai', 0)?.inputPerMTok).toBe(2);
    expect(book.match('gpt-4o', 'azure', 0)?.inputPerMTok).toBe(0);
  });

  it('ignores retired rules and matches nothing for a null model', () => {
    const book = createPriceBook([{ ...stored({ modelPattern: 'm*' }), retiredAt: 5 }]);
    expect(book.match('model', null, 0)).toBeNull();
    expect(createPriceBook([stored({ modelPattern: '*' })]).match(null, null, 0)).toBeNull();
  });

  it('treats regex characters in patterns literally', () => {
    const book = createPriceBook([stored({ modelPattern: 'a+b(c)' })]);
    expect(book.match('a+b(c)', null, 0)).not.toBeNull();
    expect(book.match('aab(c)', null, 0)).toBeNull();
  });
});

describe('costUsd', () => {
  const rule: PriceRule = {
    modelPattern: 'x',
    provider: null,
    abovePromptTokens: 0,
    inputPerMTok: 3,
    cacheReadPerMTok: 0.3,
    cacheWrite5mPerMTok: 3.75,
    cacheWrite1hPerMTok: 6,
    outputPerMTok: 15,
  };

  it('prices each kind of token at its own rate, per million', () => {
    const usage = {
      ...EMPTY_USAGE,
      inputTokens: 1_000_000,
      cacheReadTokens: 1_000_000,
      cacheWriteTokens: 3_000_000,
      cacheWrite5mTokens: 1_000_000,
      cacheWrite1hTokens: 1_000_000, // the third million is unsplit and billed as 5-minute writes
      outputTokens: 1_000_000,
      reasoningTokens: 500_000, // inside output already
    };
    expect(costUsd(rule, usage)).toBeCloseTo(3 + 0.3 + 3.75 + 6 + 3.75 + 15, 9);
  });

  it('bills cache tokens at the input price when the rule names no cache price', () => {
    const plain = { ...rule, cacheReadPerMTok: null, cacheWrite5mPerMTok: null, cacheWrite1hPerMTok: null };
    expect(costUsd(plain, { ...EMPTY_USAGE, cacheReadTokens: 1_000_000, cacheWriteTokens: 1_000_000 })).toBe(
      6,
    );
  });

  it('is null when no token count is known, 0 for zero tokens', () => {
    expect(costUsd(rule, EMPTY_USAGE)).toBeNull();
    expect(costUsd(rule, { ...EMPTY_USAGE, outputTokens: 0 })).toBe(0);
  });
});
