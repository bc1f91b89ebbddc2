import type { IncomingMessage } from 'node:http';
import { tokenMatches } from '../config/local-token';

/**
 * The dashboard's cookie, one per port: cookies are shared by every port of a host, so two Sluices (or
 * another local server) must not read or clobber each other's.
 */
export function tokenCookieName(port: number): string {
  return `sluice_token_${port}`;
}

function cookie(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (header === undefined) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

function bearer(req: IncomingMessage): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1] ?? null;
}

/** How a request proved it holds the token, if it did. */
export type TokenProof = 'header' | 'cookie' | 'query' | null;

/**
 * Checks the local token from `Authorization: Bearer`, the dashboard cookie or, where the caller
 * allows it (the first page load), a `token` query parameter. Every comparison is constant-time.
 */
export function tokenProof(
  req: IncomingMessage,
  token: string,
  port: number,
  queryToken: string | null,
): TokenProof {
  if (tokenMatches(token, bearer(req))) return 'header';
  if (tokenMatches(token, cookie(req, tokenCookieName(port)))) return 'cookie';
  if (tokenMatches(token, queryToken)) return 'query';
  return null;
}

/** The Set-Cookie value that lets the SPA's fetches and EventSource carry the token (never readable by script). */
export function tokenCookie(token: string, port: number): string {
  return `${tokenCookieName(port)}=${token}; Path=/_sluice/; HttpOnly; SameSite=Strict`;
}
