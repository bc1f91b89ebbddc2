import { performance } from 'node:perf_hooks';
import type { UsageQueries } from '../src/main/store/read/usage-queries';

/** The store bench's query figures: dashboard summaries and request-list pages, against their goals. */

const GOAL_DASHBOARD_MS = 100;
const GOAL_PAGE_MS = 20;
const DAY = 86_400_000;

export interface Timing {
  median: number;
  max: number;
  /** CPU time of this process per run (median), which other load on the machine does not inflate. */
  cpu: number;
}

export function time(fn: () => unknown, runs = 7): Timing {
  fn(); // prepares statements and warms the page cache, as a dashboard that is open would be
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    fn();
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  wall.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { median: wall[wall.length >> 1]!, max: wall.at(-1)!, cpu: cpu[cpu.length >> 1]! };
}

function row(out: (line: string) => void, name: string, t: Timing, goal: number): void {
  const verdict = t.median <= goal ? '✓' : '✗';
  out(
    `| ${name} | ${t.median.toFixed(1)} | ${t.max.toFixed(1)} | ${t.cpu.toFixed(1)} | ${verdict} ≤ ${goal} |`,
  );
}

/** Times each dashboard query and writes its table row. */
export function dashboards(q: UsageQueries, now: number, rows: number, out: (line?: string) => void): void {
  out(
    `| dashboard query (${(rows / 1e6).toFixed(1)} M rows, 30 days) | median ms | max ms | CPU ms | goal (median) |`,
  );
  out('|---|---:|---:|---:|---|');
  const d: [string, () => unknown][] = [
    [
      'last 24 h by hour × model',
      () => q.summarize({ sinceMs: now - DAY, untilMs: now, bucket: 'hour', groupBy: 'model' }),
    ],
    [
      'last 7 days by day × provider',
      () => q.summarize({ sinceMs: now - 7 * DAY, untilMs: now, bucket: 'day', groupBy: 'provider' }),
    ],
    [
      'last 30 days by day × client',
      () => q.summarize({ sinceMs: now - 30 * DAY, untilMs: now, bucket: 'day', groupBy: 'client' }),
    ],
    [
      'last 30 days by day (totals)',
      () => q.summarize({ sinceMs: now - 30 * DAY, untilMs: now, bucket: 'day', groupBy: 'none' }),
    ],
    ['all time by model', () => q.summarize({ bucket: 'all', groupBy: 'model' })],
    [
      'last 7 days by hour × model',
      () => q.summarize({ sinceMs: now - 7 * DAY, untilMs: now, bucket: 'hour', groupBy: 'model' }),
    ],
    [
      'stress: last 30 days by hour × model (5 760 points)',
      () => q.summarize({ sinceMs: now - 30 * DAY, untilMs: now, bucket: 'hour', groupBy: 'model' }),
    ],
  ];
  for (const [name, fn] of d) row(out, name, time(fn), GOAL_DASHBOARD_MS);
}

/** Times request-list pages and writes their table, with the inspector's one-request read. */
export function pages(
  q: UsageQueries,
  inspector: Timing,
  rows: number,
  frames: number,
  out: (line?: string) => void,
): void {
  out('');
  out(
    `| request list, 50 rows (${(rows / 1e6).toFixed(1)} M rows) | median ms | max ms | CPU ms | goal (median) |`,
  );
  out('|---|---:|---:|---:|---|');
  let cursor: string | null = null;
  for (let i = 0; i < 200; i++) cursor = q.pageRequests({ cursor }).nextCursor;
  const p: [string, () => unknown][] = [
    ['newest page', () => q.pageRequests({})],
    ['page 200 (keyset cursor)', () => q.pageRequests({ cursor })],
    ['client = codex', () => q.pageRequests({ client: 'codex' })],
    ['provider = openrouter', () => q.pageRequests({ provider: 'openrouter' })],
    ['model = o4-mini', () => q.pageRequests({ model: 'o4-mini' })],
    ['status = failed', () => q.pageRequests({ status: 'failed' })],
    ['status = failed, provider = google', () => q.pageRequests({ status: 'failed', provider: 'google' })],
    ['client = curl, last 24 h', () => q.pageRequests({ client: 'curl', sinceMs: Date.now() - DAY })],
  ];
  for (const [name, fn] of p) row(out, name, time(fn), GOAL_PAGE_MS);
  row(out, `one request with its attempt and ${frames} captured frames`, inspector, GOAL_PAGE_MS);
}
