import type { Settings } from '../../shared/settings';

export type CircuitState = 'closed' | 'open' | 'half-open';

/** A provider's health as the UI and the control API show it. */
export interface ProviderHealthView {
  provider: string;
  state: CircuitState;
  /** Outcomes in the window: total and failed. */
  samples: number;
  failures: number;
  consecutiveFailures: number;
  lastError: string | null;
  /** ms until a half-open probe is allowed (open) or the Retry-After cooldown ends; 0 when none. */
  openForMs: number;
  cooldownForMs: number;
  credentialsProblem: string | null;
}

/** Why a provider cannot take a request right now, or null when it can. */
export type Unavailable = 'circuit_open' | 'probe_in_flight' | 'cooldown' | null;

interface Entry {
  outcomes: { at: number; ok: boolean }[];
  consecutiveFailures: number;
  state: CircuitState;
  openUntil: number;
  recoveryMs: number;
  probeInFlight: boolean;
  cooldownUntil: number;
  lastError: string | null;
  credentialsProblem: string | null;
}

/**
 * Per-provider circuit breakers and Retry-After cooldowns (in memory). A window of recent outcomes
 * opens the circuit; after a recovery wait one probe goes through (half-open); its success closes it,
 * its failure reopens it for twice as long.
 */
export class HealthBook {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number) {}

  private entry(id: string, s: Settings): Entry {
    let e = this.entries.get(id);
    if (!e) {
      e = {
        outcomes: [],
        consecutiveFailures: 0,
        state: 'closed',
        openUntil: 0,
        recoveryMs: s.circuitRecoveryMs,
        probeInFlight: false,
        cooldownUntil: 0,
        lastError: null,
        credentialsProblem: null,
      };
      this.entries.set(id, e);
    }
    return e;
  }

  /** Whether the provider may take a request now; `acquire` claims the half-open probe slot when it is one. */
  check(id: string, s: Settings, acquire: boolean): Unavailable {
    const e = this.entry(id, s);
    const now = this.now();
    if (e.cooldownUntil > now) return 'cooldown';
    if (e.state === 'open') {
      if (now < e.openUntil) return 'circuit_open';
      e.state = 'half-open';
    }
    if (e.state === 'half-open') {
      if (e.probeInFlight) return 'probe_in_flight';
      if (acquire) e.probeInFlight = true;
    }
    return null;
  }

  /** Records one outcome that says something about the provider (not a client's mistake or abort). */
  record(id: string, s: Settings, ok: boolean, error: string | null = null): void {
    const e = this.entry(id, s);
    const now = this.now();
    e.outcomes.push({ at: now, ok });
    this.trim(e, s, now);
    if (ok) {
      e.consecutiveFailures = 0;
      e.credentialsProblem = null;
      if (e.state === 'half-open') {
        e.state = 'closed';
        e.recoveryMs = s.circuitRecoveryMs;
        e.outcomes = [{ at: now, ok: true }];
      }
      e.probeInFlight = false;
      return;
    }
    e.consecutiveFailures++;
    e.lastError = error;
    if (e.state === 'half-open') {
      e.probeInFlight = false;
      e.recoveryMs = Math.min(e.recoveryMs * 2, s.circuitMaxRecoveryMs);
      this.open(e, now);
      return;
    }
    const failures = e.outcomes.filter((o) => !o.ok).length;
    const tripped =
      e.consecutiveFailures >= s.circuitConsecutiveFailures ||
      (e.outcomes.length >= s.circuitMinSamples && failures / e.outcomes.length >= s.circuitFailureRatio);
    if (e.state === 'closed' && tripped) this.open(e, now);
  }

  /** Whether the provider is half-open: recovering, its verdict awaited from a probe. */
  halfOpen(id: string): boolean {
    return this.entries.get(id)?.state === 'half-open';
  }

  /** Gives back an unused half-open probe slot (the attempt never reached the provider). */
  release(id: string, s: Settings): void {
    this.entry(id, s).probeInFlight = false;
  }

  /** Retry-After: no requests to this provider for `ms` (capped by `maxCooldownMs`). */
  cooldown(id: string, s: Settings, ms: number): void {
    const e = this.entry(id, s);
    e.cooldownUntil = Math.max(e.cooldownUntil, this.now() + Math.min(Math.max(0, ms), s.maxCooldownMs));
  }

  markCredentials(id: string, s: Settings, message: string): void {
    this.entry(id, s).credentialsProblem = message;
  }

  /** Forgets everything about one provider (or all): closed, no cooldown. */
  reset(id?: string): void {
    if (id === undefined) this.entries.clear();
    else this.entries.delete(id);
  }

  view(id: string, s: Settings): ProviderHealthView {
    const e = this.entry(id, s);
    const now = this.now();
    this.trim(e, s, now);
    const state: CircuitState = e.state === 'open' && now >= e.openUntil ? 'half-open' : e.state;
    return {
      provider: id,
      state,
      samples: e.outcomes.length,
      failures: e.outcomes.filter((o) => !o.ok).length,
      consecutiveFailures: e.consecutiveFailures,
      lastError: e.lastError,
      openForMs: state === 'open' ? e.openUntil - now : 0,
      cooldownForMs: Math.max(0, e.cooldownUntil - now),
      credentialsProblem: e.credentialsProblem,
    };
  }

  private open(e: Entry, now: number): void {
    e.state = 'open';
    e.openUntil = now + e.recoveryMs;
  }

  private trim(e: Entry, s: Settings, now: number): void {
    const oldest = now - s.circuitWindowMs;
    while (e.outcomes.length > 0 && (e.outcomes.length > s.circuitWindowSize || e.outcomes[0]!.at < oldest))
      e.outcomes.shift();
  }
}

/** Parses Retry-After (seconds or an HTTP date; also `retry-after-ms`) into ms, or null. */
export function retryAfterMs(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  now: number,
): number | null {
  const ms = headers['retry-after-ms'];
  if (typeof ms === 'string' && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
  const v = headers['retry-after'];
  if (typeof v !== 'string') return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
