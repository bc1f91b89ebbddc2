import type BetterSqlite3 from 'better-sqlite3';
import type {
  ClientApp,
  RequestFinish,
  RequestStart,
  RequestStatus,
  UsageProvenance,
  UsageQuery,
  UsageRow,
} from '../../shared/usage';
import type { ApiFormat } from '../../shared/api-format';

/** The only code that reads or writes the `requests` table. */
export interface RequestsRepo {
  /** Records a request as `pending`. */
  insertStarted(start: RequestStart): void;
  /** Moves a `pending` request to `streaming`; false if it is unknown or already further along. */
  markStreaming(requestId: string): boolean;
  /** Records the outcome, usage and timings; false if the request was never recorded as started. */
  applyFinish(finish: RequestFinish): boolean;
  /** Flags every request left `pending` or `streaming` (by a crash) as `interrupted`; returns how many. */
  markInterrupted(): number;
  /** Requests with sinceMs ≤ started_at < untilMs, newest first, at most `limit` (default 1000). */
  listRequests(query?: UsageQuery): UsageRow[];
}

export const DEFAULT_LIST_LIMIT = 1000;

interface RequestRecord {
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
}

interface ListParams {
  since: number;
  until: number;
  limit: number;
}

// The union types are enforced by the schema's CHECKs and by the writers' own types, so the
// casts below only restate what the table already guarantees.
function toUsageRow(r: RequestRecord): UsageRow {
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
  };
}

/** Prepares the statements once for this connection. */
export function createRequestsRepo(db: BetterSqlite3.Database): RequestsRepo {
  const insert = db.prepare(
    `INSERT INTO requests (request_id, started_at, client, user_agent, format, model, stream, status)
     VALUES (@requestId, @startedAtMs, @client, @userAgent, @format, @model, @stream, 'pending')`,
  );
  const streaming = db.prepare(
    `UPDATE requests SET status = 'streaming' WHERE request_id = ? AND status = 'pending'`,
  );
  const finish = db.prepare(
    `UPDATE requests SET
       status = @status, upstream_model = @upstreamModel, provider = @provider, http_status = @httpStatus,
       ttfb_ms = @ttfbMs, upstream_ttfb_ms = @upstreamTtfbMs, duration_ms = @durationMs,
       input_tokens = @inputTokens, cache_read_tokens = @cacheReadTokens,
       cache_write_tokens = @cacheWriteTokens, cache_write_5m_tokens = @cacheWrite5mTokens,
       cache_write_1h_tokens = @cacheWrite1hTokens, output_tokens = @outputTokens,
       reasoning_tokens = @reasoningTokens, usage_provenance = @usageProvenance,
       raw_usage = @rawUsage, error = @error
     WHERE request_id = @requestId`,
  );
  const interrupt = db.prepare(
    `UPDATE requests SET status = 'interrupted' WHERE status IN ('pending', 'streaming')`,
  );
  // Newest first with rowid as tie-breaker, so rows started in the same ms keep insertion order.
  const list = db.prepare<ListParams, RequestRecord>(
    `SELECT * FROM requests
     WHERE started_at >= @since AND started_at < @until
     ORDER BY started_at DESC, rowid DESC
     LIMIT @limit`,
  );

  return {
    insertStarted(s) {
      // Explicit fields: better-sqlite3 cannot bind booleans, and later additions to
      // RequestStart must not silently become bind errors.
      insert.run({
        requestId: s.requestId,
        startedAtMs: s.startedAtMs,
        client: s.client,
        userAgent: s.userAgent,
        format: s.format,
        model: s.model,
        stream: s.stream ? 1 : 0,
      });
    },
    markStreaming(requestId) {
      return streaming.run(requestId).changes > 0;
    },
    applyFinish(f) {
      const result = finish.run({
        requestId: f.requestId,
        status: f.status,
        upstreamModel: f.upstreamModel,
        provider: f.provider,
        httpStatus: f.httpStatus,
        ttfbMs: f.ttfbMs,
        upstreamTtfbMs: f.upstreamTtfbMs,
        durationMs: f.durationMs,
        inputTokens: f.inputTokens,
        cacheReadTokens: f.cacheReadTokens,
        cacheWriteTokens: f.cacheWriteTokens,
        cacheWrite5mTokens: f.cacheWrite5mTokens,
        cacheWrite1hTokens: f.cacheWrite1hTokens,
        outputTokens: f.outputTokens,
        reasoningTokens: f.reasoningTokens,
        usageProvenance: f.usageProvenance,
        rawUsage: f.rawUsage,
        error: f.error,
      });
      return result.changes > 0;
    },
    markInterrupted() {
      return interrupt.run().changes;
    },
    listRequests(query = {}) {
      const wanted = query.limit ?? DEFAULT_LIST_LIMIT;
      const limit = Number.isFinite(wanted) ? Math.max(0, Math.floor(wanted)) : DEFAULT_LIST_LIMIT;
      return list
        .all({
          since: query.sinceMs ?? Number.MIN_SAFE_INTEGER,
          until: query.untilMs ?? Number.MAX_SAFE_INTEGER,
          limit,
        })
        .map(toUsageRow);
    },
  };
}
