import { describe, expect, it } from 'vitest';
import {
  MemoryLimitStore,
  RateLimiter,
  type LimitDecision,
  type LimitState,
  type LimitStateStore,
} from '../../../src/main/proxy/rate-limit';
import { ProviderSchema, type ProviderConfig } from '../../../src/shared/config';

function provider(limits: { rpm?: number; maxConcurrentStreams?: number }, id = 'p'): ProviderConfig {
  return ProviderSchema.parse({ id, kind: 'openai', baseUrl: 'http://127.0.0.1:1/v1', ...limits });
}

function limiter(store: LimitStateStore = new MemoryLimitStore()): {
  rl: RateLimiter;
  advance(ms: number): void;
} {
  let now = 5_000_000;
  return { rl: new RateLimiter(store, () => now), advance: (ms) => (now += ms) };
}

function ok(d: LimitDecision): () => void {
  if (d.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(d)}`);
  return d.release;
}

describe('RateLimiter', () => {
  it('lets everything through for a provider without limits, without touching the store', () => {
    const store: LimitStateStore = {
      get: () => {
        throw new Error('must not be read');
      },
      set: () => {
        throw new Error('must not be written');
      },
    };
    const { rl } = limiter(store);
    for (let i = 0; i < 100; i++) expect(rl.tryAcquire(provider({})).kind).toBe('ok');
  });

  it('rpm: a bucket of rpm tokens, then limited with the wait until the next token', () => {
    const { rl } = limiter();
    const p = provider({ rpm: 2 });
    ok(rl.tryAcquire(p));
    ok(rl.tryAcquire(p));
    expect(rl.tryAcquire(p)).toEqual({ kind: 'limited', reason: 'rpm', retryInMs: 30_000 });
  });

  it('rpm: refills continuously at rpm per minute', () => {
    const { rl, advance } = limiter();
    const p = provider({ rpm: 60 });
    for (let i = 0; i < 60; i++) ok(rl.tryAcquire(p));
    advance(400);
    expect(rl.tryAcquire(p)).toEqual({ kind: 'limited', reason: 'rpm', retryInMs: 600 });
    advance(600);
    ok(rl.tryAcquire(p));
    expect(rl.tryAcquire(p).kind).toBe('limited');
  });

  it('rpm: the bucket never holds more than rpm tokens, however long idle', () => {
    const { rl, advance } = limiter();
    const p = provider({ rpm: 3 });
    ok(rl.tryAcquire(p));
    advance(3_600_000);
    for (let i = 0; i < 3; i++) ok(rl.tryAcquire(p));
    expect(rl.tryAcquire(p).kind).toBe('limited');
  });

  it('rpm: a limited attempt takes no token', () => {
    const { rl, advance } = limiter();
    const p = provider({ rpm: 1 });
    ok(rl.tryAcquire(p));
    for (let i = 0; i < 5; i++) expect(rl.tryAcquire(p).kind).toBe('limited');
    advance(60_000);
    ok(rl.tryAcquire(p));
  });

  it('maxConcurrentStreams: limited while that many are held; release frees a slot, once', () => {
    const { rl } = limiter();
    const p = provider({ maxConcurrentStreams: 2 });
    const r1 = ok(rl.tryAcquire(p));
    ok(rl.tryAcquire(p));
    const limited = rl.tryAcquire(p);
    expect(limited).toMatchObject({ kind: 'limited', reason: 'concurrency' });
    expect((limited as { retryInMs: number }).retryInMs).toBeGreaterThan(0);
    r1();
    r1(); // a second release must not free a second slot
    ok(rl.tryAcquire(p));
    expect(rl.tryAcquire(p).kind).toBe('limited');
  });

  it('maxConcurrentStreams and rpm together: concurrency is checked, then tokens', () => {
    const { rl } = limiter();
    const p = provider({ rpm: 2, maxConcurrentStreams: 1 });
    const r = ok(rl.tryAcquire(p));
    expect(rl.tryAcquire(p)).toMatchObject({ kind: 'limited', reason: 'concurrency' });
    r();
    const r2 = ok(rl.tryAcquire(p));
    r2();
    expect(rl.tryAcquire(p)).toMatchObject({ kind: 'limited', reason: 'rpm' });
  });

  it('keeps providers apart', () => {
    const { rl } = limiter();
    ok(rl.tryAcquire(provider({ rpm: 1 }, 'a')));
    expect(rl.tryAcquire(provider({ rpm: 1 }, 'a')).kind).toBe('limited');
    ok(rl.tryAcquire(provider({ rpm: 1 }, 'b')));
  });
});

describe('RateLimiter with a failing or corrupt store', () => {
  it('a store that throws on read → undecidable, naming the failure', () => {
    const { rl } = limiter({
      get: () => {
        throw new Error('disk on fire');
      },
      set: () => {},
    });
    expect(rl.tryAcquire(provider({ rpm: 5 }))).toEqual({
      kind: 'undecidable',
      reason: 'limiter state unavailable: disk on fire',
    });
  });

  it('a store that throws on write → undecidable', () => {
    const { rl } = limiter({
      get: () => undefined,
      set: () => {
        throw new Error('read-only');
      },
    });
    const d = rl.tryAcquire(provider({ maxConcurrentStreams: 1 }));
    expect(d.kind).toBe('undecidable');
    expect((d as { reason: string }).reason).toContain('read-only');
  });

  const corrupt: [string, LimitState][] = [
    ['NaN tokens', { tokens: Number.NaN, updatedAt: 0, inFlight: 0 }],
    ['negative tokens', { tokens: -1, updatedAt: 0, inFlight: 0 }],
    ['an infinite timestamp', { tokens: 1, updatedAt: Number.POSITIVE_INFINITY, inFlight: 0 }],
    ['a negative in-flight count', { tokens: 1, updatedAt: 0, inFlight: -1 }],
    ['a fractional in-flight count', { tokens: 1, updatedAt: 0, inFlight: 0.5 }],
  ];
  it.each(corrupt)('state with %s → undecidable (corrupt)', (_what, state) => {
    const store = new MemoryLimitStore();
    store.set('p', state);
    const { rl } = limiter(store);
    expect(rl.tryAcquire(provider({ rpm: 10, maxConcurrentStreams: 4 }))).toEqual({
      kind: 'undecidable',
      reason: 'limiter state for p is corrupt',
    });
  });

  it('release survives a store that fails after the acquire', () => {
    let broken = false;
    const mem = new MemoryLimitStore();
    const store: LimitStateStore = {
      get: (id) => {
        if (broken) throw new Error('gone');
        return mem.get(id);
      },
      set: (id, s) => {
        if (broken) throw new Error('gone');
        mem.set(id, s);
      },
    };
    const { rl } = limiter(store);
    const release = ok(rl.tryAcquire(provider({ maxConcurrentStreams: 1 })));
    broken = true;
    expect(() => release()).not.toThrow();
  });

  it('writes back a state a later limiter on the same store reads (shared store)', () => {
    const store = new MemoryLimitStore();
    const one = limiter(store).rl;
    const two = limiter(store).rl;
    ok(one.tryAcquire(provider({ maxConcurrentStreams: 1 })));
    expect(two.tryAcquire(provider({ maxConcurrentStreams: 1 })).kind).toBe('limited');
  });

  it('lowering rpm clamps the stored bucket instead of calling it corrupt', () => {
    const { rl } = limiter();
    ok(rl.tryAcquire(provider({ rpm: 100 })));
    const lowered = provider({ rpm: 2 });
    ok(rl.tryAcquire(lowered));
    ok(rl.tryAcquire(lowered));
    expect(rl.tryAcquire(lowered).kind).toBe('limited');
  });
});
