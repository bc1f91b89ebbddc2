import type { Dispatcher } from 'undici';
import type { ProviderConfig } from '../../shared/config';
import type { Settings } from '../../shared/settings';
import { errorMessage } from '../../shared/errors';
import type { Failure } from '../../shared/failure';
import type { StreamError } from '../../formats';
import type { Clock } from './ports';
import type { RequestLedger } from './ledger';
import type { RequestContext } from './request-context';
import { ChunkReader } from './chunk-reader';
import { bodyMode, observeBody, type BodyObserver } from './observe';
import { decompressed, isDecodable } from './stages/decompress';
import {
  buildHeaders,
  buildTarget,
  clientHeaders,
  mapModel,
  upstreamBody,
  type UpstreamPools,
} from './upstream';
import { retryAfterMs } from './health';

/** Statuses after which another provider may well succeed (DESIGN.md §1). 401/403: this provider's credentials. */
export function isRetryableStatus(status: number): boolean {
  return (
    status === 408 || status === 409 || status === 429 || status >= 500 || status === 401 || status === 403
  );
}

/** An attempt that reached the commit point: the response is this provider's, bytes may now flow to the client. */
export interface Committed {
  kind: 'commit';
  provider: ProviderConfig;
  /** The request's settings with this provider's timeouts laid over them (`attemptSettings`). */
  settings: Settings;
  /** Wall-clock ms when the attempt started. */
  startedAtMs: number;
  upstreamModel: string | null;
  status: number;
  headers: Record<string, string | string[]>;
  /** Bytes read before the commit, in order. */
  held: Buffer[];
  /** The rest of the body; null when it has been read whole. */
  reader: ChunkReader | null;
  observer: BodyObserver;
  isSse: boolean;
  upstreamTtfbMs: number | null;
  /** Aborts this attempt's upstream request. */
  abort: AbortController;
}

/** How far an attempt got. */
export type AttemptPhase = 'connect' | 'headers' | 'prefetch' | 'relay';

/** An attempt that failed before the commit point. */
export interface Failed {
  kind: 'fail';
  provider: ProviderConfig;
  phase: AttemptPhase;
  failure: Failure;
  /** Wall-clock ms and monotonic ms when the attempt started. */
  startedAtMs: number;
  startMono: number;
  status: number | null;
  /** Retry-After / retry-after-ms of the failing answer, ms. */
  retryAfterMs: number | null;
  /** The first bytes of the failing body, ≤ 2 KiB. */
  bodyHead: string | null;
  streamError: StreamError | null;
}

export type AttemptResult = Committed | Failed;

export interface AttemptDeps {
  pools: UpstreamPools;
  clock: Clock;
}

const HEAD_BYTES = 2048;

function head(chunks: readonly Buffer[]): string | null {
  if (chunks.length === 0) return null;
  return Buffer.concat(chunks).subarray(0, HEAD_BYTES).toString('utf8');
}

function connectFailure(err: unknown): Failure {
  const code = (err as { code?: unknown }).code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return { code: 'first_byte_timeout' };
  return { code: 'upstream_connect', detail: typeof code === 'string' ? code : errorMessage(err) };
}

/**
 * One upstream attempt, up to the commit point: send, classify the status, then hold a 2xx body until
 * its first content or terminal event (the prefetch gate), so an error inside a 200 stream can still
 * fail over. Never writes to the client.
 */
