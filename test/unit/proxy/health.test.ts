import { describe, expect, it } from 'vitest';
import { HealthBook, retryAfterMs } from '../../../src/main/proxy/health';
import { SettingsSchema, type Settings } from '../../../src/shared/settings';

/** A HealthBook on a fake clock that only moves when told. */
function book(overrides: Partial<Settings> = {}): {
  h: HealthBook;
  s: Settings;
  advance(ms: number): void;
  fail(n: number, id?: string): void;
  ok(n: number, id?: string): void;
} {
  let now = 1_000_000;
  const s = SettingsSchema.parse({ circuitRecoveryMs: 1_000, circuitMaxRecoveryMs: 3_000, ...overrides });
  const h = new HealthBook(() => now);
  return {
    h,
    s,
    advance: (ms) => (now += ms),
    fail: (n, id = 'p') => {
      for (let i = 0; i < n; i++) h.record(id, s, false, `boom ${i}`);
    },
    ok: (n, id = 'p') => {
      for (let i = 0; i < n; i++) h.record(id, s, true);
    },
  };
}

describe('HealthBook circuit', () => {
  it('starts closed and available', () => {
    const { h, s } = book();
    expect(h.check('p', s, true)).toBeNull();
    expect(h.view('p', s)).toMatchObject({
      provider: 'p',
      state: 'closed',
      samples: 0,
      failures: 0,
      consecutiveFailures: 0,
      lastError: null,
      openForMs: 0,
      cooldownForMs: 0,
      credentialsProblem: null,
    });
  });

  it('stays closed after 4 consecutive failures and opens on the 5th', () => {
    const { h, s, fail } = book();
    fail(4);
    expect(h.check('p', s, false)).toBeNull();
    expect(h.view('p', s)).toMatchObject({ state: 'closed', consecutiveFailures: 4 });
    fail(1);
    expect(h.check('p', s, true)).toBe('circuit_open');
    expect(h.view('p', s)).toMatchObject({ state: 'open', openForMs: 1_000, lastError: 'boom 0' });
  });

  it('a success resets the consecutive count (ratio rule disabled)', () => {
    const { h, s, fail, ok } = book({ circuitFailureRatio: 1 });
    fail(4);
    ok(1);
    fail(4);
    expect(h.view('p', s)).toMatchObject({ state: 'closed', consecutiveFailures: 4 });
    fail(1);
    expect(h.view('p', s).state).toBe('open');
  });

  it('opens on ≥ 50 % failures over ≥ 5 samples, without 5 in a row', () => {
    const { h, s, fail, ok } = book();
    fail(1);
    ok(1);
    fail(1);
    ok(1);
    expect(h.view('p', s)).toMatchObject({ state: 'closed', samples: 4, failures: 2 });
    fail(1);
    expect(h.view('p', s)).toMatchObject({ state: 'open', consecutiveFailures: 1 });
  });

  it('does not open below 50 % failures', () => {
    const { h, s, fail, ok } = book();
    for (let i = 0; i < 10; i++) {
      ok(2);
      fail(1);
    }
    expect(h.view('p', s).state).toBe('closed');
  });

  it('forgets outcomes older than circuitWindowMs', () => {
    const { h, s, fail, ok, advance } = book({ circuitConsecutiveFailures: 1000, circuitWindowMs: 10_000 });
    fail(3);
    ok(1);
    advance(10_001);
    fail(1);
    // Without the age trim: 5 samples, 4 failures → open.
    expect(h.view('p', s)).toMatchObject({ state: 'closed', samples: 1, failures: 1 });
  });

  it('keeps at most circuitWindowSize outcomes', () => {
    const { h, s, fail, ok } = book({ circuitConsecutiveFailures: 1000, circuitWindowSize: 5 });
    fail(2);
    ok(5);
    expect(h.view('p', s)).toMatchObject({ samples: 5, failures: 0 });
    fail(2);
    expect(h.view('p', s)).toMatchObject({ state: 'closed', samples: 5, failures: 2 });
    fail(1);
    expect(h.view('p', s).state).toBe('open');
  });

  it('keeps providers apart', () => {
    const { h, s, fail } = book();
    fail(5, 'a');
    expect(h.check('a', s, false)).toBe('circuit_open');
    expect(h.check('b', s, false)).toBeNull();
  });
});

