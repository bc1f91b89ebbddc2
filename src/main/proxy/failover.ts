import type { ProviderConfig } from '../../shared/config';
import type { Failure } from '../../shared/failure';
import type { Committed, Failed } from './attempt';
import { runAttempt } from './attempt';
import type { HealthBook } from './health';
import { isCredentialFailure, type Ending, type RequestLedger } from './ledger';
import type { Clock } from './ports';
import type { RateLimiter } from './rate-limit';
import type { RequestContext } from './request-context';
import type { UpstreamPools } from './upstream';

/** How walking the chain ended when no attempt was served. */
export type Unserved =
  | { kind: 'exhausted'; attempts: number; last: Failed | null; rateLimitedForMs: number | null }
  | { kind: 'aborted'; attempts: number; last: Failed | null }
  | { kind: 'refused'; attempts: number; message: string };

/** An attempt committed and `serve` relayed it; or why none did. */
export type Walk = { kind: 'served'; ending: Ending } | Unserved;

export interface FailoverDeps {
  pools: UpstreamPools;
  clock: Clock;
  health: HealthBook;
  limiter: RateLimiter;
}

/** Relays a committed attempt to the client; `attempts` = how many were made, this one included. */
export type Serve = (committed: Committed, attempts: number) => Promise<Ending>;

/** Resolves after `ms`, or at once when the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Exponential backoff with up to 50 % jitter before retry round `round` (1-based). */
export function backoffMs(
  round: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  return Math.min(maxMs, baseMs * 2 ** (round - 1) * (1 + 0.5 * random()));
}

/**
 * Walks the chain until an attempt commits, then hands it to `serve` while still holding the
 * provider's rate-limit slot (released here, where it was taken, when the relay is over). Each
 * candidate once, then — while `maxAttempts` allows — again after a backoff, passing over open
 * circuits, cooldowns, bad credentials and rate-limited providers (each recorded by the ledger).
 */
export async function attemptUntilCommitted(
  ctx: RequestContext,
  chain: readonly ProviderConfig[],
  deps: FailoverDeps,
  ledger: RequestLedger,
  serve: Serve,
): Promise<Walk> {
  const s = ctx.settings;
  const { health, limiter, clock } = deps;
  const signal = ctx.abort.signal;
  const worthRetrying = new Set(chain.map((p) => p.id));
  const waitUntil = clock.mono() + s.rateLimitMaxWaitMs;
  let attempts = 0;
  let round = 0;
  let last: Failed | null = null;
  let rateLimitedForMs: number | null = null;

  while (attempts < s.maxAttempts) {
    if (round > 0) await sleep(backoffMs(round, s.retryBaseDelayMs, s.retryMaxDelayMs), signal);
    let tried = false;
    let limitWait: number | null = null;
    for (const p of chain) {
      if (signal.aborted) return { kind: 'aborted', attempts, last };
      if (attempts >= s.maxAttempts) break;
      if (!worthRetrying.has(p.id)) continue;
      const unavailable = health.check(p.id, s, false);
      if (unavailable !== null) {
        ledger.skipped(p, { code: unavailable });
        continue;
      }
      const limit = limiter.tryAcquire(p);
      if (limit.kind === 'limited') {
        ledger.skipped(p, { code: 'rate_limited', detail: limit.reason });
        limitWait = Math.min(limitWait ?? Infinity, limit.retryInMs);
        continue;
      }
      if (limit.kind === 'undecidable' && s.rateLimitFailMode === 'closed') {
        const message = `Sluice refused the request: ${limit.reason} (rateLimitFailMode is "closed")`;
        return { kind: 'refused', attempts, message };
      }
      const release = limit.kind === 'ok' ? limit.release : (): void => {};
      health.check(p.id, s, true); // claims the half-open probe, when this attempt is one

      attempts++;
      tried = true;
      const r = await runAttempt(ctx, p, attempts, deps, ledger);
      if (r.kind === 'commit') {
        try {
          return { kind: 'served', ending: await serve(r, attempts) };
        } finally {
          release();
        }
      }
      release();
      const aborted = signal.aborted;
      const failure: Failure = aborted ? { code: 'client_aborted' } : r.failure;
      ledger.attemptFailed({
        provider: p,
        attemptNo: attempts,
        startedAtMs: r.startedAtMs,
        durationMs: clock.mono() - r.startMono,
        phase: r.phase,
        failure,
        status: r.status,
        retryAfterMs: r.retryAfterMs,
        bodyHead: r.bodyHead,
      });
      if (aborted) return { kind: 'aborted', attempts, last };
      // The same key will not start working within this request.
      if (isCredentialFailure(r.status)) worthRetrying.delete(p.id);
      last = r;
    }
    if (!tried) {
      // Nothing could be tried: wait for a rate limit to free up, within rateLimitMaxWaitMs, else stop.
      if (limitWait !== null && clock.mono() + limitWait <= waitUntil && !signal.aborted) {
        await sleep(limitWait, signal);
        continue;
      }
      rateLimitedForMs = limitWait;
      break;
    }
    round++;
  }
  if (signal.aborted) return { kind: 'aborted', attempts, last };
  return { kind: 'exhausted', attempts, last, rateLimitedForMs };
}
