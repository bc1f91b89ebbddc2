import type BetterSqlite3 from 'better-sqlite3';
import type { RequestOutcome } from '../../../shared/usage';
import {
  registerTtfbFunctions,
  ttfbBucketSql,
  ttfbHistogramAggregateSql,
  ttfbHistogramBlob,
  TTFB_BUCKETS,
} from '../schema/ttfb-histogram';

/** The dimensions a summary groups by, and `total` (one key, ''); `usage_hourly` holds one row per hour × dimension × value. */
export type RollupDimension = 'model' | 'provider' | 'client' | 'total';
export const ROLLUP_DIMENSIONS: readonly RollupDimension[] = ['model', 'provider', 'client', 'total'];

/** One finished request, as its hour's totals count it. */
export interface RollupFact {
  startedAtMs: number;
  client: string;
  provider: string | null;
  /** Billed model: the upstream one when known, else the one asked for. */
  model: string | null;
  status: RequestOutcome;
  inputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  outputTokens: number | null;
  reasoningTokens: number | null;
  costUsd: number | null;
  /** TTFB histogram bucket of a completed request, -1 for none. */
  ttfbBucket: number;
}

/**
 * The only code that writes `usage_hourly`, the per-hour totals summaries read instead of the raw
 * rows. A request enters its hour (of started_at, UTC) exactly once per dimension: when it finishes,
 * or when a later start finds it interrupted.
 */
export interface RollupRepo {
  add(fact: RollupFact): void;
  /**
   * Runs `fn` (inside the caller's transaction) with add() summing in memory, then writes one row per
   * hour × dimension × value it touched: a batch of 100 finishes becomes a handful of upserts instead
   * of 400. Nested calls join the outer batch; if `fn` throws, nothing is written.
   */
  batched<T>(fn: () => T): T;
  /** Adds every request still pending or streaming as interrupted; call just before marking them so. */
  addOpenAsInterrupted(): void;
  /** Deletes the hours that end at or before `cutoffMs`; returns how many rows went. */
  deleteHoursEndingBy(cutoffMs: number): number;
  /** Recomputes every hour from the rows (repairs, bulk imports); returns rows written. */
  rebuild(): number;
}

const HOUR_MS = 3_600_000;
/** The rollup's summed columns, in the order both the rollup writer and the summary reader use. */
export const ROLLUP_SUMS = [
  'requests',
  'completed',
  'failed',
  'aborted',
  'interrupted',
  'input_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'output_tokens',
  'reasoning_tokens',
  'cost_usd',
  'unpriced',
] as const;
const SUMS: readonly string[] = ROLLUP_SUMS;
/** Each dimension's value, read from a `requests` row. */
const ROW_KEY: Record<RollupDimension, string> = {
  model: "coalesce(upstream_model, model, '')",
  provider: "coalesce(provider, '')",
  client: 'client',
  total: "''",
};
const HOUR_OF_ROW = `(started_at / ${HOUR_MS}) * ${HOUR_MS}`;
const INSERT_INTO = `INSERT INTO usage_hourly (dim, hour, key, ${SUMS.join(', ')}, ttfb_hist)`;
const ON_CONFLICT =
  `ON CONFLICT (dim, hour, key) DO UPDATE SET ${SUMS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}, ` +
  'ttfb_hist = sluice_ttfb_merge(ttfb_hist, excluded.ttfb_hist)';
const FINAL = `status IN ('completed', 'failed', 'aborted', 'interrupted')`;

type AddParams = Record<string, string | number | Buffer | null>;

/** One usage_hourly row's increments, summed over a batch. */
interface Increment {
  dim: RollupDimension;
  hour: number;
  key: string;
  requests: number;
  completed: number;
  failed: number;
  aborted: number;
  interrupted: number;
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
  cost: number;
  unpriced: number;
  hist: Float64Array;
}

function incrementOf(dim: RollupDimension, hour: number, key: string): Increment {
  return {
    dim,
    hour,
    key,
    requests: 0,
    completed: 0,
    failed: 0,
    aborted: 0,
    interrupted: 0,
    input: 0,
    cacheRead: 0,
    cacheWrite: 0,
    output: 0,
    reasoning: 0,
    cost: 0,
    unpriced: 0,
    hist: new Float64Array(TTFB_BUCKETS),
  };
}

/** Adds one finished request to an increment. */
function count(inc: Increment, f: RollupFact): void {
  inc.requests++;
  if (f.status === 'completed') inc.completed++;
  else if (f.status === 'failed') inc.failed++;
  else if (f.status === 'aborted') inc.aborted++;
  else if (f.status === 'interrupted') inc.interrupted++;
  inc.input += f.inputTokens ?? 0;
  inc.cacheRead += f.cacheReadTokens ?? 0;
  inc.cacheWrite += f.cacheWriteTokens ?? 0;
  inc.output += f.outputTokens ?? 0;
  inc.reasoning += f.reasoningTokens ?? 0;
  inc.cost += f.costUsd ?? 0;
  if (f.costUsd === null && (f.inputTokens !== null || f.outputTokens !== null)) inc.unpriced++;
  if (f.ttfbBucket >= 0 && f.ttfbBucket < TTFB_BUCKETS) inc.hist[f.ttfbBucket]!++;
}

