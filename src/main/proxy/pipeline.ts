import type { RequestFinish } from '../../shared/usage';
import { errorMessage } from '../../shared/errors';
import type { Clock, LiveSink, SettingsSource, UsageSink } from './ports';
import type { RequestContext } from './request-context';
import type { UpstreamPools } from './upstream';
import type { Failed } from './attempt';
import type { StreamFacts } from './formats/types';
import { runAttempt } from './attempt';
import { candidatesFor, noProviderMessage } from './failover';
import { relay, type RelayResult } from './relay';
import { sendError } from './respond';
import { EMPTY_USAGE } from '../../shared/usage';

export interface PipelineDeps {
  source: SettingsSource;
  usage: UsageSink;
  live: LiveSink;
  clock: Clock;
  pools: UpstreamPools;
}

/**
 * One request, top to bottom: record its start → try candidates in priority order until one commits →
 * relay → record exactly one outcome. The one place to learn the flow (DESIGN.md §1).
 */
export async function runPipeline(ctx: RequestContext, deps: PipelineDeps): Promise<void> {
  const { clock, live, usage } = deps;
  usage.requestStarted({
    requestId: ctx.id,
    startedAtMs: ctx.startedAt,
    client: ctx.client,
    userAgent: headerString(ctx.headers['user-agent']),
    format: ctx.format,
    model: ctx.model,
    stream: ctx.stream,
  });
  live.publish({
    type: 'request-started',
    requestId: ctx.id,
    at: ctx.startedAt,
    format: ctx.format,
    model: ctx.model,
    client: ctx.client,
    stream: ctx.stream,
  });

  const providers = deps.source.providers();
  const candidates = candidatesFor(ctx.format, providers);
  let last: Failed | null = null;
  let result: RelayResult | null = null;
  let facts: StreamFacts | null = null;
  let provider: string | null = null;
  let upstreamModel: string | null = null;
  let upstreamTtfbMs: number | null = null;
  let attempts = 0;
  try {
    for (const candidate of candidates) {
      if (ctx.abort.signal.aborted) break;
      attempts++;
      const r = await runAttempt(ctx, candidate, attempts, deps);
      if (r.kind === 'fail') {
        last = r;
        live.publish({
          type: 'attempt-failed',
          requestId: ctx.id,
          at: clock.now(),
          attempt: attempts,
          provider: candidate.id,
          reason: r.reason,
          status: r.status,
          bodyHead: r.bodyHead,
        });
        continue;
      }
      provider = r.provider.id;
      upstreamModel = r.upstreamModel;
      upstreamTtfbMs = r.upstreamTtfbMs;
      facts = r.observer.facts;
      usage.requestStreaming(ctx.id);
      result = await relay(ctx, r, attempts, live, clock);
      break;
    }
  } catch (err) {
    // A bug, not an upstream failure: answer if we still can, record it, never crash the server.
    result = null;
    last = null;
    sendError(
      ctx.res,
      ctx.adapter,
      500,
      'internal',
      `Sluice internal error: ${errorMessage(err)}`,
      idHeaders(ctx, attempts),
    );
    finish(
      ctx,
      deps,
      { outcome: 'failed', httpStatus: 500, ttfbMs: null, error: `internal: ${errorMessage(err)}` },
      null,
      provider,
      upstreamModel,
      upstreamTtfbMs,
    );
    return;
  }

  if (result === null) {
    if (ctx.abort.signal.aborted) {
      finish(
        ctx,
        deps,
        { outcome: 'aborted', httpStatus: 499, ttfbMs: null, error: 'client closed the connection' },
        null,
        last?.provider.id ?? null,
        null,
        null,
      );
      return;
    }
    const status = last === null ? 503 : (last.status ?? last.streamError?.status ?? 502);
    const message =
      last === null
        ? noProviderMessage(ctx.format, providers)
        : `All ${attempts} provider attempt(s) failed; last: ${last.provider.id}: ${last.reason}${last.streamError ? ` (${last.streamError.message})` : ''}`;
    sendError(
      ctx.res,
      ctx.adapter,
      status,
      last === null ? 'no_provider' : 'upstream_status',
      message,
      idHeaders(ctx, attempts),
    );
    finish(
      ctx,
      deps,
      { outcome: 'failed', httpStatus: status, ttfbMs: clock.mono() - ctx.startMono, error: message },
      null,
      last?.provider.id ?? null,
      null,
      null,
    );
    return;
  }
  finish(ctx, deps, result, facts, provider, upstreamModel, upstreamTtfbMs);
}

function idHeaders(ctx: RequestContext, attempts: number): Record<string, string> {
  return { 'x-sluice-request-id': ctx.id, 'x-sluice-attempts': String(attempts) };
}

function headerString(v: string | string[] | undefined): string | null {
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(', ') : v;
}

function finish(
  ctx: RequestContext,
  deps: PipelineDeps,
  r: Pick<RelayResult, 'outcome' | 'httpStatus' | 'error'> & { ttfbMs: number | null },
  facts: StreamFacts | null,
  provider: string | null,
  upstreamModel: string | null,
  upstreamTtfbMs: number | null,
): void {
  const usage = facts?.usage ?? EMPTY_USAGE;
  const hasUsage = facts !== null && facts.rawUsage !== null;
  const row: RequestFinish = {
    requestId: ctx.id,
    status: r.outcome,
    upstreamModel,
    provider,
    httpStatus: r.httpStatus,
    ttfbMs: r.ttfbMs === null ? null : Math.round(r.ttfbMs),
    upstreamTtfbMs: upstreamTtfbMs === null ? null : Math.round(upstreamTtfbMs),
    durationMs: Math.round(deps.clock.mono() - ctx.startMono),
    ...usage,
    usageProvenance: !hasUsage ? 'none' : r.outcome === 'completed' ? 'reported' : 'partial',
    rawUsage: hasUsage ? JSON.stringify(facts.rawUsage) : null,
    error: r.error,
  };
  deps.usage.requestFinished(row);
  deps.live.publish({
    type: 'request-finished',
    requestId: ctx.id,
    at: deps.clock.now(),
    outcome: r.outcome,
    httpStatus: r.httpStatus,
    durationMs: row.durationMs,
    usage: { ...usage },
    error: r.error,
  });
}
