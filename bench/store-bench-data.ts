import { randomBytes } from 'node:crypto';
import type { Database } from '../src/main/store/schema/db';
import type { AttemptRecord, ClientApp, RequestFinish, RequestStart } from '../src/shared/usage';

/*
 * Synthetic usage for the store bench: a fixed mix of clients, providers, models and outcomes, the
 * same whether rows go through the UsageWriter (to time it) or straight into SQLite (to build a
 * million-row file in seconds rather than minutes).
 */

export const CLIENTS: readonly ClientApp[] = ['claude-code', 'codex', 'gemini-cli', 'openai-sdk', 'curl'];
export const PROVIDERS = ['anthropic', 'openai', 'google', 'openrouter'] as const;
export const MODELS = [
  'claude-sonnet-4-5-20250929',
  'claude-haiku-4-5',
  'claude-opus-4-5-20251101',
  'gpt-5',
  'gpt-4o-mini',
  'gemini-2.5-pro',
  'gemini-2.5-flash',
  'o4-mini',
] as const;

/** A deterministic pseudo-random source. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

export interface Lifecycle {
  start: RequestStart;
  attempt: AttemptRecord;
  finish: RequestFinish;
}

/** One realistic request: start, one committed attempt, a finish with reported usage (3 % fail, 2 % abort). */
export function lifecycle(r: () => number, startedAtMs: number): Lifecycle {
  const requestId = randomBytes(16).toString('hex');
  const model = MODELS[Math.floor(r() * MODELS.length)]!;
  const provider = PROVIDERS[Math.floor(r() * PROVIDERS.length)]!;
  const roll = r();
  const status = roll < 0.03 ? 'failed' : roll < 0.05 ? 'aborted' : 'completed';
  const ttfb = Math.round(150 + r() * r() * 3000);
  return {
    start: {
      requestId,
      startedAtMs,
      client: CLIENTS[Math.floor(r() * CLIENTS.length)]!,
      userAgent: 'claude-cli/2.0.14 (external, cli)',
      format: 'anthropic',
      model,
      stream: true,
    },
    attempt: {
      requestId,
      attemptNo: 1,
      provider,
      startedAtMs,
      phase: 'relay',
      outcome: status === 'aborted' ? 'aborted' : 'committed',
      reason: null,
      httpStatus: 200,
      durationMs: 2000,
      bodyHead: null,
      translatedTo: null,
    },
    finish: {
      requestId,
      status,
      upstreamModel: model,
      provider,
      httpStatus: status === 'aborted' ? 499 : 200,
      ttfbMs: ttfb,
      upstreamTtfbMs: ttfb - 2,
      durationMs: ttfb + Math.round(r() * 20_000),
      inputTokens: Math.floor(r() * 4000),
      cacheReadTokens: Math.floor(r() * 60_000),
      cacheWriteTokens: Math.floor(r() * 2000),
      cacheWrite5mTokens: null,
      cacheWrite1hTokens: null,
      outputTokens: Math.floor(r() * 1500),
      reasoningTokens: null,
      usageProvenance: status === 'completed' ? 'reported' : 'partial',
      rawUsage:
        '{"input_tokens":1234,"cache_read_input_tokens":40000,"cache_creation_input_tokens":512,"output_tokens":321}',
      error: status === 'failed' ? 'upstream: stream ended early' : null,
      translatedTo: null,
    },
  };
}

const list = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');

/**
 * Inserts `count` finished requests spread evenly over [fromMs, toMs) straight into SQLite, one
 * statement run inside SQLite itself. Ids ascend and the secondary indexes are built after the rows,
 * which is what makes a million rows take seconds; the file is then compacted, so its size is the
 * lower bound (the writer's random ids leave pages about a third emptier). Rebuild the hourly totals
 * afterwards.
 */
export function bulkLoad(db: Database, count: number, fromMs: number, toMs: number): void {
  const indexes = db
    .prepare<[], { name: string; sql: string }>(
      `SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'requests' AND sql IS NOT NULL`,
    )
    .all();
  for (const i of indexes) db.exec(`DROP INDEX ${i.name}`);
  const cache = db.pragma('cache_size', { simple: true }) as number;
  db.pragma('cache_size = -262144');
  const pickClient = `json_extract('[${list(CLIENTS).replaceAll("'", '"')}]', '$[' || (abs(random()) % ${CLIENTS.length}) || ']')`;
  const pick = (values: readonly string[]): string =>
    `json_extract('[${values.map((v) => `"${v}"`).join(',')}]', '$[' || (abs(random()) % ${values.length}) || ']')`;
  db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${count - 1})
    INSERT INTO requests (request_id, started_at, client, user_agent, format, model, upstream_model, provider, stream,
      status, http_status, ttfb_ms, upstream_ttfb_ms, duration_ms, input_tokens, cache_read_tokens, cache_write_tokens,
      output_tokens, usage_provenance, raw_usage, cost_usd)
    SELECT printf('%032x', i + 1), ${fromMs} + i * ${(toMs - fromMs) / count}, ${pickClient},
      'claude-cli/2.0.14 (external, cli)', 'anthropic', m, m, ${pick(PROVIDERS)}, 1,
      CASE WHEN abs(random()) % 100 < 3 THEN 'failed' WHEN abs(random()) % 100 < 2 THEN 'aborted' ELSE 'completed' END,
      200, 150 + abs(random()) % 1500, 148, 5000 + abs(random()) % 20000, abs(random()) % 4000,
      abs(random()) % 60000, abs(random()) % 2000, abs(random()) % 1500, 'reported',
      '{"input_tokens":1234,"cache_read_input_tokens":40000,"cache_creation_input_tokens":512,"output_tokens":321}',
      (abs(random()) % 100000) / 1e6
    FROM (SELECT i, ${pick(MODELS)} AS m FROM n)`);
  for (const i of indexes) db.exec(i.sql);
  db.pragma(`cache_size = ${cache}`);
}
