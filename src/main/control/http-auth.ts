import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { tokenMatches } from '../config/local-token';

/** The header a dashboard page sends its session secret in (never a cookie: see DashboardSessions). */
export const SESSION_HEADER = 'x-sluice-session';
/** A session nobody used for this long (no call, no open push stream) ends. */
export const SESSION_IDLE_MS = 60 * 60_000;
/** At most this many sessions live at once; a new one past it ends the least recently used. */
export const MAX_SESSIONS = 64;

/** The control token from `Authorization: Bearer`, as scripts and tests send it. */
export function bearer(req: IncomingMessage): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1] ?? null;
}

/** True when the request carries the control token as `Authorization: Bearer` (constant-time). */
export function hasControlToken(req: IncomingMessage, token: string): boolean {
  return tokenMatches(token, bearer(req));
}

/**
 * Why a browser request to the control API is refused though its Origin passed: it says it comes from
 * another site or from no page at all (a navigation, a link), which no dashboard call ever does. Null
 * for non-browser clients (no `Sec-Fetch-Site`) and same-origin calls.
 */
export function crossSiteReason(req: IncomingMessage): string | null {
  const site = req.headers['sec-fetch-site'];
  if (site === undefined || site === 'same-origin') return null;
  return `a control call from a ${site} context`;
}

/** One dashboard session: the origin it was made for, when it was last used, the push streams it holds. */
export interface DashboardSession {
  readonly origin: string;
  lastUsedMs: number;
  streams: number;
}

const digest = (secret: string): string => crypto.createHash('sha256').update(secret).digest('hex');

/**
 * The dashboard's sessions. A page loaded with `?token=` trades the control token for a session secret
 * (`POST /_sluice/api/session`) that it keeps in sessionStorage, which only pages of its own origin can
 * read, and sends in a header on every call. A cookie would not do: cookies ignore ports, so any other
 * program serving a page on another port of 127.0.0.1 would be sent it. A session is bound to the Origin
 * it was made from (every call must come from that origin), ends after {@link SESSION_IDLE_MS} unused, and
 * all end when Sluice stops or the tokens are rotated. Secrets are kept only as SHA-256 digests.
 */
export class DashboardSessions {
  private readonly byDigest = new Map<string, DashboardSession>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A new session for pages of `origin`; returns its secret (64 hex characters). */
  create(origin: string): string {
    this.sweep();
    while (this.byDigest.size >= MAX_SESSIONS) {
      let oldest: [string, DashboardSession] | null = null;
      for (const entry of this.byDigest)
        if (oldest === null || entry[1].lastUsedMs < oldest[1].lastUsedMs) oldest = entry;
      if (oldest === null) break;
      this.byDigest.delete(oldest[0]);
    }
    const secret = crypto.randomBytes(32).toString('hex');
    this.byDigest.set(digest(secret), { origin, lastUsedMs: this.now(), streams: 0 });
    return secret;
  }

  /**
   * The live session `secret` names, used from `origin`, and marks it used; null when there is none, it
   * ended, or it belongs to another origin.
   */
  use(secret: string | undefined, origin: string | undefined): DashboardSession | null {
    if (secret === undefined || secret === '' || origin === undefined) return null;
    const key = digest(secret);
    const session = this.byDigest.get(key);
    if (session === undefined) return null;
    if (this.expired(session)) {
      this.byDigest.delete(key);
      return null;
    }
    if (session.origin !== origin) return null;
    session.lastUsedMs = this.now();
    return session;
  }

  /** A push stream holds the session open (a page watching the live view is in use). */
  hold(session: DashboardSession): () => void {
    session.streams++;
    return () => {
      session.streams--;
      session.lastUsedMs = this.now();
    };
  }

  /** Ends every session (the tokens were rotated). */
  clear(): void {
    this.byDigest.clear();
  }

  get size(): number {
    return this.byDigest.size;
  }

  private expired(s: DashboardSession): boolean {
    return s.streams === 0 && this.now() - s.lastUsedMs > SESSION_IDLE_MS;
  }

  private sweep(): void {
    for (const [key, s] of this.byDigest) if (this.expired(s)) this.byDigest.delete(key);
  }
}

/** Names of cookies an older Sluice set (`sluice_token_<port>`, the token itself): each is cleared. */
export function staleTokenCookies(req: IncomingMessage): string[] {
  const header = req.headers.cookie;
  if (header === undefined) return [];
  return header
    .split(';')
    .map((part) => part.slice(0, Math.max(0, part.indexOf('='))).trim())
    .filter((name) => /^sluice_token_\d+$/.test(name));
}
