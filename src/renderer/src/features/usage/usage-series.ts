import type { SummaryRow } from '../../../../shared/usage-query';

/** Which number of a summary row a chart plots. */
export type Metric = 'tokens' | 'cost' | 'requests';

export function metricOf(r: SummaryRow, m: Metric): number {
  switch (m) {
    case 'tokens':
      return r.inputTokens + r.cacheReadTokens + r.cacheWriteTokens + r.outputTokens;
    case 'cost':
      return r.costUsd;
    case 'requests':
      return r.requests;
  }
}

/** Columns for a chart: x in seconds (uPlot's unit), one series per group. */
export interface Series {
  xs: number[];
  series: { label: string; values: (number | null)[] }[];
}

/** Groups beyond this many are folded into "other", so the chart stays legible. */
export const MAX_GROUPS = 6;

const HOUR_MS = 3_600_000;

/**
 * Every bucket start from `sinceMs` to `untilMs`, so empty hours and days show as empty rather than
 * being skipped. Aligned to a bucket the store returned (`anchorMs`) when there is one, else to the
 * local hour or midnight; days step by calendar date, so a DST change keeps them on midnight.
 */
export function bucketStarts(
  sinceMs: number,
  untilMs: number,
  bucket: 'hour' | 'day',
  anchorMs: number | null,
): number[] {
  const out: number[] = [];
  if (bucket === 'hour') {
    const anchor = anchorMs ?? Math.floor(untilMs / HOUR_MS) * HOUR_MS;
    const first = anchor - Math.ceil((anchor - sinceMs) / HOUR_MS) * HOUR_MS;
    for (let t = first; t <= untilMs && out.length < 10_000; t += HOUR_MS) out.push(t);
    return out;
  }
  const d = new Date(anchorMs ?? untilMs);
  d.setHours(0, 0, 0, 0);
  while (d.getTime() > sinceMs) d.setDate(d.getDate() - 1);
  if (d.getTime() + 86_400_000 <= sinceMs) d.setDate(d.getDate() + 1);
  for (; d.getTime() <= untilMs && out.length < 10_000; d.setDate(d.getDate() + 1)) out.push(d.getTime());
  return out;
}

const label = (key: string | null): string => key ?? '(none)';

function columnsFor(rows: readonly SummaryRow[], buckets: readonly number[]): number[] {
  const set = new Set(buckets);
  for (const r of rows) if (r.bucketStartMs !== null) set.add(r.bucketStartMs);
  return [...set].sort((a, b) => a - b);
}

/**
 * Time-bucketed rows → one series per group (the biggest `MAX_GROUPS` by total, the rest as "other"),
 * over every bucket in `buckets` (and any the rows add), 0 where a group had nothing.
 */
export function toSeries(
  rows: readonly SummaryRow[],
  metric: Metric,
  buckets: readonly number[] = [],
): Series {
  const totals = new Map<string, number>();
  for (const r of rows) {
    if (r.bucketStartMs === null) continue;
    totals.set(label(r.key), (totals.get(label(r.key)) ?? 0) + metricOf(r, metric));
  }
  const xsMs = columnsFor(rows, buckets);
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);
  const kept = ranked.length > MAX_GROUPS ? ranked.slice(0, MAX_GROUPS - 1) : ranked;
  const names = ranked.length > kept.length ? [...kept, 'other'] : kept;
  const index = new Map(xsMs.map((x, i) => [x, i]));
  const cols = names.map(() => new Array<number>(xsMs.length).fill(0));
  for (const r of rows) {
    if (r.bucketStartMs === null) continue;
    const i = index.get(r.bucketStartMs)!;
    const g = names.indexOf(label(r.key));
    const col = cols[g >= 0 ? g : names.length - 1];
    if (col !== undefined) col[i] = (col[i] ?? 0) + metricOf(r, metric);
  }
  return {
    xs: xsMs.map((x) => x / 1000),
    series: names.map((n, i) => ({ label: n, values: cols[i] ?? [] })),
  };
}

/** Error rate per bucket (errors / requests, 0–1; null for an empty bucket), over every group. */
export function errorRateSeries(rows: readonly SummaryRow[], buckets: readonly number[] = []): Series {
  const by = new Map<number, { req: number; err: number }>();
  for (const r of rows) {
    if (r.bucketStartMs === null) continue;
    const b = by.get(r.bucketStartMs) ?? { req: 0, err: 0 };
    b.req += r.requests;
    b.err += r.errors;
    by.set(r.bucketStartMs, b);
  }
  const xsMs = columnsFor(rows, buckets);
  return {
    xs: xsMs.map((x) => x / 1000),
    series: [
      {
        label: 'error rate',
        values: xsMs.map((x) => {
          const b = by.get(x);
          return b === undefined || b.req === 0 ? null : b.err / b.req;
        }),
      },
    ],
  };
}

/** Running sums across series (for stacked bars): series i holds the sum of series 0..i. */
export function stackSeries(values: readonly (readonly (number | null)[])[]): number[][] {
  const out: number[][] = [];
  values.forEach((col, i) => {
    const below = out[i - 1];
    out.push(col.map((v, j) => (v ?? 0) + (below?.[j] ?? 0)));
  });
  return out;
}

/** Sums rows (any grouping) into one total. */
export function totalOf(rows: readonly SummaryRow[]): SummaryRow {
  const t: SummaryRow = {
    bucketStartMs: null,
    bucketStart: null,
    key: null,
    requests: 0,
    completed: 0,
    failed: 0,
    aborted: 0,
    interrupted: 0,
    errors: 0,
    inputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    costUsd: 0,
    unpricedRequests: 0,
    ttfbP50Ms: null,
    ttfbP95Ms: null,
  };
  for (const r of rows) {
    t.requests += r.requests;
    t.completed += r.completed;
    t.failed += r.failed;
    t.aborted += r.aborted;
    t.interrupted += r.interrupted;
    t.errors += r.errors;
    t.inputTokens += r.inputTokens;
    t.cacheReadTokens += r.cacheReadTokens;
    t.cacheWriteTokens += r.cacheWriteTokens;
    t.outputTokens += r.outputTokens;
    t.reasoningTokens += r.reasoningTokens;
    t.costUsd += r.costUsd;
    t.unpricedRequests += r.unpricedRequests;
  }
  if (rows.length === 1) {
    t.ttfbP50Ms = rows[0]?.ttfbP50Ms ?? null;
    t.ttfbP95Ms = rows[0]?.ttfbP95Ms ?? null;
  }
  return t;
}

/** Lower edges (ms) of the TTFB histogram's buckets, roughly logarithmic; the last is open-ended. */
export const TTFB_EDGES_MS = [0, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10_000, 30_000];

/** A bucket's short axis label: `0`, `250`, `1s`, `1.5s`, `≥30s`. */
export function ttfbEdgeLabel(ms: number, last: boolean): string {
  const text = ms < 1000 ? String(ms) : `${ms / 1000}s`;
  return last ? `≥${text}` : text;
}

export function ttfbHistogram(values: readonly number[]): { edges: number[]; counts: number[] } {
  const counts = new Array<number>(TTFB_EDGES_MS.length).fill(0);
  for (const v of values) {
    let i = TTFB_EDGES_MS.length - 1;
    while (i > 0 && v < (TTFB_EDGES_MS[i] ?? 0)) i--;
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return { edges: [...TTFB_EDGES_MS], counts };
}
