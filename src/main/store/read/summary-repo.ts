import type BetterSqlite3 from 'better-sqlite3';
import type { SummaryBucket, SummaryQuery, SummaryRow } from '../../../shared/usage-query';
import type { RollupDimension } from '../write/rollup-repo';
import { addTtfbHistogram, TTFB_BUCKETS, ttfbBucketSql, ttfbPercentile } from '../schema/ttfb-histogram';
import { ROLLUP_SUMS } from '../write/rollup-repo';

/** Dashboard and export summaries. Whole hours come from the hourly rollup, the ragged edges of a range from the rows. */
export interface SummaryRepo {
  /** Totals per time bucket × group, oldest bucket first, then busiest group first. */
  summarize(query: SummaryQuery): SummaryRow[];
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/*
 * Both sources are read as raw arrays — [at, key, …sums, histogram] — and folded in one loop over
 * numbers, without aggregating in SQL: a month of hourly rows is thousands of arrays, and SQL
 * aggregates or objects per row would cost more than reading them. The rollup's last value is its
 * histogram blob, a raw row's the bucket of its TTFB.
 */
const SUMS = ROLLUP_SUMS;
const WIDTH = SUMS.length + TTFB_BUCKETS;
const S = Object.fromEntries(SUMS.map((name, i) => [name, i])) as Record<(typeof SUMS)[number], number>;

/** The same vector computed from `requests` rows (the edges of a range, or filters the rollup cannot serve). */
const RAW_VECTOR = [
  '1',
  "status = 'completed'",
  "status = 'failed'",
  "status = 'aborted'",
  "status = 'interrupted'",
  'coalesce(input_tokens, 0)',
  'coalesce(cache_read_tokens, 0)',
  'coalesce(cache_write_tokens, 0)',
  'coalesce(output_tokens, 0)',
  'coalesce(reasoning_tokens, 0)',
  'coalesce(cost_usd, 0)',
  'cost_usd IS NULL AND (input_tokens IS NOT NULL OR output_tokens IS NOT NULL)',
  `CASE WHEN status <> 'completed' THEN -1 ELSE ${ttfbBucketSql('ttfb_ms')} END`,
].join(', ');
const RAW_KEY = {
  model: "coalesce(upstream_model, model, '')",
  provider: "coalesce(provider, '')",
  client: 'client',
  none: "''",
} as const;

type Params = Record<string, string | number>;
type Vector = [number, string, ...(number | Uint8Array)[]];

interface Acc {
  bucket: number | null;
  key: string;
  v: Float64Array;
}

function bucketOf(bucket: SummaryBucket, utc: boolean): (ms: number) => number | null {
  if (bucket === 'all') return () => null;
  if (bucket === 'hour') return (ms) => Math.floor(ms / HOUR_MS) * HOUR_MS;
  if (utc) return (ms) => Math.floor(ms / DAY_MS) * DAY_MS;
  return (ms) => {
    const d = new Date(ms);
    d.setHours(0, 0, 0, 0);
    return d.getTime();
  };
}

/**
 * Which rollup rows answer a query: the grouped dimension's (any one for totals), narrowed to one
 * value by a filter on that same dimension. Null when filters span dimensions the rollup keeps
 * apart; the rows answer those instead.
 */
function rollupSource(q: SummaryQuery): { dim: RollupDimension; key: string | null } | null {
  const filters = (['model', 'provider', 'client'] as const).filter((d) => q[d] !== undefined);
  if (filters.length === 0) return { dim: q.groupBy === 'none' ? 'total' : q.groupBy, key: null };
  const only = filters[0]!;
  if (filters.length > 1 || (q.groupBy !== 'none' && q.groupBy !== only)) return null;
  return { dim: only, key: q[only] ?? null };
}

function toSummaryRow(a: Acc): SummaryRow {
  const v = a.v;
  return {
    bucketStartMs: a.bucket,
    bucketStart: a.bucket === null ? null : new Date(a.bucket).toISOString(),
    key: a.key === '' ? null : a.key,
    requests: v[S.requests]!,
    completed: v[S.completed]!,
    failed: v[S.failed]!,
    aborted: v[S.aborted]!,
    interrupted: v[S.interrupted]!,
    errors: v[S.failed]! + v[S.interrupted]!,
    inputTokens: v[S.input_tokens]!,
    cacheReadTokens: v[S.cache_read_tokens]!,
    cacheWriteTokens: v[S.cache_write_tokens]!,
    outputTokens: v[S.output_tokens]!,
    reasoningTokens: v[S.reasoning_tokens]!,
    costUsd: v[S.cost_usd]!,
    unpricedRequests: v[S.unpriced]!,
    ttfbP50Ms: ttfbPercentile(v.subarray(SUMS.length), 0.5),
    ttfbP95Ms: ttfbPercentile(v.subarray(SUMS.length), 0.95),
  };
}

export function createSummaryRepo(db: BetterSqlite3.Database): SummaryRepo {
  // One statement per query shape (bucket, dimension, filters): a handful.
  const cache = new Map<string, BetterSqlite3.Statement<Params, Vector>>();
  const vectors = (sql: string, params: Params): Vector[] => {
    let stmt = cache.get(sql);
    if (stmt === undefined) {
      stmt = db.prepare<Params, Vector>(sql).raw(true);
      cache.set(sql, stmt);
    }
    return stmt.all(params);
  };

  const fromRollup = (
    q: SummaryQuery,
    dim: RollupDimension,
    key: string | null,
    from: number,
    to: number,
  ): Vector[] => {
    const params: Params = { dim, from, to };
    const where = ['dim = @dim', 'hour >= @from', 'hour < @to'];
    if (key !== null) {
      where.push('key = @key');
      params.key = key;
    }
    const sql =
      `SELECT hour, ${q.groupBy === 'none' ? "''" : 'key'}, ${SUMS.join(', ')}, ttfb_hist FROM usage_hourly ` +
      `WHERE ${where.join(' AND ')}`;
    return vectors(sql, params);
  };

  const fromRows = (q: SummaryQuery, from: number, to: number): Vector[] => {
    const params: Params = { from, to };
    const where = ['started_at >= @from', 'started_at < @to', "status NOT IN ('pending', 'streaming')"];
    for (const dim of ['client', 'provider', 'model'] as const) {
      const value = q[dim];
      if (value === undefined) continue;
      where.push(`${RAW_KEY[dim]} = @${dim}`);
      params[dim] = value;
    }
    const sql = `SELECT started_at, ${RAW_KEY[q.groupBy]}, ${RAW_VECTOR} FROM requests WHERE ${where.join(' AND ')}`;
    return vectors(sql, params);
  };

  return {
    summarize(q) {
      const since = q.sinceMs ?? Number.MIN_SAFE_INTEGER;
      const until = q.untilMs ?? Number.MAX_SAFE_INTEGER;
      if (since >= until) return [];
      const bucket = bucketOf(q.bucket, q.timeZone === 'utc');
      const groups = new Map<string, Acc>();
      const fold = (rows: Vector[]): void => {
        for (const row of rows) {
          const b = bucket(row[0]);
          const id = `${b ?? ''}\u0000${row[1]}`;
          let acc = groups.get(id);
          if (acc === undefined) {
            acc = { bucket: b, key: row[1], v: new Float64Array(WIDTH) };
            groups.set(id, acc);
          }
          const v = acc.v;
          for (let i = 0; i < SUMS.length; i++) v[i]! += row[i + 2] as number;
          const hist = row[SUMS.length + 2];
          if (typeof hist === 'number') {
            if (hist >= 0) v[SUMS.length + hist]! += 1;
          } else addTtfbHistogram(v, SUMS.length, hist);
        }
      };

      // Whole hours inside [since, until) come from the rollup; what is left at either end from the rows.
      const fullFrom = Math.ceil(since / HOUR_MS) * HOUR_MS;
      const fullTo = Math.floor(until / HOUR_MS) * HOUR_MS;
      const source = rollupSource(q);
      if (source !== null && fullFrom < fullTo) {
        fold(fromRollup(q, source.dim, source.key, fullFrom, fullTo));
        if (since < fullFrom) fold(fromRows(q, since, fullFrom));
        if (fullTo < until) fold(fromRows(q, fullTo, until));
      } else fold(fromRows(q, since, until));

      return [...groups.values()]
        .sort(
          (a, b) =>
            (a.bucket ?? 0) - (b.bucket ?? 0) ||
            b.v[S.requests]! - a.v[S.requests]! ||
            (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
        )
        .map(toSummaryRow);
    },
  };
}
