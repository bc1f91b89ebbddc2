import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILTIN_PRICES } from '../../../../src/shared/builtin-prices';
import type { UsageRow } from '../../../../src/shared/usage';
import type { SummaryQuery, SummaryRow } from '../../../../src/shared/usage-query';
import { closeDatabase, openDatabase, type Database } from '../../../../src/main/store/schema/db';
import { createPricingRepo } from '../../../../src/main/store/write/pricing-repo';
import { createRequestsRepo } from '../../../../src/main/store/write/requests-repo';
import { createRollupRepo } from '../../../../src/main/store/write/rollup-repo';
import { TTFB_BOUNDS_MS } from '../../../../src/main/store/schema/ttfb-histogram';
import { createUsageQueries, type UsageQueries } from '../../../../src/main/store/read/usage-queries';
import { UsageWriter } from '../../../../src/main/store/write/usage-writer';
import { useTempDir } from '../temp-dir';
import { writeSyntheticRequests } from '../usage-data';

const tempDir = useTempDir();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2025, 2, 1); // midnight UTC
let db: Database;
let q: UsageQueries;
let rows: UsageRow[];

beforeEach(() => {
  db = openDatabase(join(tempDir(), 'usage.db'));
  createPricingRepo(db).syncBuiltins(BUILTIN_PRICES);
  const writer = new UsageWriter(db);
  writeSyntheticRequests(writer, { count: 3000, fromMs: T0, spanMs: 3 * DAY, seed: 7, open: 40 });
  writer.close();
  q = createUsageQueries(db);
  rows = q.listRequests({ limit: 1e9 });
});
afterEach(() => closeDatabase(db));

type Key = (r: UsageRow) => string | null;

/** The summary computed the slow, obvious way from the raw rows. */
function bruteForce(
  query: SummaryQuery,
  bucketOf: (ms: number) => number | null,
  keyOf: Key,
  keep: (r: UsageRow) => boolean,
): Map<string, Partial<SummaryRow>> {
  const out = new Map<string, Partial<SummaryRow> & { requests: number }>();
  for (const r of rows) {
    if (!keep(r)) continue;
    const at = Date.parse(r.startedAt);
    if (at < (query.sinceMs ?? -Infinity) || at >= (query.untilMs ?? Infinity)) continue;
    if (r.status === 'pending' || r.status === 'streaming') continue;
    const id = `${bucketOf(at)}|${keyOf(r)}`;
    const acc = out.get(id) ?? {
      requests: 0,
      failed: 0,
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      costUsd: 0,
    };
    acc.requests++;
    acc.failed! += r.status === 'failed' ? 1 : 0;
    acc.inputTokens! += r.inputTokens ?? 0;
    acc.outputTokens! += r.outputTokens ?? 0;
    acc.cacheReadTokens! += r.cacheReadTokens ?? 0;
    acc.costUsd! += r.costUsd ?? 0;
    out.set(id, acc);
  }
  return out;
}

function compare(
  query: SummaryQuery,
  bucketOf: (ms: number) => number | null,
  keyOf: Key,
  keep: (r: UsageRow) => boolean = () => true,
): void {
  const expected = bruteForce(query, bucketOf, keyOf, keep);
  const got = q.summarize(query);
  expect(got.length).toBe(expected.size);
  for (const row of got) {
    const want = expected.get(`${row.bucketStartMs}|${row.key}`);
    expect(want, `${row.bucketStart} ${row.key}`).toBeDefined();
    expect(row).toMatchObject({ ...want, costUsd: expect.closeTo(want!.costUsd!, 9) as number });
  }
}

const billed: Key = (r) => r.upstreamModel ?? r.model;

