import type { Dispatcher } from 'undici';
import type { ProviderConfig } from '../../shared/config';
import type { Settings } from '../../shared/settings';
import { errorMessage } from '../../shared/errors';
import type { Failure } from '../../shared/failure';
import type { FormatAdapter, RequestRepair, StreamError } from '../../formats';
import type { Clock } from './ports';
import type { RequestLedger } from './ledger';
import type { SignatureBook } from './signature-book';
import type { RequestContext } from './request-context';
import { ChunkReader } from './chunk-reader';
import { observeBody, type BodyObserver } from './observe';
import { CREDENTIAL_HEADERS } from '../http/guard';
import { mapModel, translatedInbound, translationFor, Untranslatable, type Translation } from './translation';
import { decompressed, isDecodable } from './stages/decompress';
import { buildHeaders, buildTarget, clientHeaders, type UpstreamPools } from './upstream';
import { retryAfterMs } from './health';
import { bodyHead, errorVerdict, readErrorBody, type ErrorAnswer, type ErrorRules } from './error-answer';
import {
  attemptSettings,
  bodyFor,
  connectFailure,
  isNonStreamGeneration,
  isRetryableStatus,
  looksLikeHtml,
} from './attempt-rules';

export { attemptSettings, isRetryableStatus };

/** An attempt that never left: nothing was sent, nothing answered. */
const NOT_SENT = {
  kind: 'fail',
  phase: 'connect',
  status: null,
  retryAfterMs: null,
  bodyHead: null,
  streamError: null,
  answer: null,
  repair: null,
} as const;

/** The client's credentials are its own vendor's: a translated request carries none of them. */
const TRANSLATED_DROP: ReadonlySet<string> = new Set(CREDENTIAL_HEADERS);

/** An attempt that reached the commit point: the response is this provider's, bytes may now flow to the client. */
export interface Committed {
  kind: 'commit';
  provider: ProviderConfig;
  /** The request's settings with this provider's timeouts laid over them (`attemptSettings`). */
  settings: Settings;
  /** Wall-clock ms when the attempt started. */
  startedAtMs: number;
  upstreamModel: string | null;
  /** The provider's format for this attempt: the client's, or the one it was translated to. */
  speaking: FormatAdapter;
  /** The translated request, when the provider does not speak the client's format; null = relayed as is. */
  translation: Translation | null;
  /** This attempt's number within its request (1 = the first tried). */
  attemptNo: number;
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
  /** The provider's own error answer (a non-2xx status and its body), when it gave one. */
  answer: ErrorAnswer | null;
  /** A repaired request worth sending once more to the same provider, when the format knows one. */
  repair: RequestRepair | null;
}

export type AttemptResult = Committed | Failed;

export interface AttemptDeps {
  pools: UpstreamPools;
  clock: Clock;
  /** Gemini signatures a translated client cannot carry, put back on its next turns (absent: none kept). */
  signatures?: SignatureBook;
}

