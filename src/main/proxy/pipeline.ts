import type { AttemptRecord, RequestFinish, RequestOutcome } from '../../shared/usage';
import { EMPTY_USAGE } from '../../shared/usage';
import { settleUsage } from '../../shared/settle-usage';
import { errorMessage } from '../../shared/errors';
import { redactSecrets } from '../../shared/redact';
import type { CaptureSink, Clock, LiveSink, SettingsSource, UsageSink } from './ports';
import type { RequestContext } from './request-context';
import type { UpstreamPools } from './upstream';
import type { StreamFacts } from '../../formats';
import type { Failed } from './attempt';
import type { HealthBook } from './health';
import type { RateLimiter } from './rate-limit';
import { noProviderMessage, runFailover, type FailoverResult } from './failover';
import { relay } from './relay';
import { sendError } from '../http/respond';

export interface PipelineDeps {
  source: SettingsSource;
  usage: UsageSink;
  live: LiveSink;
  clock: Clock;
  pools: UpstreamPools;
  health: HealthBook;
  limiter: RateLimiter;
  /** Raw frames and (optionally) request bodies for the inspector. */
  capture?: CaptureSink;
}

interface Ending {
  outcome: RequestOutcome;
  httpStatus: number | null;
  ttfbMs: number | null;
  error: string | null;
  facts: StreamFacts | null;
  provider: string | null;
  upstreamModel: string | null;
  upstreamTtfbMs: number | null;
}

/**
 * One request, top to bottom: record its start → fail over across candidates until one commits →
 * relay → record exactly one outcome and update the provider's health. The one place to learn the flow.
 */
export async function runPipeline(ctx: RequestContext, deps: PipelineDeps): Promise<void> {
  const { clock, live, usage, health } = deps;
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
  // What the inspector keeps of the request (masking its headers costs tens of µs) is taken off the
  // path to the first byte: by the next turn of the event loop the upstream request is on its way. It
  // always runs before the request's end is recorded, which closes its capture.
  let captured = false;
  const captureRequest = (): void => {
    if (captured) return;
    captured = true;
    deps.capture?.requestHeaders(ctx.id, ctx.method, ctx.req.url ?? '/', ctx.headers);
    if (ctx.body !== null) deps.capture?.requestBody(ctx.id, ctx.body);
  };
  const deferred = setImmediate(captureRequest);
  const end = (e: Ending): void => {
    clearImmediate(deferred);
    captureRequest();
    finish(ctx, deps, e);
  };

  const providers = deps.source.providers();
  const secrets = providers.flatMap((p) => (p.apiKey === undefined ? [] : [p.apiKey]));
  let seq = 0;
  const recordAttempt = (a: Omit<AttemptRecord, 'requestId' | 'attemptNo'>): void => {
    usage.attemptFinished({
      ...a,
      requestId: ctx.id,
      attemptNo: ++seq,
      bodyHead: a.bodyHead === null ? null : redactSecrets(a.bodyHead, secrets),
    });
  };
  const base: Ending = {
    outcome: 'failed',
    httpStatus: null,
    ttfbMs: null,
    error: null,
    facts: null,
    provider: null,
    upstreamModel: null,
    upstreamTtfbMs: null,
  };

  let result: FailoverResult;
  try {
    result = await runFailover(ctx, providers, {
      ...deps,
      onFailed(f, attemptNo, startedAtMs, durationMs) {
        const bodyHead = f.bodyHead === null ? null : redactSecrets(f.bodyHead, secrets);
        live.publish({
          type: 'attempt-failed',
          requestId: ctx.id,
          at: clock.now(),
          attempt: attemptNo,
          provider: f.provider.id,
          reason: f.reason,
          status: f.status,
          bodyHead,
        });
        recordAttempt({
          provider: f.provider.id,
          startedAtMs,
          phase: f.phase,
          outcome: f.reason === 'client-aborted' ? 'aborted' : 'failed',
          reason: f.reason,
          httpStatus: f.status,
          durationMs,
          bodyHead,
        });
      },
      onSkipped(p, reason) {
        live.publish({ type: 'attempt-skipped', requestId: ctx.id, at: clock.now(), provider: p.id, reason });
        recordAttempt({
          provider: p.id,
          startedAtMs: clock.now(),
          phase: 'skipped',
          outcome: 'skipped',
          reason,
          httpStatus: null,
          durationMs: null,
          bodyHead: null,
        });
      },
    });
  } catch (err) {
    // A bug, not an upstream failure: answer if we still can, record it, never crash the server.
    sendError(
      ctx.res,
      ctx.adapter,
      500,
      'internal',
      `Sluice internal error: ${errorMessage(err)}`,
      idHeaders(ctx, 0),
    );
    end({ ...base, httpStatus: 500, error: `internal: ${errorMessage(err)}` });
    return;
  }

  switch (result.kind) {
    case 'committed': {
      const c = result.committed;
      usage.requestStreaming(ctx.id);
      const r = await relay(ctx, c, result.attempts, live, clock, deps.capture);
      result.release();
      if (r.outcome === 'completed' || (r.outcome === 'failed' && c.status >= 300))
        health.record(c.provider.id, ctx.settings, true);
      else if (r.outcome === 'failed') health.record(c.provider.id, ctx.settings, false, r.error);
      else health.release(c.provider.id, ctx.settings);
      recordAttempt({
        provider: c.provider.id,
        startedAtMs: result.startedAtMs,
        phase: 'relay',
        outcome: r.outcome === 'aborted' ? 'aborted' : 'committed',
        reason: r.error,
        httpStatus: c.status,
        durationMs: clock.now() - result.startedAtMs, // attempt start → end of the relay
        bodyHead: null,
      });
      end({
        ...r,
        facts: c.observer.facts,
        provider: c.provider.id,
        upstreamModel: c.upstreamModel,
        upstreamTtfbMs: c.upstreamTtfbMs,
      });
      return;
    }
    case 'aborted':
      end({
        ...base,
        outcome: 'aborted',
        httpStatus: 499,
        error: 'client closed the connection',
        provider: result.last?.provider.id ?? null,
      });
      return;
    case 'refused': {
      sendError(ctx.res, ctx.adapter, 503, 'rate_limited', result.message, idHeaders(ctx, result.attempts));
      end({
        ...base,
        httpStatus: 503,
        ttfbMs: clock.mono() - ctx.startMono,
        error: result.message,
      });
      return;
    }
    case 'exhausted': {
      const { last, attempts } = result;
      let status: number;
      let message: string;
      const headers = idHeaders(ctx, attempts);
      if (last !== null) {
        status = failureStatus(last);
        message = `All ${attempts} attempt(s) failed; last: ${last.provider.id}: ${last.reason}${last.streamError ? ` (${last.streamError.message})` : ''}`;
      } else if (result.rateLimitedForMs !== null) {
        status = 429;
        message = `Every ${ctx.format} provider is at its Sluice rate limit; retry in ${Math.ceil(result.rateLimitedForMs / 1000)} s`;
        headers['retry-after'] = String(Math.max(1, Math.ceil(result.rateLimitedForMs / 1000)));
      } else if (result.skipped.length > 0) {
        status = 503;
        message = `No ${ctx.format} provider can take requests now: ${result.skipped.map((k) => `${k.provider} (${k.reason})`).join(', ')}`;
      } else {
        status = 503;
        message = noProviderMessage(ctx.format, providers);
      }
      const code = last !== null ? 'upstream_status' : status === 429 ? 'rate_limited' : 'no_provider';
      sendError(ctx.res, ctx.adapter, status, code, redactSecrets(message, secrets), headers);
      end({
        ...base,
        httpStatus: status,
        ttfbMs: clock.mono() - ctx.startMono,
        error: redactSecrets(message, secrets),
        provider: last?.provider.id ?? null,
      });
      return;
    }
  }
}

