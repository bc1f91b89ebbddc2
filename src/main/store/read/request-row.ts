import { API_FORMATS, type ApiFormat } from '../../../shared/api-format';
import { parseRouteChoice } from '../../../shared/route-choice';
import type { ClientApp, RequestStatus, UsageProvenance, UsageRow } from '../../../shared/usage';

/** A `requests` row as SQLite returns it. */
export interface RequestRecord {
  request_id: string;
  started_at: number;
  client: string;
  user_agent: string | null;
  format: string;
  model: string | null;
  upstream_model: string | null;
  provider: string | null;
  stream: number;
  status: string;
  http_status: number | null;
  ttfb_ms: number | null;
  upstream_ttfb_ms: number | null;
  duration_ms: number | null;
  input_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  cache_write_5m_tokens: number | null;
  cache_write_1h_tokens: number | null;
  output_tokens: number | null;
  reasoning_tokens: number | null;
  usage_provenance: string;
  raw_usage: string | null;
  error: string | null;
  cost_usd: number | null;
  pricing_id: number | null;
  /** NULL in rows written before schema 6. */
  translated_to: string | null;
  /** JSON RouteChoice; NULL (or absent) in rows written before schema 8. */
  route?: string | null;
}

/** Statuses a request can still leave; every other one is final. */
export const OPEN_STATUSES = ['pending', 'streaming'] as const;

/** Statuses that count in summaries. */
export const FINAL_STATUSES = ['completed', 'failed', 'aborted', 'interrupted'] as const;

// The union types are enforced by the schema's CHECKs and by the writers' own types, so the
// casts below only restate what the table already guarantees.
/** The API shape of a row. */
export function toUsageRow(r: RequestRecord): UsageRow {
  const route = parseRouteChoice(r.route ?? null);
  return {
    requestId: r.request_id,
    startedAt: new Date(r.started_at).toISOString(),
    client: r.client as ClientApp,
    userAgent: r.user_agent,
    format: r.format as ApiFormat,
    model: r.model,
    upstreamModel: r.upstream_model,
    provider: r.provider,
    stream: r.stream !== 0,
    status: r.status as RequestStatus,
    httpStatus: r.http_status,
    ttfbMs: r.ttfb_ms,
    upstreamTtfbMs: r.upstream_ttfb_ms,
    durationMs: r.duration_ms,
    inputTokens: r.input_tokens,
    cacheReadTokens: r.cache_read_tokens,
    cacheWriteTokens: r.cache_write_tokens,
    cacheWrite5mTokens: r.cache_write_5m_tokens,
    cacheWrite1hTokens: r.cache_write_1h_tokens,
    outputTokens: r.output_tokens,
    reasoningTokens: r.reasoning_tokens,
    usageProvenance: r.usage_provenance as UsageProvenance,
    rawUsage: r.raw_usage,
    error: r.error,
    costUsd: r.cost_usd,
    // An unknown stored name reads as not translated, never as a format the renderer cannot label.
    translatedTo: API_FORMATS.find((f) => f === r.translated_to) ?? null,
    // Present only when recorded (schema 8 on): an older row reads exactly as it did.
    ...(route === null ? {} : { route }),
  };
}
