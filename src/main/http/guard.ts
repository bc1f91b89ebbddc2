import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Splits a Host header into hostname and port (`[::1]:8080` aware). */
function parseHost(host: string): { hostname: string; port: string | null } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host.trim().toLowerCase());
  if (!m) return { hostname: '', port: null };
  return { hostname: m[1] ?? '', port: m[2] ?? null };
}

/**
 * DNS-rebinding guard: the Host must name a loopback address or `localhost`, with Sluice's port when
 * it names one. Returns a reason to refuse, or null.
 */
export function checkHost(
  headers: IncomingHttpHeaders,
  port: number,
  extraHosts: readonly string[] = [],
): string | null {
  const host = headers.host;
  if (host === undefined || host === '') return 'missing Host header';
  const { hostname, port: p } = parseHost(host);
  if (!LOOPBACK_HOSTS.has(hostname) && !extraHosts.includes(hostname))
    return `Host "${host}" is not a loopback address`;
  if (p !== null && Number(p) !== port) return `Host "${host}" names another port`;
  return null;
}

/**
 * A browser page's Origin must be Sluice's own (its dashboard); non-browser clients send none.
 * Returns a reason to refuse, or null.
 */
export function checkOrigin(
  headers: IncomingHttpHeaders,
  port: number,
  allowed: readonly string[] = [],
): string | null {
  const origin = headers.origin;
  if (origin === undefined) return null;
  const own = [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
  if (own.includes(origin) || allowed.includes(origin)) return null;
  return `Origin "${origin}" is not allowed`;
}

/** Credentials a client can send, in every vendor's style. */
export const CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'x-goog-api-key'] as const;

/** The credential the client presented (any vendor's style, or `?key=`), or null. */
export function presentedCredential(headers: IncomingHttpHeaders, query: string): string | null {
  for (const name of CREDENTIAL_HEADERS) {
    const v = headers[name];
    if (typeof v === 'string' && v !== '') return name === 'authorization' ? v.replace(/^Bearer\s+/i, '') : v;
  }
  const key = new URLSearchParams(query).get('key');
  return key === null || key === '' ? null : key;
}

/** Constant-time comparison of a presented token with the local one. */
export function tokenMatches(presented: string | null, token: string): boolean {
  if (presented === null) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Headers and query without any client credential (the local token must never travel upstream). */
export function withoutCredentials(
  headers: IncomingHttpHeaders,
  query: string,
): { headers: IncomingHttpHeaders; query: string } {
  const h: IncomingHttpHeaders = Object.fromEntries(
    Object.entries(headers).filter(([name]) => !(CREDENTIAL_HEADERS as readonly string[]).includes(name)),
  );
  const params = new URLSearchParams(query);
  params.delete('key');
  return { headers: h, query: params.toString() };
}
