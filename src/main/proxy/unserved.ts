import type { ProviderConfig } from '../../shared/config';
import { providerFormats } from '../../shared/api-format';
import { adapterFor } from '../../formats';
import { errorMessage } from '../../shared/errors';
import { failureText, type Failure } from '../../shared/failure';
import { sendError } from '../http/respond';
import type { Failed } from './attempt';
import { candidatesFor, noProviderMessage } from './candidates';
import { estimateInputTokens } from './count-estimate';
import { headerText, relayedErrorHeaders } from './error-answer';
import type { Unserved } from './failover';
import type { Ending, RequestLedger } from './ledger';
import type { Clock } from './ports';
import type { RequestContext } from './request-context';
import { speaksNatively } from './translation';

const NOT_SERVED: Omit<Ending, 'outcome' | 'httpStatus' | 'ttfbMs' | 'failure'> = {
  facts: null,
  provider: null,
  upstreamModel: null,
  upstreamTtfbMs: null,
  translatedTo: null,
};

/**
 * Answers a request that no attempt served and says how it ended: the client left; a limit refused it;
 * or every candidate failed or was passed over. When a provider answered, the client gets that answer
 * (its status, the headers it acts on, its body byte for byte); else Sluice's own, in its format.
 */
export function answerUnserved(
  ctx: RequestContext,
  walk: Unserved,
  providers: readonly ProviderConfig[],
  ledger: RequestLedger,
  clock: Clock,
): Ending {
  const answeredAfter = (): number => clock.mono() - ctx.startMono;
  const answer = (status: number, f: Failure, message: string, headers: Record<string, string>): Ending => {
    sendError(ctx.res, ctx.adapter, status, f.code, ledger.redact(message), headers);
    return { ...NOT_SERVED, outcome: 'failed', httpStatus: status, ttfbMs: answeredAfter(), failure: f };
  };
  const headers = ledger.headers(walk.attempts);
  switch (walk.kind) {
    case 'aborted':
      return {
        ...NOT_SERVED,
        outcome: 'aborted',
        httpStatus: 499,
        ttfbMs: null,
        failure: { code: 'client_aborted' },
        provider: walk.last?.provider.id ?? null,
      };
    case 'refused':
      return answer(503, { code: 'refused' }, walk.message, headers);
    case 'exhausted': {
      const { last, lastAnswered } = walk;
      if (last !== null) {
        const summary = `${walk.attempts} attempt${walk.attempts === 1 ? '' : 's'} failed; last: ${last.provider.id}: ${failureText(last.failure)}`;
        const withSummary = ledger.headers(walk.attempts, headerText(ledger.redact(summary)));
        if (lastAnswered !== null && passesAsIs(ctx, lastAnswered)) {
          const ending = passThrough(ctx, lastAnswered, withSummary);
          return { ...NOT_SERVED, ...ending, ttfbMs: answeredAfter(), provider: lastAnswered.provider.id };
        }
        const words = lastAnswered === null ? null : providerWords(ctx, lastAnswered);
        if (lastAnswered !== null && words !== null) {
          // A provider of another format said no: its status and words, in the client's own error shape.
          const a = lastAnswered.answer!;
          const translatedHeaders = { ...relayedErrorHeaders(a), ...withSummary };
          delete translatedHeaders['content-type'];
          const ending = answer(
            a.status,
            lastAnswered.failure,
            words,
            translatedHeaders as Record<string, string>,
          );
          return { ...ending, provider: lastAnswered.provider.id };
        }
        if (last.failure.code === 'untranslatable') {
          return {
            ...answer(400, last.failure, last.failure.detail ?? summary, withSummary),
            provider: last.provider.id,
          };
        }
        const detail = last.streamError ? ` (${last.streamError.message})` : '';
        const message = `All ${summary}${detail}`;
        const status = walk.allTimedOut ? 504 : failureStatus(ctx, last);
        return { ...answer(status, last.failure, message, withSummary), provider: last.provider.id };
      }
      if (walk.rateLimitedForMs !== null) {
        const seconds = Math.max(1, Math.ceil(walk.rateLimitedForMs / 1000));
        headers['retry-after'] = String(seconds);
        const message = `Every ${ctx.format} provider is at its Sluice rate limit; retry in ${seconds} s`;
        return answer(429, { code: 'rate_limited' }, message, headers);
      }
      if (ledger.skips.length > 0) {
        const list = ledger.skips.map((k) => `${k.provider} (${failureText(k.failure)})`).join(', ');
        const message = `No ${ctx.format} provider can take requests now: ${list}`;
        return answer(503, { code: 'no_provider', detail: list }, message, headers);
      }
      if (ctx.route.op === 'count-tokens' && candidatesFor(ctx.format, providers, ctx.model).length > 0)
        return answerEstimate(ctx, headers, answeredAfter());
      return answer(503, { code: 'no_provider' }, noProviderMessage(ctx.format, providers), headers);
    }
  }
}