describe('HealthBook half-open probe', () => {
  function opened(overrides: Partial<Settings> = {}): ReturnType<typeof book> {
    const b = book(overrides);
    b.fail(5);
    return b;
  }

  it('after circuitRecoveryMs lets exactly one probe through', () => {
    const { h, s, advance } = opened();
    advance(999);
    expect(h.check('p', s, true)).toBe('circuit_open');
    advance(1);
    expect(h.view('p', s).state).toBe('half-open');
    expect(h.check('p', s, true)).toBeNull();
    expect(h.check('p', s, true)).toBe('probe_in_flight');
    expect(h.check('p', s, false)).toBe('probe_in_flight');
  });

  it('halfOpen says when a verdict is awaited: from the first check after the wait until a verdict', () => {
    const { h, s, advance } = opened();
    expect(h.halfOpen('p')).toBe(false); // open
    advance(1_000);
    expect(h.halfOpen('p')).toBe(false); // due, but nobody asked yet
    h.check('p', s, true);
    expect(h.halfOpen('p')).toBe(true);
    h.record('p', s, true);
    expect(h.halfOpen('p')).toBe(false);
    expect(h.halfOpen('never-seen')).toBe(false);
  });

  it('check without acquire does not claim the probe', () => {
    const { h, s, advance } = opened();
    advance(1_000);
    expect(h.check('p', s, false)).toBeNull();
    expect(h.check('p', s, false)).toBeNull();
    expect(h.check('p', s, true)).toBeNull();
    expect(h.check('p', s, true)).toBe('probe_in_flight');
  });

  it('a successful probe closes the circuit with a clean window', () => {
    const { h, s, advance, ok } = opened();
    advance(1_000);
    h.check('p', s, true);
    ok(1);
    expect(h.view('p', s)).toMatchObject({
      state: 'closed',
      samples: 1,
      failures: 0,
      consecutiveFailures: 0,
    });
    expect(h.check('p', s, true)).toBeNull();
    expect(h.check('p', s, true)).toBeNull();
  });

  it('a failed probe reopens for twice as long, capped at circuitMaxRecoveryMs', () => {
    const { h, s, advance, fail } = opened();
    advance(1_000);
    h.check('p', s, true);
    fail(1);
    expect(h.view('p', s)).toMatchObject({ state: 'open', openForMs: 2_000 });
    advance(2_000);
    h.check('p', s, true);
    fail(1);
    expect(h.view('p', s).openForMs).toBe(3_000);
    advance(3_000);
    h.check('p', s, true);
    fail(1);
    expect(h.view('p', s).openForMs).toBe(3_000);
  });

  it('recovery starts short again once a probe succeeded', () => {
    const { h, s, advance, fail, ok } = opened();
    advance(1_000);
    h.check('p', s, true);
    fail(1); // reopens for 2 s
    advance(2_000);
    h.check('p', s, true);
    ok(1);
    fail(5);
    expect(h.view('p', s).openForMs).toBe(1_000);
  });

  it('release gives back an unused probe slot', () => {
    const { h, s, advance } = opened();
    advance(1_000);
    expect(h.check('p', s, true)).toBeNull();
    h.release('p', s);
    expect(h.check('p', s, true)).toBeNull();
  });
});

describe('HealthBook cooldown, credentials, reset', () => {
  it('a cooldown makes the provider unavailable until it ends', () => {
    const { h, s, advance } = book();
    h.cooldown('p', s, 5_000);
    expect(h.check('p', s, true)).toBe('cooldown');
    expect(h.view('p', s).cooldownForMs).toBe(5_000);
    advance(4_999);
    expect(h.check('p', s, true)).toBe('cooldown');
    advance(1);
    expect(h.check('p', s, true)).toBeNull();
    expect(h.view('p', s).cooldownForMs).toBe(0);
  });

  it('is capped at maxCooldownMs, never negative, and the longer of two wins', () => {
    const { h, s } = book({ maxCooldownMs: 10_000 });
    h.cooldown('p', s, 3_600_000);
    expect(h.view('p', s).cooldownForMs).toBe(10_000);
    h.cooldown('p', s, 1_000);
    expect(h.view('p', s).cooldownForMs).toBe(10_000);
    h.cooldown('q', s, -50);
    expect(h.check('q', s, true)).toBeNull();
  });

  it('a cooldown is reported before an open circuit', () => {
    const { h, s, fail } = book();
    fail(5);
    h.cooldown('p', s, 100);
    expect(h.check('p', s, true)).toBe('cooldown');
  });

  it('shows a credentials problem until a success', () => {
    const { h, s, ok } = book();
    h.markCredentials('p', s, 'HTTP 401: invalid x-api-key');
    expect(h.view('p', s).credentialsProblem).toBe('HTTP 401: invalid x-api-key');
    ok(1);
    expect(h.view('p', s).credentialsProblem).toBeNull();
  });

  it('reset(id) forgets one provider, reset() all', () => {
    const { h, s, fail } = book();
    fail(5, 'a');
    fail(5, 'b');
    h.cooldown('b', s, 1_000);
    h.reset('a');
    expect(h.view('a', s)).toMatchObject({ state: 'closed', samples: 0 });
    expect(h.check('b', s, false)).toBe('cooldown');
    h.reset();
    expect(h.check('b', s, false)).toBeNull();
    expect(h.view('b', s).state).toBe('closed');
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads delta seconds', () => {
    expect(retryAfterMs({ 'retry-after': '7' }, now)).toBe(7_000);
    expect(retryAfterMs({ 'retry-after': ' 0 ' }, now)).toBe(0);
  });

  it('reads an HTTP date, relative to now, never negative', () => {
    expect(retryAfterMs({ 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }, now)).toBe(30_000);
    expect(retryAfterMs({ 'retry-after': 'Tue, 31 Dec 2024 23:59:00 GMT' }, now)).toBe(0);
  });

  it('prefers retry-after-ms, rounding up', () => {
    expect(retryAfterMs({ 'retry-after-ms': '1500.2', 'retry-after': '9' }, now)).toBe(1_501);
  });

  it('ignores what it cannot read', () => {
    expect(retryAfterMs({}, now)).toBeNull();
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeNull();
    expect(retryAfterMs({ 'retry-after-ms': 'abc' }, now)).toBeNull();
    expect(retryAfterMs({ 'retry-after': ['1', '2'] }, now)).toBeNull();
  });
});
