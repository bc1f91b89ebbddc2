import type { ProviderConfig } from '../../shared/config';
import type { Settings } from '../../shared/settings';
import { errorMessage } from '../../shared/errors';
import type { Failure } from '../../shared/failure';
import type { RequestContext } from './request-context';
import { injectsUsage, upstreamBody } from './upstream';

/** The small rules one attempt follows: which statuses fail over, which timeout applies, what is sent. */

/** Statuses after which another provider may well succeed (DESIGN.md §1). 401/403: this provider's credentials. */
export function isRetryableStatus(status: number): boolean {
  return (
    status === 408 || status === 409 || status === 429 || status >= 500 || status === 401 || status === 403
  );
}

/** A request that got no response: a timeout (`timedOut`, by the request's kind) or a socket failure. */
export function connectFailure(err: unknown, timedOut: Failure): Failure {
  const code = (err as { code?: unknown }).code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return timedOut;
  return { code: 'upstream_connect', detail: typeof code === 'string' ? code : errorMessage(err) };
}

/** A non-streaming generation: its headers come with the whole answer, so `nonStreamTimeoutMs` bounds it. */
export function isNonStreamGeneration(ctx: RequestContext): boolean {
  return !ctx.stream && ctx.route.op === 'generate';
}

/** The bytes sent upstream to `provider`: the client's (rewritten by the format when it must), or a repaired body. */
export function bodyFor(
  ctx: RequestContext,
  upstreamModel: string | null,
  json: Readonly<Record<string, unknown>> | null,
  provider: ProviderConfig,
): Buffer | null {
  const inject = injectsUsage(ctx, provider);
  if (json === null) return upstreamBody(ctx, upstreamModel, inject);
  return Buffer.from(ctx.adapter.rewriteBody(json, upstreamModel, inject) ?? JSON.stringify(json));
}

/** The request's settings with the provider's own timeouts laid over them. */
export function attemptSettings(settings: Settings, p: ProviderConfig): Settings {
  // Most providers override nothing: the request's own object then serves (an open stream holds it).
  if (
    p.connectTimeoutMs === undefined &&
    p.firstByteTimeoutMs === undefined &&
    p.idleTimeoutMs === undefined &&
    p.nonStreamTimeoutMs === undefined &&
    p.prefetchMaxMs === undefined
  )
    return settings;
  return {
    ...settings,
    connectTimeoutMs: p.connectTimeoutMs ?? settings.connectTimeoutMs,
    firstByteTimeoutMs: p.firstByteTimeoutMs ?? settings.firstByteTimeoutMs,
    idleTimeoutMs: p.idleTimeoutMs ?? settings.idleTimeoutMs,
    nonStreamTimeoutMs: p.nonStreamTimeoutMs ?? settings.nonStreamTimeoutMs,
    prefetchMaxMs: p.prefetchMaxMs ?? settings.prefetchMaxMs,
  };
}

/** Whether a 2xx answer is really an HTML page (a captive portal, a proxy's error page). */
export function looksLikeHtml(contentType: string | undefined, held: readonly Buffer[]): boolean {
  if (contentType?.toLowerCase().includes('text/html')) return true;
  const first = held[0]?.toString('utf8', 0, 64).trimStart().toLowerCase() ?? '';
  return first.startsWith('<!doctype') || first.startsWith('<html');
}
