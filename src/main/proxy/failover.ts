import type { ProviderConfig } from '../../shared/config';
import type { Failure } from '../../shared/failure';
import { poolKeys } from '../../shared/provider-secrets';
import type { AttemptResult, Committed, Failed } from './attempt';
import { runAttempt } from './attempt';
import { isTimeout } from './error-answer';
import type { HealthBook } from './health';
import type { KeyPool } from './key-pool';
import { isCredentialFailure, type Ending, type RequestLedger } from './ledger';
import type { Clock } from './ports';
import type { RateLimiter } from './rate-limit';
import type { RequestContext } from './request-context';
import type { SignatureBook } from './signature-book';
import type { UpstreamPools } from './upstream';

/** How walking the chain ended when no attempt was served. */
export type Unserved =
  | {
      kind: 'exhausted';
      attempts: number;
      last: Failed | null;
      /** The last attempt the provider answered itself (a non-2xx status and its body), if any. */
      lastAnswered: Failed | null;
      /** Every attempt made timed out (none got an answer in time). */
      allTimedOut: boolean;
      rateLimitedForMs: number | null;
    }
  | { kind: 'aborted'; attempts: number; last: Failed | null }
  | { kind: 'refused'; attempts: number; message: string };

/** An attempt committed and `serve` relayed it; or why none did. */
export type Walk = { kind: 'served'; ending: Ending } | Unserved;

export interface FailoverDeps {
  pools: UpstreamPools;
  clock: Clock;
  health: HealthBook;
  limiter: RateLimiter;
  signatures?: SignatureBook;
  /** Per-key turns, benches and cooldowns of providers with `apiKeys` (absent: `apiKey` as it is). */
  keys?: KeyPool;
}

/** Relays a committed attempt to the client; `attempts` = how many were made, this one included. */
export type Serve = (committed: Committed, attempts: number) => Promise<Ending>;

/** No key tried yet. */
const NO_KEYS: ReadonlySet<string> = new Set();

/** Failures the same provider would give again within this request. */
const NOT_AGAIN: ReadonlySet<string> = new Set(['model_not_found', 'untranslatable', 'quota_exhausted']);

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

/** What the walk has learned so far, across candidates and rounds. */
interface WalkState {
  attempts: number;
  last: Failed | null;
  lastAnswered: Failed | null;
  timeouts: number;
  /** The request body after a repair, for every later attempt; null = the client's own. */
  json: Readonly<Record<string, unknown>> | null;
  repaired: boolean;
}

/**
 * Walks the chain until an attempt commits, then hands it to `serve` while still holding the
 * provider's rate-limit slot (released here, where it was taken, when the relay is over). Each
 * candidate once, then — while `maxAttempts` allows — again after a backoff, passing over open
 * circuits, cooldowns, bad credentials, rate-limited providers and those without the model (each
 * recorded by the ledger). A refusal the format can repair is retried once on the same provider; a
 * non-streaming answer that ran out of time ends the walk (it is never paid for twice). `preferKey`
 * names, per provider, the pool key to try first while usable (session affinity: the key that served
 * the conversation's last turn, by fingerprint; see servedKey).
 */