describe('summaries', () => {
  it('match the raw rows for whole-hour ranges, by hour and model', () => {
    compare(
      { sinceMs: T0, untilMs: T0 + DAY, bucket: 'hour', groupBy: 'model' },
      (ms) => Math.floor(ms / HOUR) * HOUR,
      billed,
    );
  });

  it('match the raw rows exactly for ranges that cut hours in two (rollup inside, rows at the edges)', () => {
    const query: SummaryQuery = {
      sinceMs: T0 + 5 * HOUR + 1234,
      untilMs: T0 + 2 * DAY + 17 * 60_000,
      bucket: 'day',
      groupBy: 'provider',
      timeZone: 'utc',
    };
    compare(
      query,
      (ms) => Math.floor(ms / DAY) * DAY,
      (r) => r.provider,
    );
  });

  it('match inside a single hour, and for the whole history by client', () => {
    compare(
      { sinceMs: T0 + HOUR + 60_000, untilMs: T0 + HOUR + 1_800_000, bucket: 'all', groupBy: 'none' },
      () => null,
      () => null,
    );
    compare(
      { bucket: 'all', groupBy: 'client' },
      () => null,
      (r) => r.client,
    );
  });

  it('filter on the grouped dimension (rollup) or across dimensions (rows), alike', () => {
    const inRange = (r: UsageRow): boolean => !['pending', 'streaming'].includes(r.status);
    const base = { sinceMs: T0 + 90 * 60_000, untilMs: T0 + 2 * DAY } as const;
    const day = (ms: number): number => Math.floor(ms / DAY) * DAY;
    compare(
      { ...base, bucket: 'day', groupBy: 'model', model: 'gpt-4o-mini', timeZone: 'utc' },
      day,
      billed,
      (r) => billed(r) === 'gpt-4o-mini',
    );
    compare(
      { ...base, bucket: 'hour', groupBy: 'none', provider: 'backup' },
      (ms) => Math.floor(ms / HOUR) * HOUR,
      () => null,
      (r) => r.provider === 'backup',
    );
    compare(
      { ...base, bucket: 'day', groupBy: 'client', provider: 'backup', timeZone: 'utc' },
      day,
      (r) => r.client,
      (r) => r.provider === 'backup',
    );
    const byClient = q.summarize({ ...base, bucket: 'all', groupBy: 'none', client: 'codex' });
    const byClientRows = q.summarize({ ...base, bucket: 'all', groupBy: 'provider', client: 'codex' });
    const sum = (xs: { requests: number }[]): number => xs.reduce((n, x) => n + x.requests, 0);
    expect(sum(byClient)).toBe(
      rows.filter(
        (r) =>
          r.client === 'codex' &&
          inRange(r) &&
          Date.parse(r.startedAt) >= base.sinceMs &&
          Date.parse(r.startedAt) < base.untilMs,
      ).length,
    );
    expect(sum(byClientRows)).toBe(sum(byClient));
  });

  it('filter by client, provider and model', () => {
    const query: SummaryQuery = {
      bucket: 'all',
      groupBy: 'none',
      client: 'codex',
      provider: 'backup',
      model: 'gpt-4o-mini',
    };
    const [row] = q.summarize(query);
    const n = rows.filter(
      (r) =>
        r.client === 'codex' &&
        r.provider === 'backup' &&
        billed(r) === 'gpt-4o-mini' &&
        !['pending', 'streaming'].includes(r.status),
    ).length;
    expect(n).toBeGreaterThan(0);
    expect(row?.requests).toBe(n);
  });

  it('start local days at local midnight', () => {
    const saved = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const days = q.summarize({ sinceMs: T0, untilMs: T0 + 3 * DAY, bucket: 'day', groupBy: 'none' });
      expect(days[0]!.bucketStartMs).toBe(T0 - DAY + 5 * HOUR); // the day before, 00:00 EST = 05:00 UTC
      expect(days.slice(1).map((d) => d.bucketStartMs! - T0)).toEqual([
        5 * HOUR,
        DAY + 5 * HOUR,
        2 * DAY + 5 * HOUR,
      ]);
    } finally {
      process.env.TZ = saved;
    }
  });

  it('count errors as failed + interrupted, and interrupted rows once a restart marks them', () => {
    const before = q.summarize({ bucket: 'all', groupBy: 'none' })[0]!;
    expect(createRequestsRepo(db).markInterrupted()).toBe(40);
    const after = q.summarize({ bucket: 'all', groupBy: 'none' })[0]!;
    expect(after.requests).toBe(before.requests + 40);
    expect(after.interrupted).toBe(40);
    expect(after.errors).toBe(after.failed + 40);
  });

  it('read TTFB percentiles of completed requests off the histogram, within its bucket width', () => {
    const ttfbs = rows
      .filter((r) => r.status === 'completed' && r.ttfbMs !== null)
      .map((r) => r.ttfbMs!)
      .sort((a, b) => a - b);
    const exact = (p: number): number => ttfbs[Math.ceil(p * ttfbs.length) - 1]!;
    const [row] = q.summarize({ bucket: 'all', groupBy: 'none' });
    for (const [p, got] of [
      [0.5, row!.ttfbP50Ms],
      [0.95, row!.ttfbP95Ms],
    ] as const) {
      const want = exact(p);
      const upper = TTFB_BOUNDS_MS.find((b) => b > want)!;
      const lower = [...TTFB_BOUNDS_MS].reverse().find((b) => b <= want) ?? 0;
      expect(got).toBeGreaterThanOrEqual(lower);
      expect(got).toBeLessThanOrEqual(upper);
    }
  });

  it('return nothing for an empty or inverted range', () => {
    expect(q.summarize({ sinceMs: T0 - DAY, untilMs: T0, bucket: 'day', groupBy: 'model' })).toEqual([]);
    expect(q.summarize({ sinceMs: T0 + DAY, untilMs: T0, bucket: 'day', groupBy: 'model' })).toEqual([]);
  });
});

describe('the hourly rollup', () => {
  it('rebuilt from the rows equals the one the writer kept up to date, row for row', () => {
    createRequestsRepo(db).markInterrupted();
    const dump = (): unknown[] =>
      db
        .prepare(
          'SELECT dim, hour, key, requests, completed, failed, aborted, interrupted, input_tokens, output_tokens, round(cost_usd, 9) AS cost, unpriced, hex(ttfb_hist) AS hist FROM usage_hourly ORDER BY dim, hour, key',
        )
        .all();
    const incremental = dump();
    expect(incremental.length).toBeGreaterThan(100);
    createRollupRepo(db).rebuild();
    expect(dump()).toEqual(incremental);
  });
});