export async function runAttempt(
  ctx: RequestContext,
  provider: ProviderConfig,
  attemptNo: number,
  deps: AttemptDeps,
  ledger: RequestLedger,
): Promise<AttemptResult> {
  const s = attemptSettings(ctx.settings, provider);
  const startedAtMs = deps.clock.now();
  const startMono = deps.clock.mono();
  const upstreamModel = mapModel(provider, ctx.model);
  const body = upstreamBody(ctx, upstreamModel);
  const target = buildTarget(provider, ctx.route, upstreamModel, ctx.query);
  const headers = buildHeaders(
    ctx.headers,
    provider,
    body === null ? null : body.length,
    ctx.adapter.authHeaders,
  );
  const abort = new AbortController();
  const onClientAbort = (): void => abort.abort();
  ctx.abort.signal.addEventListener('abort', onClientAbort, { once: true });
  let phase: AttemptPhase = 'connect';
  let retryAfter: number | null = null;
  const fail = (
    failure: Failure,
    status: number | null,
    bodyHead: string | null,
    streamError: StreamError | null = null,
  ): Failed => {
    abort.abort();
    ctx.abort.signal.removeEventListener('abort', onClientAbort);
    return {
      kind: 'fail',
      provider,
      phase,
      failure,
      startedAtMs,
      startMono,
      status,
      retryAfterMs: retryAfter,
      bodyHead,
      streamError,
    };
  };
  ledger.attemptStarted(attemptNo, provider, target.displayUrl);

  const sentMono = deps.clock.mono();
  let res: Dispatcher.ResponseData;
  try {
    res = await deps.pools.get(provider.id, target.origin, s).request({
      method: ctx.method,
      path: target.path,
      headers,
      body,
      signal: abort.signal,
      headersTimeout: s.firstByteTimeoutMs,
      bodyTimeout: s.idleTimeoutMs,
    });
  } catch (err) {
    if (ctx.abort.signal.aborted) return fail({ code: 'client_aborted' }, null, null);
    return fail(connectFailure(err), null, null);
  }

  phase = 'headers';
  retryAfter = retryAfterMs(res.headers, deps.clock.now());
  const contentType =
    typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : undefined;
  if (!isDecodable(res.headers['content-encoding'])) {
    res.body.destroy();
    const detail = String(res.headers['content-encoding']);
    return fail({ code: 'undecodable_encoding', detail }, res.statusCode, null);
  }
  const reader = new ChunkReader(decompressed(res.body, res.headers['content-encoding']));
  const is2xx = res.statusCode >= 200 && res.statusCode < 300;
  const mode = is2xx ? bodyMode(ctx, contentType) : 'json';
  const observer = observeBody(ctx, ctx.adapter.createObserver(), mode, ledger, attemptNo);
  const held: Buffer[] = [];
  const commit = (rest: ChunkReader | null, upstreamTtfbMs: number | null): Committed => {
    ctx.abort.signal.removeEventListener('abort', onClientAbort);
    // After the commit a client abort still reaches upstream through the relay's own listener.
    return {
      kind: 'commit',
      provider,
      settings: s,
      startedAtMs,
      upstreamModel,
      status: res.statusCode,
      headers: clientHeaders(res.headers),
      held,
      reader: rest,
      observer,
      isSse: mode === 'sse',
      upstreamTtfbMs,
      abort,
    };
  };
  const failRead = (failure: Failure, streamError: StreamError | null = null): Failed => {
    reader.destroy();
    return fail(failure, res.statusCode, head(held), streamError);
  };
  /** An error found inside a 2xx body, with its own words as the failure's detail. */
  const errorInside = (code: 'error_in_stream' | 'error_in_body'): Failed => {
    const e = observer.facts.error;
    const detail = e === null ? undefined : `${e.type ?? 'error'}: ${e.message}`;
    return failRead(detail === undefined ? { code } : { code, detail }, e);
  };

  if (!is2xx && isRetryableStatus(res.statusCode)) {
    // Read a bounded head of the error body for the attempt record, then drop the rest.
    try {
      while (observer.bytes < HEAD_BYTES) {
        const r = await reader.next(s.idleTimeoutMs);
        if (r.kind !== 'chunk') break;
        held.push(r.chunk);
        observer.push(r.chunk);
      }
    } catch {
      // the status already says enough
    }
    return failRead({ code: 'http_status', status: res.statusCode });
  }
  if (!is2xx) return commit(reader, null); // the client's own mistake: returned unchanged

  // Prefetch gate: hold until content / terminal / error, or its byte and time bounds.
  phase = 'prefetch';
  const isStreaming = mode !== 'json';
  let upstreamTtfbMs: number | null = null;
  const gateDeadline = deps.clock.mono() + s.prefetchMaxMs;
  for (;;) {
    const now = deps.clock.mono();
    const timeout =
      upstreamTtfbMs === null
        ? s.firstByteTimeoutMs - (now - sentMono)
        : isStreaming
          ? gateDeadline - now
          : s.idleTimeoutMs;
    let r;
    try {
      r = await reader.next(timeout);
    } catch (err) {
      if (ctx.abort.signal.aborted) return failRead({ code: 'client_aborted' });
      return failRead({ code: 'read_error', detail: errorMessage(err) });
    }
    if (r.kind === 'timeout') {
      if (upstreamTtfbMs === null) return failRead({ code: 'first_byte_timeout' });
      return commit(reader, upstreamTtfbMs); // prefetchMaxMs passed: commit what we hold
    }
    if (r.kind === 'end') {
      observer.end();
      if (observer.signals.error) return errorInside('error_in_body');
      if (observer.bytes === 0) return failRead({ code: 'empty_body' });
      if (looksLikeHtml(contentType, held)) return failRead({ code: 'html_page' });
      if (isStreaming && !observer.signals.content && !observer.signals.terminal)
        return failRead({ code: 'no_content' });
      return commit(null, upstreamTtfbMs);
    }
    upstreamTtfbMs ??= deps.clock.mono() - sentMono;
    held.push(r.chunk);
    observer.push(r.chunk);
    if (observer.signals.error) return errorInside('error_in_stream');
    if (isStreaming && (observer.signals.content || observer.signals.terminal))
      return commit(reader, upstreamTtfbMs);
    if (observer.bytes > (isStreaming ? s.prefetchMaxBytes : s.maxObservedBodyBytes)) {
      if (looksLikeHtml(contentType, held)) return failRead({ code: 'html_page' });
      return commit(reader, upstreamTtfbMs);
    }
  }
}

/** The request's settings with the provider's own timeouts laid over them. */
export function attemptSettings(settings: Settings, p: ProviderConfig): Settings {
  return {
    ...settings,
    connectTimeoutMs: p.connectTimeoutMs ?? settings.connectTimeoutMs,
    firstByteTimeoutMs: p.firstByteTimeoutMs ?? settings.firstByteTimeoutMs,
    idleTimeoutMs: p.idleTimeoutMs ?? settings.idleTimeoutMs,
    prefetchMaxMs: p.prefetchMaxMs ?? settings.prefetchMaxMs,
  };
}

function looksLikeHtml(contentType: string | undefined, held: readonly Buffer[]): boolean {
  if (contentType?.toLowerCase().includes('text/html')) return true;
  const first = held[0]?.toString('utf8', 0, 64).trimStart().toLowerCase() ?? '';
  return first.startsWith('<!doctype') || first.startsWith('<html');
}