export async function attemptUntilCommitted(
  ctx: RequestContext,
  chain: readonly ProviderConfig[],
  deps: FailoverDeps,
  ledger: RequestLedger,
  serve: Serve,
  preferKey: (p: ProviderConfig) => string | undefined = () => undefined,
): Promise<Walk> {
  const s = ctx.settings;
  const { health, limiter, clock } = deps;
  const signal = ctx.abort.signal;
  const worthRetrying = new Set(chain.map((p) => p.id));
  const waitUntil = clock.mono() + s.rateLimitMaxWaitMs;
  const w: WalkState = {
    attempts: 0,
    last: null,
    lastAnswered: null,
    timeouts: 0,
    json: null,
    repaired: false,
  };
  let round = 0;
  let rateLimitedForMs: number | null = null;
  const aborted = (): Unserved => ({ kind: 'aborted', attempts: w.attempts, last: w.last });
  const exhausted = (): Unserved => ({
    kind: 'exhausted',
    attempts: w.attempts,
    last: w.last,
    lastAnswered: w.lastAnswered,
    allTimedOut: w.attempts > 0 && w.timeouts === w.attempts,
    rateLimitedForMs,
  });
  /** Nothing else in the chain could take the request now. */
  const onlyCandidate = (p: ProviderConfig): boolean =>
    chain.every((q) => q.id === p.id || !worthRetrying.has(q.id) || health.check(q.id, s, false) !== null);

  /** One failed attempt: recorded and judged by the ledger (unless only its key is to blame), remembered. */
  const failed = (p: ProviderConfig, r: Failed, keyOnly = false): void => {
    const failure: Failure = signal.aborted ? { code: 'client_aborted' } : r.failure;
    ledger.attemptFailed({
      provider: p,
      attemptNo: w.attempts,
      startedAtMs: r.startedAtMs,
      durationMs: clock.mono() - r.startMono,
      phase: r.phase,
      failure,
      status: r.status,
      retryAfterMs: r.retryAfterMs,
      bodyHead: r.bodyHead,
      keyOnly,
    });
    w.last = r;
    if (r.answer !== null) w.lastAnswered = r;
    if (isTimeout(failure)) w.timeouts++;
  };
  /** Sends to `p`; after a refusal the format can repair, once more with the repaired body. */
  const attemptOnce = async (p: ProviderConfig): Promise<AttemptResult> => {
    const run = (): Promise<AttemptResult> => {
      w.attempts++;
      return runAttempt(ctx, p, w.attempts, deps, ledger, {
        modelElsewhere:
          w.attempts < s.maxAttempts && chain.some((q) => q.id !== p.id && worthRetrying.has(q.id)),
        mayRepair: !w.repaired && w.attempts < s.maxAttempts,
        json: w.json,
      });
    };
    const r = await run();
    if (r.kind === 'commit' || r.repair === null || signal.aborted) return r;
    failed(p, r);
    w.json = r.repair.json;
    w.repaired = true;
    return run();
  };
  /**
   * Sends to `p` with the next key of its pool (key-pool.ts). A failure that is the key's own (401/403,
   * spent quota, 429) benches or cools that key and moves on to the next usable key of `p`, each key once
   * per visit, before the walk moves on to the next provider; those attempts count in `maxAttempts` like
   * any, but are not retry rounds (no backoff) and do not judge the provider: only the visit's last does.
   */
  const attempt = async (p: ProviderConfig): Promise<AttemptResult> => {
    const tried = new Set<string>();
    for (;;) {
      const key = deps.keys?.pick(p, tried, preferKey(p));
      const r = await attemptOnce(key == null ? p : { ...p, apiKey: key.key });
      if (r.kind === 'commit' || key == null || signal.aborted) return r;
      tried.add(key.fingerprint);
      // The reason shown on the Providers screen carries the provider's words: redacted like any text.
      const head = r.bodyHead === null ? null : ledger.redact(r.bodyHead);
      const verdict = deps.keys!.failed(p, key.fingerprint, s, { ...r, bodyHead: head });
      if (verdict === 'none' || w.attempts >= s.maxAttempts || !deps.keys!.hasUsable(p, tried)) return r;
      failed(p, r, true);
    }
  };

  while (w.attempts < s.maxAttempts) {
    if (round > 0) await sleep(backoffMs(round, s.retryBaseDelayMs, s.retryMaxDelayMs), signal);
    let tried = false;
    let limitWait: number | null = null;
    for (const p of chain) {
      if (signal.aborted) return aborted();
      if (w.attempts >= s.maxAttempts) break;
      if (!worthRetrying.has(p.id)) continue;
      const unavailable = health.check(p.id, s, false);
      // A recovering provider whose probe is out still takes the request when nothing else could.
      if (unavailable !== null && !(unavailable === 'probe_in_flight' && onlyCandidate(p))) {
        ledger.skipped(p, { code: unavailable });
        continue;
      }
      if (deps.keys !== undefined && poolKeys(p).length > 1 && !deps.keys.hasUsable(p, NO_KEYS)) {
        const detail = `every key benched or cooling; the first back in ${Math.ceil(deps.keys.soonestMs(p) / 1000)} s`;
        ledger.skipped(p, { code: 'keys_unavailable', detail });
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
        return { kind: 'refused', attempts: w.attempts, message };
      }
      const release = limit.kind === 'ok' ? limit.release : (): void => {};
      if (unavailable === null) health.check(p.id, s, true); // claims the half-open probe, when this is one

      tried = true;
      const r = await attempt(p);
      if (r.kind === 'commit') {
        try {
          return { kind: 'served', ending: await serve(r, w.attempts) };
        } finally {
          release();
        }
      }
      release();
      failed(p, r);
      if (signal.aborted) return aborted();
      // The same key will not start working, nor the model appear, within this request.
      if (isCredentialFailure(r.status) || NOT_AGAIN.has(r.failure.code)) worthRetrying.delete(p.id);
      // A slow non-streaming answer is not retried elsewhere: the provider may still be generating it.
      if (r.failure.code === 'non_stream_timeout') return exhausted();
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
  if (signal.aborted) return aborted();
  return exhausted();
}