export function createRollupRepo(db: BetterSqlite3.Database): RollupRepo {
  registerTtfbFunctions(db);
  const add = db.prepare<AddParams>(
    `${INSERT_INTO} VALUES (@dim, @hour, @key, @requests, @completed, @failed, @aborted, @interrupted,
       @input, @cacheRead, @cacheWrite, @output, @reasoning, @cost, @unpriced, @hist)
     ${ON_CONFLICT}`,
  );
  const write = (inc: Increment): void => {
    const { hist, ...sums } = inc;
    add.run({ ...sums, hist: ttfbHistogramBlob(hist) });
  };
  /** The batch add() sums into, while batched() runs. */
  let pending: Map<string, Increment> | null = null;
  const empty = ttfbHistogramAggregateSql('-1');
  // Interrupted rows never got a finish, so their usage is whatever a crashed run had recorded: none.
  const interrupted = ROLLUP_DIMENSIONS.map((dim) =>
    db.prepare(
      `${INSERT_INTO}
       SELECT '${dim}', ${HOUR_OF_ROW}, ${ROW_KEY[dim]}, count(*), 0, 0, 0, count(*), 0, 0, 0, 0, 0, 0, 0, ${empty}
       FROM requests WHERE status IN ('pending', 'streaming') GROUP BY 2, 3
       ${ON_CONFLICT}`,
    ),
  );
  const prune = db.prepare<[number]>(`DELETE FROM usage_hourly WHERE hour + ${HOUR_MS} <= ?`);
  const bucket = `CASE WHEN status <> 'completed' THEN -1 ELSE ${ttfbBucketSql('ttfb_ms')} END`;
  const clear = db.prepare('DELETE FROM usage_hourly');
  // Grouped twice: by hour, value and TTFB bucket first (cheap per row), then the few bucket rows of
  // each hour into its histogram; aggregating 24 bucket counts per row directly costs ten times more.
  const refill = ROLLUP_DIMENSIONS.map((dim) =>
    db.prepare(
      `${INSERT_INTO}
       SELECT '${dim}', hour, key, total(n), total(completed), total(failed), total(aborted), total(interrupted),
         total(input), total(cache_read), total(cache_write), total(output), total(reasoning), total(cost),
         total(unpriced), ${ttfbHistogramAggregateSql('b', 'n')}
       FROM (
         SELECT ${HOUR_OF_ROW} AS hour, ${ROW_KEY[dim]} AS key, ${bucket} AS b, count(*) AS n,
           sum(status = 'completed') AS completed, sum(status = 'failed') AS failed, sum(status = 'aborted') AS aborted,
           sum(status = 'interrupted') AS interrupted, total(input_tokens) AS input, total(cache_read_tokens) AS cache_read,
           total(cache_write_tokens) AS cache_write, total(output_tokens) AS output, total(reasoning_tokens) AS reasoning,
           total(cost_usd) AS cost,
           sum(cost_usd IS NULL AND (input_tokens IS NOT NULL OR output_tokens IS NOT NULL)) AS unpriced
         FROM requests WHERE ${FINAL} GROUP BY 1, 2, 3
       ) WHERE true GROUP BY hour, key`,
    ),
  );
  const rebuild = db.transaction(() => {
    clear.run();
    return refill.reduce((n, stmt) => n + stmt.run().changes, 0);
  });

  return {
    add(f) {
      const hour = Math.floor(f.startedAtMs / HOUR_MS) * HOUR_MS;
      const keys: [RollupDimension, string][] = [
        ['model', f.model ?? ''],
        ['provider', f.provider ?? ''],
        ['client', f.client],
        ['total', ''],
      ];
      for (const [dim, key] of keys) {
        if (pending === null) {
          const inc = incrementOf(dim, hour, key);
          count(inc, f);
          write(inc);
          continue;
        }
        const id = `${dim}\u0000${hour}\u0000${key}`;
        let inc = pending.get(id);
        if (inc === undefined) pending.set(id, (inc = incrementOf(dim, hour, key)));
        count(inc, f);
      }
    },
    batched(fn) {
      if (pending !== null) return fn();
      const batch = new Map<string, Increment>();
      pending = batch;
      try {
        const result = fn();
        for (const inc of batch.values()) write(inc);
        return result;
      } finally {
        pending = null;
      }
    },
    addOpenAsInterrupted() {
      for (const stmt of interrupted) stmt.run();
    },
    deleteHoursEndingBy(cutoffMs) {
      return prune.run(cutoffMs).changes;
    },
    rebuild() {
      return rebuild.immediate();
    },
  };
}
