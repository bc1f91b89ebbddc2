import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILTIN_PRICES } from '../../../../src/shared/builtin-prices';
import type { PriceRule } from '../../../../src/shared/pricing';
import { closeDatabase, openDatabase, type Database } from '../../../../src/main/store/schema/db';
import { createPricingRepo, type PricingRepo } from '../../../../src/main/store/write/pricing-repo';
import { createUsageQueries } from '../../../../src/main/store/read/usage-queries';
import { UsageWriter } from '../../../../src/main/store/write/usage-writer';
import { aFinish, aStart } from '../fixtures';
import { useTempDir } from '../temp-dir';

const tempDir = useTempDir();
let db: Database;
let pricing: PricingRepo;

beforeEach(() => {
  db = openDatabase(join(tempDir(), 'usage.db'));
  pricing = createPricingRepo(db);
});
afterEach(() => closeDatabase(db));

const rule = (over: Partial<PriceRule> = {}): PriceRule => ({
  modelPattern: 'claude-sonnet-4*',
  provider: null,
  abovePromptTokens: 0,
  inputPerMTok: 3,
  cacheReadPerMTok: 0.3,
  cacheWrite5mPerMTok: 3.75,
  cacheWrite1hPerMTok: 6,
  outputPerMTok: 15,
  ...over,
});

describe('pricing repo', () => {
  it('syncs the shipped list once, then only what changed', () => {
    expect(pricing.syncBuiltins(BUILTIN_PRICES, 1)).toEqual({ added: BUILTIN_PRICES.length, retired: 0 });
    expect(pricing.syncBuiltins(BUILTIN_PRICES, 2)).toEqual({ added: 0, retired: 0 });
    const changed = BUILTIN_PRICES.map((r) =>
      r.modelPattern === 'gpt-4o*' ? { ...r, outputPerMTok: 9 } : r,
    );
    const dropped = changed.filter((r) => r.modelPattern !== 'o1-pro*');
    expect(pricing.syncBuiltins(dropped, 3)).toEqual({ added: 1, retired: 2 });
    const active = pricing.active();
    expect(active).toHaveLength(dropped.length);
    expect(active.find((r) => r.modelPattern === 'gpt-4o*')).toMatchObject({
      outputPerMTok: 9,
      createdAt: 3,
    });
    expect(active.some((r) => r.modelPattern === 'o1-pro*')).toBe(false);
  });

  it('replaces a user rule for the same pattern, provider and tier, keeping the old row retired', () => {
    const first = pricing.putUserRule(rule(), 10);
    const other = pricing.putUserRule(rule({ provider: 'bedrock' }), 11);
    const second = pricing.putUserRule(rule({ inputPerMTok: 2 }), 12);
    expect(
      pricing
        .active()
        .map((r) => r.id)
        .sort(),
    ).toEqual([other.id, second.id].sort());
    expect(pricing.byId(first.id)).toMatchObject({ retiredAt: 12, inputPerMTok: 3, source: 'user' });
    expect(pricing.retire(second.id, 13)).toBe(true);
    expect(pricing.retire(second.id, 14)).toBe(false);
  });

  it('rejects a negative price', () => {
    expect(() => pricing.putUserRule(rule({ outputPerMTok: -1 }))).toThrow(/CHECK/);
  });

  it('rebuilds its book when another connection edits the table', () => {
    const other = openDatabase(join(tempDir(), 'usage.db'));
    expect(pricing.book().match('claude-sonnet-4-5', null, 0)).toBeNull();
    createPricingRepo(other).putUserRule(rule());
    expect(pricing.book().match('claude-sonnet-4-5', null, 0)?.inputPerMTok).toBe(3);
    closeDatabase(other);
  });
});

describe('cost at record time', () => {
  it('stores the cost and the rule with the row; a later price change leaves it as charged', () => {
    const writer = new UsageWriter(db);
    const old = pricing.putUserRule(rule(), 1);
    const tokens = {
      inputTokens: 1_000_000,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite5mTokens: null,
      cacheWrite1hTokens: null,
      outputTokens: 100_000,
      reasoningTokens: null,
    };
    const a = aStart();
    writer.requestStarted(a);
    writer.requestFinished(aFinish(a.requestId, { ...tokens, upstreamModel: 'claude-sonnet-4-5-20250929' }));
    writer.flush();
    const cheaper = pricing.putUserRule(rule({ inputPerMTok: 1 }), 2);
    const b = aStart();
    writer.requestStarted(b);
    writer.requestFinished(aFinish(b.requestId, { ...tokens, upstreamModel: 'claude-sonnet-4-5-20250929' }));
    writer.flush();
    const q = createUsageQueries(db);
    expect(q.getRequest(a.requestId)).toMatchObject({
      request: { costUsd: 3 + 1.5 },
      pricing: { id: old.id, retiredAt: 2 },
    });
    expect(q.getRequest(b.requestId)).toMatchObject({
      request: { costUsd: 1 + 1.5 },
      pricing: { id: cheaper.id },
    });
    writer.close();
  });

  it('prices by the requested model when the provider kept the name, and leaves an unknown model unpriced', () => {
    const writer = new UsageWriter(db);
    pricing.syncBuiltins(BUILTIN_PRICES);
    const known = aStart({ model: 'gpt-4o-mini' });
    const unknown = aStart({ model: 'my-local-llama' });
    for (const s of [known, unknown]) {
      writer.requestStarted(s);
      writer.requestFinished(
        aFinish(s.requestId, {
          upstreamModel: null,
          inputTokens: 1000,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          cacheWrite5mTokens: null,
          cacheWrite1hTokens: null,
          outputTokens: 1000,
        }),
      );
    }
    writer.flush();
    const q = createUsageQueries(db);
    expect(q.getRequest(known.requestId)?.request.costUsd).toBeCloseTo((1000 * 0.15 + 1000 * 0.6) / 1e6, 12);
    expect(q.getRequest(unknown.requestId)).toMatchObject({ request: { costUsd: null }, pricing: null });
    const [total] = q.summarize({ bucket: 'all', groupBy: 'none' });
    expect(total).toMatchObject({ requests: 2, unpricedRequests: 1 });
    writer.close();
  });
});