/** What the walk tells one attempt (the rules for its error answers, and the body to send). */
export type AttemptOptions = ErrorRules;

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
  opts: AttemptOptions = { modelElsewhere: false, mayRepair: false, json: null },
): Promise<AttemptResult> {
  const s = attemptSettings(ctx.settings, provider);
  const startedAtMs = deps.clock.now();
  const startMono = deps.clock.mono();
  const upstreamModel = mapModel(provider, ctx.model);
  // A provider of another format gets the request translated (a repaired body is the client's format).
  let translation: Translation | null;
  try {
    translation =
      opts.json === null ? translationFor(ctx, provider, upstreamModel, deps.signatures ?? null) : null;
  } catch (err) {
    if (!(err instanceof Untranslatable)) throw err;
    const failure: Failure = { code: 'untranslatable', detail: err.message };
    return { ...NOT_SENT, provider, failure, startedAtMs, startMono };
  }
  const speaking = translation?.adapter ?? ctx.adapter;
  const body = translation?.body ?? bodyFor(ctx, upstreamModel, opts.json, provider);
  const nonStream = isNonStreamGeneration(ctx);
  // Slow is not a failure for a non-streaming answer: only its own, longer bound applies.
  const firstByteMs = nonStream ? s.nonStreamTimeoutMs : s.firstByteTimeoutMs;
  const timedOut: Failure = { code: nonStream ? 'non_stream_timeout' : 'first_byte_timeout' };
  const target =
    translation === null
      ? buildTarget(provider, ctx.route, upstreamModel, ctx.query)
      : buildTarget(provider, translation.route, upstreamModel, translation.query);
  const headers = buildHeaders(
    translation === null ? ctx.headers : translatedInbound(ctx.headers, speaking, TRANSLATED_DROP),
    provider,
    body === null ? null : body.length,
    speaking.authHeaders,
  );
  const abort = new AbortController();
  const onClientAbort = (): void => abort.abort();
  ctx.abort.signal.addEventListener('abort', onClientAbort, { once: true });
  let phase: AttemptPhase = 'connect';
  let retryAfter: number | null = null;
  type More = Partial<Pick<Failed, 'streamError' | 'answer' | 'repair'>>;
  const fail = (failure: Failure, status: number | null, head: string | null, more: More = {}): Failed => {
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
      bodyHead: head,
      streamError: more.streamError ?? null,
      answer: more.answer ?? null,
      repair: more.repair ?? null,
    };
  };
  ledger.attemptStarted(
    attemptNo,
    provider,
    target.displayUrl,
    translation === null ? null : speaking.format,
  );
  if (translation !== null) ledger.upstreamRequest(attemptNo, translation.body);

  const sentMono = deps.clock.mono();
  let res: Dispatcher.ResponseData;
  try {
    const sent = deps.pools.request(provider.id, target.origin, s, {
      method: ctx.method,
      path: target.path,
      headers,
      body,
      signal: abort.signal,
      headersTimeout: firstByteMs,
      bodyTimeout: nonStream ? s.nonStreamTimeoutMs : s.idleTimeoutMs,
    });
    if (sent.waiting) ledger.waitingForConnection(attemptNo, provider, s.upstreamConnections);
    res = await sent.response;
  } catch (err) {
    if (ctx.abort.signal.aborted) return fail({ code: 'client_aborted' }, null, null);
    return fail(connectFailure(err, timedOut), null, null);
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
  const mode = is2xx ? speaking.bodyMode(ctx.stream, contentType) : 'json';
  const observer = observeBody(ctx, speaking.createObserver(), mode, ledger, attemptNo);
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
      speaking,
      translation,
      attemptNo,
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
  const failRead = (failure: Failure, more: More = {}): Failed => {
    reader.destroy();
    return fail(failure, res.statusCode, bodyHead(held), more);
  };
  /** An error found inside a 2xx body, with its own words as the failure's detail. */
  const errorInside = (code: 'error_in_stream' | 'error_in_body'): Failed => {
    const e = observer.facts.error;
    const detail = e === null ? undefined : `${e.type ?? 'error'}: ${e.message}`;
    return failRead(detail === undefined ? { code } : { code, detail }, { streamError: e });
  };

  if (!is2xx) {
    const status = res.statusCode;
    const retryable = isRetryableStatus(status);
    // A 400 or 404 may say "not this provider" (model not found) or ask for a repair, a 402 that the
    // key's credit is spent: read it first.
    if (!retryable && status !== 400 && status !== 402 && status !== 404) return commit(reader, null);
    const wait = Math.min(s.firstByteTimeoutMs, s.idleTimeoutMs);
    const whole = await readErrorBody(
      reader,
      held,
      (c) => observer.push(c),
      wait,
      () => deps.clock.mono(),
    );
    const answer: ErrorAnswer = {
      status,
      headers: clientHeaders(res.headers),
      body: Buffer.concat(held),
      whole,
    };
    const verdict = errorVerdict(ctx, speaking, answer, retryable, opts);
    if (verdict.kind === 'fail') return failRead(verdict.failure, verdict);
    if (!whole) return commit(reader, null); // the rest follows as it comes
    observer.end();
    return commit(null, null); // returned unchanged
  }

  // Prefetch gate: hold until content / terminal / error, or its byte and time bounds.
  phase = 'prefetch';
  const isStreaming = mode !== 'json';
  let upstreamTtfbMs: number | null = null;
  const gateDeadline = deps.clock.mono() + s.prefetchMaxMs;
  for (;;) {
    const now = deps.clock.mono();
    const timeout =
      upstreamTtfbMs === null
        ? firstByteMs - (now - sentMono)
        : isStreaming
          ? gateDeadline - now
          : s.idleTimeoutMs;
    let r;
    try {
      r = await reader.next(timeout);
    } catch (err) {
      if (ctx.abort.signal.aborted) return failRead({ code: 'client_aborted' });
      const bodyTimeout = (err as { code?: unknown }).code === 'UND_ERR_BODY_TIMEOUT';
      if (nonStream && bodyTimeout) return failRead(timedOut);
      return failRead({ code: 'read_error', detail: errorMessage(err) });
    }
    if (r.kind === 'timeout') {
      if (upstreamTtfbMs === null) return failRead(timedOut);
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