/**
 * Whether a provider's error answer can go to the client as it is: read whole, in the client's own
 * format. Today every candidate speaks the client's format; a translated native error would go here.
 */
function passesAsIs(ctx: RequestContext, f: Failed): boolean {
  const a = f.answer;
  // An empty body says less than Sluice's own account of the attempts.
  return a !== null && a.whole && a.body.length > 0 && speaksNatively(ctx, f.provider);
}

/** A translated attempt's error answer, read by its provider's format: the message it gave, or null. */
function providerWords(ctx: RequestContext, f: Failed): string | null {
  const a = f.answer;
  if (a === null || !a.whole || a.body.length === 0 || speaksNatively(ctx, f.provider)) return null;
  const observer = adapterFor(providerFormats(f.provider)[0]!).createObserver();
  try {
    observer.observeJson(JSON.parse(a.body.toString('utf8')));
  } catch {
    return null; // not JSON: Sluice's own account says more
  }
  return observer.facts.error?.message ?? null;
}

/** Sends a provider's error answer byte for byte, with the headers clients act on and Sluice's own. */
function passThrough(
  ctx: RequestContext,
  f: Failed,
  sluiceHeaders: Record<string, string>,
): Pick<Ending, 'outcome' | 'httpStatus' | 'failure'> {
  const a = f.answer!;
  const { res } = ctx;
  if (!res.headersSent && !res.destroyed) {
    res.writeHead(a.status, {
      ...relayedErrorHeaders(a),
      'content-length': String(a.body.length),
      ...sluiceHeaders,
    });
    res.end(a.body);
  } else if (!res.writableEnded) res.end();
  return { outcome: 'failed', httpStatus: a.status, failure: f.failure };
}

/** A token count only providers of another format could serve: Sluice's estimate, recorded as one. */
function answerEstimate(ctx: RequestContext, headers: Record<string, string>, ttfbMs: number): Ending {
  const tokens = estimateInputTokens(ctx);
  const body = ctx.adapter.countTokensBody(tokens);
  ctx.res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'x-sluice-estimate': 'true',
    ...headers,
  });
  ctx.res.end(body);
  return {
    ...NOT_SERVED,
    outcome: 'completed',
    httpStatus: 200,
    ttfbMs,
    failure: null,
    estimatedInputTokens: tokens,
  };
}

/** A bug, not an upstream failure: answer if we still can, record it, never crash the server. */
export function answerInternalError(ctx: RequestContext, err: unknown, ledger: RequestLedger): Ending {
  const failure: Failure = { code: 'internal', detail: errorMessage(err) };
  const message = `Sluice internal error: ${errorMessage(err)}`;
  sendError(ctx.res, ctx.adapter, 500, 'internal', ledger.redact(message), ledger.headers(0));
  return { ...NOT_SERVED, outcome: 'failed', httpStatus: 500, ttfbMs: null, failure };
}

/**
 * The status to answer with for a failed attempt: its own when the upstream said no; when the failure
 * was found inside a 2xx body, the status the error names, else 502 — never a 200 for a failure.
 */
function failureStatus(ctx: RequestContext, f: Failed): number {
  if (f.status !== null && (f.status < 200 || f.status >= 300)) return f.status;
  const e = f.streamError;
  const named = e?.status ?? (e?.type ? ctx.adapter.statusForErrorType(e.type) : undefined);
  return named !== undefined && named >= 400 && named <= 599 ? named : 502;
}