/** Statuses named by in-stream error types, for answering with the right one when a 200 stream failed. */
const STATUS_BY_ERROR_TYPE: Readonly<Record<string, number>> = {
  overloaded_error: 529,
  rate_limit_error: 429,
  rate_limit_exceeded: 429,
  insufficient_quota: 429,
  RESOURCE_EXHAUSTED: 429,
  UNAVAILABLE: 503,
  api_error: 500,
  server_error: 500,
  INTERNAL: 500,
  authentication_error: 401,
  permission_error: 403,
  invalid_request_error: 400,
  INVALID_ARGUMENT: 400,
};

/**
 * The status to answer with for a failed attempt: its own when the upstream said no; when the failure
 * was found inside a 2xx body, the status the error names, else 502 — never a 200 for a failure.
 */
function failureStatus(f: Failed): number {
  if (f.status !== null && (f.status < 200 || f.status >= 300)) return f.status;
  const e = f.streamError;
  const named = e?.status ?? (e?.type ? STATUS_BY_ERROR_TYPE[e.type] : undefined);
  return named !== undefined && named >= 400 && named <= 599 ? named : 502;
}

function idHeaders(ctx: RequestContext, attempts: number): Record<string, string> {
  return { 'x-sluice-request-id': ctx.id, 'x-sluice-attempts': String(attempts) };
}

function headerString(v: string | string[] | undefined): string | null {
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(', ') : v;
}

function finish(ctx: RequestContext, deps: PipelineDeps, e: Ending): void {
  const hasUsage = e.facts !== null && e.facts.rawUsage !== null;
  // Reported usage as is; a cut stream's count raised to what was seen; nothing reported → estimated.
  const settled = settleUsage({
    outcome: e.outcome,
    usage: e.facts?.usage ?? EMPTY_USAGE,
    reported: hasUsage,
    text: e.facts?.text ?? '',
    thinking: e.facts?.thinking ?? '',
    toolArguments: e.facts?.toolCalls.map((t) => t.arguments) ?? [],
  });
  const usage = settled.usage;
  const row: RequestFinish = {
    requestId: ctx.id,
    status: e.outcome,
    upstreamModel: e.upstreamModel,
    provider: e.provider,
    httpStatus: e.httpStatus,
    ttfbMs: e.ttfbMs === null ? null : Math.round(e.ttfbMs),
    upstreamTtfbMs: e.upstreamTtfbMs === null ? null : Math.round(e.upstreamTtfbMs),
    durationMs: Math.round(deps.clock.mono() - ctx.startMono),
    ...usage,
    usageProvenance: settled.provenance,
    rawUsage: hasUsage ? JSON.stringify(e.facts?.rawUsage) : null,
    error: e.error,
  };
  deps.usage.requestFinished(row);
  deps.live.publish({
    type: 'request-finished',
    requestId: ctx.id,
    at: deps.clock.now(),
    outcome: e.outcome,
    httpStatus: e.httpStatus,
    durationMs: row.durationMs,
    usage: { ...usage },
    error: e.error,
  });
}
