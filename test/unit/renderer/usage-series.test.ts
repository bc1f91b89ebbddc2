import { describe, expect, it } from 'vitest';
import {
  bucketStarts,
  errorRateSeries,
  MAX_GROUPS,
  stackSeries,
  toSeries,
  totalOf,
  ttfbHistogram,
} from '../../../src/renderer/src/features/usage/usage-series';
import type { SummaryRow } from '../../../src/shared/usage-query';

const row = (
  bucketStartMs: number | null,
  key: string | null,
  over: Partial<SummaryRow> = {},
): SummaryRow => ({
  bucketStartMs,
  bucketStart: bucketStartMs === null ? null : new Date(bucketStartMs).toISOString(),
  key,
  requests: 1,
  completed: 1,
  failed: 0,
  aborted: 0,
  interrupted: 0,
  errors: 0,
  inputTokens: 10,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  outputTokens: 5,
  reasoningTokens: 0,
  costUsd: 0.01,
  unpricedRequests: 0,
  ttfbP50Ms: 100,
  ttfbP95Ms: 200,
  ...over,
});

describe('usage series', () => {
  it('makes one column per group over every bucket, zero where a group had nothing', () => {
    const s = toSeries(
      [row(3_600_000, 'a'), row(0, 'b', { inputTokens: 100 }), row(3_600_000, 'b')],
      'tokens',
    );
    expect(s.xs).toEqual([0, 3600]);
    expect(s.series).toEqual([
      { label: 'b', values: [105, 15] },
      { label: 'a', values: [0, 15] },
    ]);
  });

  it('folds the smallest groups into "other"', () => {
    const rows = Array.from({ length: MAX_GROUPS + 3 }, (_v, i) => row(0, `m${i}`, { requests: i + 1 }));
    const s = toSeries(rows, 'requests');
    expect(s.series).toHaveLength(MAX_GROUPS);
    expect(s.series.at(-1)).toEqual({ label: 'other', values: [1 + 2 + 3 + 4] });
    expect(s.series[0]?.label).toBe(`m${MAX_GROUPS + 2}`);
  });

  it('computes the error rate per bucket over all groups', () => {
    const s = errorRateSeries([
      row(0, 'a', { requests: 4, errors: 1 }),
      row(0, 'b', { requests: 4, errors: 1 }),
      row(1000, 'a', { requests: 0 }),
    ]);
    expect(s.series[0]?.values).toEqual([0.25, null]);
  });

  it('totals rows and buckets TTFBs', () => {
    const t = totalOf([
      row(null, null, { requests: 2, costUsd: 1 }),
      row(null, null, { requests: 3, costUsd: 2 }),
    ]);
    expect(t).toMatchObject({ requests: 5, costUsd: 3, ttfbP50Ms: null });
    expect(totalOf([row(null, null)]).ttfbP50Ms).toBe(100);
    const h = ttfbHistogram([50, 150, 150, 999, 40_000]);
    expect(h.counts[0]).toBe(1);
    expect(h.counts[1]).toBe(2);
    expect(h.counts[5]).toBe(1);
    expect(h.counts.at(-1)).toBe(1);
  });
});

describe('usage buckets and stacking', () => {
  it('lists every hour of the range on the store’s alignment', () => {
    const h = 3_600_000;
    expect(bucketStarts(10 * h + 5, 13 * h + 10, 'hour', 11 * h)).toEqual([10 * h, 11 * h, 12 * h, 13 * h]);
    expect(bucketStarts(10 * h + 5, 13 * h + 10, 'hour', null)).toEqual([10 * h, 11 * h, 12 * h, 13 * h]);
  });

  it('lists every local day from midnight to midnight', () => {
    const since = new Date(2026, 2, 1, 15).getTime();
    const until = new Date(2026, 2, 4, 9).getTime();
    expect(bucketStarts(since, until, 'day', null).map((t) => new Date(t).getDate())).toEqual([1, 2, 3, 4]);
    expect(bucketStarts(since, until, 'day', null).every((t) => new Date(t).getHours() === 0)).toBe(true);
  });

  it('fills empty buckets with zeros and stacks series', () => {
    const s = toSeries([row(7_200_000, 'a')], 'requests', [0, 3_600_000, 7_200_000]);
    expect(s.xs).toEqual([0, 3600, 7200]);
    expect(s.series[0]?.values).toEqual([0, 0, 1]);
    expect(errorRateSeries([row(0, 'a')], [0, 3_600_000]).series[0]?.values).toEqual([0, null]);
    expect(
      stackSeries([
        [1, 2],
        [3, null],
        [1, 1],
      ]),
    ).toEqual([
      [1, 2],
      [4, 2],
      [5, 3],
    ]);
  });
});
