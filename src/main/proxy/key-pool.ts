import type { ProviderConfig } from '../../shared/config';
import type { Failure } from '../../shared/failure';
import { failureText } from '../../shared/failure';
import type { PoolKeyView } from '../../shared/ipc-contract';
import { poolKeys } from '../../shared/provider-secrets';
import type { Settings } from '../../shared/settings';
import { keyFingerprint } from './key-fingerprint';

/** One key's state: counts since start, and when it may be used again (wall-clock ms; 0 = now). */
interface KeyState {
  requests: number;
  errors: number;
  until: number;
  reason: string | null;
}

/** A key chosen for one attempt. */
export interface PickedKey {
  key: string;
  fingerprint: string;
}

/** What one failed attempt did to its key. */
export type KeyVerdict = 'benched' | 'cooled' | 'none';

/** Fingerprints by key, so a request does not hash its provider's keys again (bounded). */
const FINGERPRINTS = new Map<string, string>();
const MAX_FINGERPRINTS = 1024;

/** The fingerprint of `key`, from the cache when it has been seen. */
export function fingerprintOf(key: string): string {
  let fp = FINGERPRINTS.get(key);
  if (fp === undefined) {
    fp = keyFingerprint(key);
    if (FINGERPRINTS.size >= MAX_FINGERPRINTS) FINGERPRINTS.clear();
    FINGERPRINTS.set(key, fp);
  }
  return fp;
}

/**
 * The keys of every provider (`apiKey` + `apiKeys`, see poolKeys), in memory: used in turn (round
 * robin over the usable ones), counted, and — in a pool of two or more — taken out of the turn when
 * they fail in a way that is the key's own: a 401/403 or a spent quota benches the key for
 * `keyBenchMs`, a 429 cools it for its Retry-After (else `keyCooldownMs`). A provider with one key
 * keeps today's rules: its failures are the provider's (health.ts). State is keyed by fingerprint, so
 * a key removed from the config is forgotten and one added starts clean.
 */
export class KeyPool {
  private readonly states = new Map<string, Map<string, KeyState>>();
  private readonly turns = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  /**
   * The key for the next attempt to `p`: `prefer` (a fingerprint, e.g. the key that served the
   * conversation's last turn) while usable, else the next usable one in turn that this request has not
   * `tried`. Null when `p` has keys but none is usable now; undefined when it has none of its own.
   */
  pick(p: ProviderConfig, tried: ReadonlySet<string>, prefer?: string): PickedKey | null | undefined {
    const keys = poolKeys(p);
    if (keys.length === 0) return undefined;
    const states = this.entries(p.id, keys);
    const now = this.now();
    const usable = (k: string): boolean => {
      const fp = fingerprintOf(k);
      return !tried.has(fp) && states.get(fp)!.until <= now;
    };
    let index = -1;
    if (prefer !== undefined) index = keys.findIndex((k) => fingerprintOf(k) === prefer && usable(k));
    if (index === -1) {
      const start = this.turns.get(p.id) ?? 0;
      for (let i = 0; i < keys.length && index === -1; i++) {
        const at = (start + i) % keys.length;
        if (usable(keys[at]!)) index = at;
      }
      if (index !== -1) this.turns.set(p.id, (index + 1) % keys.length);
    }
    // A lone key is never benched: it is tried as today and its failures judge the provider.
    if (index === -1 && keys.length === 1 && !tried.has(fingerprintOf(keys[0]!))) index = 0;
    if (index === -1) return null;
    const key = keys[index]!;
    const fingerprint = fingerprintOf(key);
    states.get(fingerprint)!.requests++;
    return { key, fingerprint };
  }

  /** Whether another key of `p` than those `tried` could be used now. */
  hasUsable(p: ProviderConfig, tried: ReadonlySet<string>): boolean {
    const keys = poolKeys(p);
    const states = this.entries(p.id, keys);
    const now = this.now();
    return keys.some((k) => {
      const fp = fingerprintOf(k);
      return !tried.has(fp) && states.get(fp)!.until <= now;
    });
  }

  /** ms until the first of `p`'s benched or cooling keys is usable again (0 when one is now). */
  soonestMs(p: ProviderConfig): number {
    const keys = poolKeys(p);
    const states = this.entries(p.id, keys);
    const now = this.now();
    return Math.max(0, Math.min(...keys.map((k) => states.get(fingerprintOf(k))!.until - now)));
  }

  /**
   * An attempt with `fingerprint` failed: counted, and, in a pool of two or more, the key benched
   * (401/403, a spent quota) or cooled (429) when the failure is its own. Says which.
   */
  failed(
    p: ProviderConfig,
    fingerprint: string,
    s: Settings,
    f: { failure: Failure; status: number | null; retryAfterMs: number | null; bodyHead: string | null },
  ): KeyVerdict {
    const keys = poolKeys(p);
    const state = this.entries(p.id, keys).get(fingerprint);
    if (state === undefined) return 'none';
    state.errors++;
    if (keys.length < 2) return 'none';
    const now = this.now();
    const words = (f.bodyHead ?? 'no body').slice(0, 200);
    if (f.failure.code === 'quota_exhausted' || f.status === 401 || f.status === 403) {
      state.until = now + s.keyBenchMs;
      state.reason = `${failureText({ code: f.failure.code, ...(f.status === null ? {} : { status: f.status }) })}: ${words}`;
      return 'benched';
    }
    if (f.status === 429) {
      const wait = f.retryAfterMs === null ? s.keyCooldownMs : Math.min(f.retryAfterMs, s.maxCooldownMs);
      state.until = now + Math.max(0, wait);
      state.reason = `http_status 429: ${words}`;
      return 'cooled';
    }
    return 'none';
  }

  /** Every key of `p` by fingerprint, with its counts and why and how long it sits out. */
  view(p: ProviderConfig): PoolKeyView[] {
    const keys = poolKeys(p);
    const states = this.entries(p.id, keys);
    const now = this.now();
    return keys.map((k) => {
      const fingerprint = fingerprintOf(k);
      const st = states.get(fingerprint)!;
      const out = st.until > now;
      return {
        fingerprint,
        source: k === p.apiKey ? 'apiKey' : 'apiKeys',
        requests: st.requests,
        errors: st.errors,
        unusableForMs: out ? st.until - now : 0,
        reason: out ? st.reason : null,
      };
    });
  }

  /** Forgets one provider's key state (or all): every key usable, counts from zero. */
  reset(id?: string): void {
    if (id === undefined) {
      this.states.clear();
      this.turns.clear();
    } else {
      this.states.delete(id);
      this.turns.delete(id);
    }
  }

  /** The states of `id`'s current keys, created for new ones, dropped for keys no longer configured. */
  private entries(id: string, keys: readonly string[]): Map<string, KeyState> {
    let states = this.states.get(id);
    if (states === undefined) {
      states = new Map();
      this.states.set(id, states);
    }
    const current = new Set(keys.map(fingerprintOf));
    for (const fp of states.keys()) if (!current.has(fp)) states.delete(fp);
    for (const fp of current)
      if (!states.has(fp)) states.set(fp, { requests: 0, errors: 0, until: 0, reason: null });
    return states;
  }
}

/**
 * The fingerprint of the key an attempt was sent with (its provider carries the one key it sends, the
 * pool's pick), or null when it sent the client's own credentials: what session affinity remembers.
 */
export function servedKey(provider: Pick<ProviderConfig, 'apiKey'>): string | null {
  return provider.apiKey === undefined ? null : fingerprintOf(provider.apiKey);
}
