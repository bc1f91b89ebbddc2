import type { ProviderConfig } from '../../shared/config';

/** One provider's limiter state: a token bucket for `rpm` and a count of requests in flight. */
export interface LimitState {
  tokens: number;
  updatedAt: number;
  inFlight: number;
}

/** Where limiter state lives. In memory by default; a store may fail (throw) or hold corrupt state. */
export interface LimitStateStore {
  get(providerId: string): LimitState | undefined;
  set(providerId: string, state: LimitState): void;
}

export class MemoryLimitStore implements LimitStateStore {
  private readonly map = new Map<string, LimitState>();
  get(id: string): LimitState | undefined {
    return this.map.get(id);
  }
  set(id: string, state: LimitState): void {
    this.map.set(id, state);
  }
}

export type LimitDecision =
  | { kind: 'ok'; release: () => void }
  | { kind: 'limited'; reason: 'rpm' | 'concurrency'; retryInMs: number }
  | { kind: 'undecidable'; reason: string };

const noop = (): void => {};

function valid(s: LimitState): boolean {
  return (
    Number.isFinite(s.tokens) &&
    s.tokens >= 0 &&
    Number.isFinite(s.updatedAt) &&
    Number.isInteger(s.inFlight) &&
    s.inFlight >= 0
  );
}

/**
 * Per-provider request limits (`rpm`, `maxConcurrentStreams`), checked before an attempt so a request
 * skips to the next candidate instead of earning a 429. The caller holds the returned `release` for as
 * long as the request uses the provider.
 */
export class RateLimiter {
  constructor(
    private readonly store: LimitStateStore = new MemoryLimitStore(),
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether `p` has its `maxConcurrentStreams` in flight now (reads only; an unreadable state: no). */
  atLimit(p: ProviderConfig): boolean {
    if (p.maxConcurrentStreams === undefined) return false;
    try {
      return (this.store.get(p.id)?.inFlight ?? 0) >= p.maxConcurrentStreams;
    } catch {
      return false;
    }
  }

  tryAcquire(p: ProviderConfig): LimitDecision {
    if (p.rpm === undefined && p.maxConcurrentStreams === undefined) return { kind: 'ok', release: noop };
    const capacity = p.rpm ?? 1;
    let state: LimitState | undefined;
    try {
      state = this.store.get(p.id);
    } catch (err) {
      return {
        kind: 'undecidable',
        reason: `limiter state unavailable: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    const now = this.now();
    const s: LimitState =
      state === undefined ? { tokens: capacity, updatedAt: now, inFlight: 0 } : { ...state };
    if (!valid(s)) return { kind: 'undecidable', reason: `limiter state for ${p.id} is corrupt` };
    // A lowered rpm leaves more tokens than the new bucket holds: the bucket is simply full.
    s.tokens = Math.min(s.tokens, capacity);
    if (p.rpm !== undefined) {
      s.tokens = Math.min(capacity, s.tokens + ((now - s.updatedAt) * p.rpm) / 60_000);
      s.updatedAt = now;
    }
    if (p.maxConcurrentStreams !== undefined && s.inFlight >= p.maxConcurrentStreams) {
      return { kind: 'limited', reason: 'concurrency', retryInMs: 50 };
    }
    if (p.rpm !== undefined && s.tokens < 1) {
      return { kind: 'limited', reason: 'rpm', retryInMs: Math.ceil(((1 - s.tokens) * 60_000) / p.rpm) };
    }
    if (p.rpm !== undefined) s.tokens -= 1;
    s.inFlight += 1;
    try {
      this.store.set(p.id, s);
    } catch (err) {
      return {
        kind: 'undecidable',
        reason: `limiter state unavailable: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    let released = false;
    return {
      kind: 'ok',
      release: () => {
        if (released) return;
        released = true;
        try {
          const cur = this.store.get(p.id);
          if (cur !== undefined) this.store.set(p.id, { ...cur, inFlight: Math.max(0, cur.inFlight - 1) });
        } catch {
          // the store is gone; nothing to give back
        }
      },
    };
  }
}
