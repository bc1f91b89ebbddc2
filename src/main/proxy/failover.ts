import type { ProviderConfig } from '../../shared/config';
import { kindForFormat, type ApiFormat } from '../../shared/api-format';
import type { AttemptDeps, Committed, Failed } from './attempt';
import { runAttempt } from './attempt';
import type { HealthBook } from './health';
import type { RateLimiter } from './rate-limit';
import type { RequestContext } from './request-context';

/** Enabled providers that serve this format, lowest priority number first; ties keep config order. */
export function candidatesFor(format: ApiFormat, providers: readonly ProviderConfig[]): ProviderConfig[] {
  const kind = kindForFormat(format);
  return providers
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.enabled && p.kind === kind)
    .sort((a, b) => a.p.priority - b.p.priority || a.i - b.i)
    .map(({ p }) => p);
}

/** Why nothing could be tried, in words a user can act on. */
export function noProviderMessage(format: ApiFormat, providers: readonly ProviderConfig[]): string {
  const kind = kindForFormat(format);
  const ofKind = providers.filter((p) => p.kind === kind);
  if (ofKind.length === 0) {
    return `Sluice has no provider of kind "${kind}" for ${format} requests: add one to the config (providers[].kind = "${kind}").`;
  }
  return `Sluice's ${kind} providers (${ofKind.map((p) => p.id).join(', ')}) are all disabled: enable one.`;
}

/** `allowModels` entries are exact names or `*` globs. */
export function modelAllowed(allow: readonly string[] | undefined, model: string | null): boolean {
  if (allow === undefined) return true;
  if (model === null) return false;
  return allow.some((pattern) =>
    pattern.includes('*')
      ? new RegExp(
          `^${pattern
            .split('*')
            .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
            .join('.*')}$`,
        ).test(model)
      : pattern === model,
  );
}

/** A candidate that was not tried, and why. */
export interface Skip {
  provider: string;
  reason: string;
}

export type FailoverResult =
  | { kind: 'committed'; committed: Committed; attempts: number; release: () => void; startedAtMs: number }
  | {
      kind: 'exhausted';
      attempts: number;
      last: Failed | null;
      skipped: Skip[];
      rateLimitedForMs: number | null;
    }
  | { kind: 'aborted'; attempts: number; last: Failed | null }
  | { kind: 'refused'; attempts: number; message: string };

export interface FailoverDeps extends AttemptDeps {
  health: HealthBook;
  limiter: RateLimiter;
  /** Told of each failed attempt (with its number and start) and each skipped candidate. */
  onFailed(f: Failed, attemptNo: number, startedAtMs: number, durationMs: number): void;
  onSkipped(provider: ProviderConfig, reason: string): void;
}

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
 * Tries candidates in priority order until one commits: each once, then — while `maxAttempts` allows —
 * again after a backoff, skipping open circuits, cooldowns, bad credentials and rate-limited providers.
 */
export async function runFailover(
  ctx: RequestContext,
  providers: readonly ProviderConfig[],
  deps: FailoverDeps,
): Promise<FailoverResult> {
  const s = ctx.settings;
  const { health, limiter, clock } = deps;
  const skipped: Skip[] = [];
  const skippedIds = new Set<string>();
  const skip = (p: ProviderConfig, reason: string): void => {
    if (skippedIds.has(p.id)) return;
    skippedIds.add(p.id);
    skipped.push({ provider: p.id, reason });
    deps.onSkipped(p, reason);
  };
  const eligible: ProviderConfig[] = [];
  for (const p of candidatesFor(ctx.format, providers)) {
    if (modelAllowed(p.allowModels, ctx.model)) eligible.push(p);
    else skip(p, 'model-not-allowed');
  }
  const worthRetrying = new Set(eligible.map((p) => p.id));
  const waitUntil = clock.mono() + s.rateLimitMaxWaitMs;
  let attempts = 0;
  let round = 0;
  let last: Failed | null = null;
  let rateLimitedForMs: number | null = null;

  while (attempts < s.maxAttempts) {
    if (round > 0) await sleep(backoffMs(round, s.retryBaseDelayMs, s.retryMaxDelayMs), ctx.abort.signal);
    let tried = false;
    let limitWait: number | null = null;
    for (const p of eligible) {
      if (ctx.abort.signal.aborted) return { kind: 'aborted', attempts, last };
      if (attempts >= s.maxAttempts) break;
      if (!worthRetrying.has(p.id)) continue;
      const unavailable = health.check(p.id, s, true);
      if (unavailable !== null) {
        skip(p, unavailable);
        continue;
      }
      const limit = limiter.tryAcquire(p);
      let release = (): void => {};
      if (limit.kind === 'limited') {
        health.release(p.id, s);
        skip(p, `rate-limited: ${limit.reason}`);
        limitWait = Math.min(limitWait ?? Infinity, limit.retryInMs);
        continue;
      }
      if (limit.kind === 'undecidable') {
        if (s.rateLimitFailMode === 'closed') {
          health.release(p.id, s);
          return {
            kind: 'refused',
            attempts,
            message: `Sluice refused the request: ${limit.reason} (rateLimitFailMode is "closed")`,
          };
        }
      } else release = limit.release;

      attempts++;
      tried = true;
      const startedAtMs = clock.now();
      const startMono = clock.mono();
      const r = await runAttempt(ctx, p, attempts, deps);
      if (r.kind === 'commit') return { kind: 'committed', committed: r, attempts, release, startedAtMs };
      release();
      if (ctx.abort.signal.aborted) {
        health.release(p.id, s);
        deps.onFailed({ ...r, reason: 'client-aborted' }, attempts, startedAtMs, clock.mono() - startMono);
        return { kind: 'aborted', attempts, last };
      }
      if (r.status === 401 || r.status === 403) {
        health.markCredentials(p.id, s, `HTTP ${r.status}: ${r.bodyHead?.slice(0, 200) ?? 'no body'}`);
        worthRetrying.delete(p.id); // the same key will not start working within this request
      }
      health.record(p.id, s, false, r.reason);
      if (r.retryAfterMs !== null && (r.status === 429 || r.status === 503 || r.status === 529)) {
        health.cooldown(p.id, s, r.retryAfterMs);
      }
      deps.onFailed(r, attempts, startedAtMs, clock.mono() - startMono);
      last = r;
    }
    if (!tried) {
      // Nothing could be tried: wait for a rate limit to free up, within rateLimitMaxWaitMs, else stop.
      if (limitWait !== null && clock.mono() + limitWait <= waitUntil && !ctx.abort.signal.aborted) {
        await sleep(limitWait, ctx.abort.signal);
        continue;
      }
      rateLimitedForMs = limitWait;
      break;
    }
    round++;
  }
  if (ctx.abort.signal.aborted) return { kind: 'aborted', attempts, last };
  return { kind: 'exhausted', attempts, last, skipped, rateLimitedForMs };
}
