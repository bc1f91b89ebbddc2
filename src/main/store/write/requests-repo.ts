// Writes and reads: it records each request's lifecycle; listRequests reads through read/requests-query; here for its main use.
import type BetterSqlite3 from 'better-sqlite3';
import type { ClientApp, RequestFinish, RequestStart, UsageQuery, UsageRow } from '../../../shared/usage';
import { createRequestsQuery } from '../read/requests-query';
import { createRollupRepo } from './rollup-repo';
import { ttfbBucket } from '../schema/ttfb-histogram';

/** The price a finish was charged at. */
export interface Charge {
  costUsd: number | null;
  pricingId: number | null;
}

export const NO_CHARGE: Readonly<Charge> = Object.freeze({ costUsd: null, pricingId: null });

/** What a finish needs from its started row. */
export interface OpenRequest {
  startedAtMs: number;
  client: ClientApp;
  /** The model the client asked for. */
  model: string | null;
}

/** The only code that writes the `requests` table. */
export interface RequestsRepo {
  /** Records a request as `pending`. */
  insertStarted(start: RequestStart): void;
  /** Moves a `pending` request to `streaming`; false if it is unknown or already further along. */
  markStreaming(requestId: string): boolean;
  /** A still-open request; undefined when it is unknown or already final. */
  openRequest(requestId: string): OpenRequest | undefined;
  /**
   * Records the outcome, usage, timings and cost, and adds the request to its hour's totals. False,
   * changing nothing, if the request was never recorded or is already final: each counts once.
   * Call it inside a transaction (the writer does), so the row and its hour change together.
   * `open` saves a lookup when the caller already made it.
   */
  applyFinish(finish: RequestFinish, charge?: Charge, open?: OpenRequest): boolean;
  /** Runs `fn` with the hourly totals of the finishes it applies written once at its end (RollupRepo.batched). */
  batched<T>(fn: () => T): T;
  /** Flags every request left `pending` or `streaming` (by a crash) as `interrupted`; returns how many. */
  markInterrupted(): number;
  /** Requests with sinceMs ≤ started_at < untilMs matching the filters, newest first, at most `limit` (default 1000). */
  listRequests(query?: UsageQuery): UsageRow[];
}

export const DEFAULT_LIST_LIMIT = 1000;

/** Prepares the statements once for this connection. */
export function createRequestsRepo(db: BetterSqlite3.Database): RequestsRepo {
  const rollup = createRollupRepo(db);
  const query = createRequestsQuery(db);
  const insert = db.prepare(
    `INSERT INTO requests (request_id, started_at, client, user_agent, format, model, stream, status)
     VALUES (@requestId, @startedAtMs, @client, @userAgent, @format, @model, @stream, 'pending')`,
  );
  const streaming = db.prepare(
    `UPDATE requests SET status = 'streaming' WHERE request_id = ? AND status = 'pending'`,
  );
  const openRow = db.prepare<[string], { started_at: number; client: string; model: string | null }>(
    `SELECT started_at, client, model FROM requests WHERE request_id = ? AND status IN ('pending', 'streaming')`,
  );
  const openRequest = (requestId: string): OpenRequest | undefined => {
    const r = openRow.get(requestId);
    // client is one of ClientApp: the writer only ever stores those.
    return r === undefined
      ? undefined
      : { startedAtMs: r.started_at, client: r.client as ClientApp, model: r.model };
  };
  const finish = db.prepare(
    `UPDATE requests SET
       status = @status, upstream_model = @upstreamModel, provider = @provider, http_status = @httpStatus,
       ttfb_ms = @ttfbMs, upstream_ttfb_ms = @upstreamTtfbMs, duration_ms = @durationMs,
       input_tokens = @inputTokens, cache_read_tokens = @cacheReadTokens,
       cache_write_tokens = @cacheWriteTokens, cache_write_5m_tokens = @cacheWrite5mTokens,
       cache_write_1h_tokens = @cacheWrite1hTokens, output_tokens = @outputTokens,
       reasoning_tokens = @reasoningTokens, usage_provenance = @usageProvenance,
       raw_usage = @rawUsage, error = @error, cost_usd = @costUsd, pricing_id = @pricingId,
       translated_to = @translatedTo, route = @route
     WHERE request_id = @requestId AND status IN ('pending', 'streaming')`,
  );
  const interrupt = db.prepare(
    `UPDATE requests SET status = 'interrupted' WHERE status IN ('pending', 'streaming')`,
  );
  const interruptAll = db.transaction(() => {
    rollup.addOpenAsInterrupted();
    return interrupt.run().changes;
  });

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
    openRequest,
    batched(fn) {
      return rollup.batched(fn);
    },
    applyFinish(f, charge = NO_CHARGE, open = openRequest(f.requestId)) {
      if (open === undefined) return false;
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
        costUsd: charge.costUsd,
        pricingId: charge.pricingId,
        translatedTo: f.translatedTo ?? null,
        route: f.route == null ? null : JSON.stringify(f.route),
      });
      if (result.changes === 0) return false;
      rollup.add({
        startedAtMs: open.startedAtMs,
        client: open.client,
        provider: f.provider,
        model: f.upstreamModel ?? open.model,
        status: f.status,
        inputTokens: f.inputTokens,
        cacheReadTokens: f.cacheReadTokens,
        cacheWriteTokens: f.cacheWriteTokens,
        outputTokens: f.outputTokens,
        reasoningTokens: f.reasoningTokens,
        costUsd: charge.costUsd,
        ttfbBucket: f.status === 'completed' ? ttfbBucket(f.ttfbMs) : -1,
      });
      return true;
    },
    markInterrupted() {
      return interruptAll.immediate();
    },
    listRequests(q = {}) {
      return query.list(q);
    },
  };
}
