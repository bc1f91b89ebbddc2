import { redactSecrets } from './redact';
import type { RecordedHeader, RecordedRequestHeaders } from './usage-query';

/** Inbound headers as Node gives them (`req.headers`): names lowercase, a repeated set-cookie as an array. */
export type InboundHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** At most this many headers are recorded per request; the rest are counted as omitted. */
export const MAX_RECORDED_HEADERS = 64;
/** At most this many bytes (UTF-8, names and values) of headers are recorded per request. */
export const MAX_RECORDED_HEADER_BYTES = 8 * 1024;
/** A longer value is cut to this many characters (before masking, which makes it short anyway). */
export const MAX_HEADER_VALUE_CHARS = 1024;
/** A longer path and query is cut to this many characters. */
export const MAX_TARGET_CHARS = 2048;

/**
 * Headers that carry a credential, whatever their value looks like: the three vendor styles the guard
 * accepts (src/main/http/guard.ts CREDENTIAL_HEADERS), proxy credentials and cookies.
 */
const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'x-api-key',
  'x-goog-api-key',
  'proxy-authorization',
  'cookie',
  'set-cookie',
]);

/** A header or query parameter whose name says it holds a secret (`x-auth-token`, `api_key`, `key`…). */
const SECRET_NAME = /token|secret|key|auth|passw|credential|cookie/i;

/** Authentication schemes kept in front of a masked value, so `Bearer` vs `Basic` stays visible. */
const AUTH_SCHEME = /^(bearer|basic|token|digest|negotiate|ntlm|apikey|api-key|key)\s+/i;

/** Below this length not even a prefix of a secret is shown. */
const PREFIX_MIN_CHARS = 20;
const PREFIX_CHARS = 4;

/** What a masked query value becomes (the same marker `redactSecrets` uses). */
export const REDACTED_MARK = '[redacted]';
/** What every masked header value contains, so the UI and exports can tell one apart. */
const MASK_MARK = '(redacted, ';

/** True when a header of this name holds a credential and its value is masked, whatever it looks like. */
export function isSecretHeaderName(name: string): boolean {
  const n = name.toLowerCase();
  return CREDENTIAL_HEADERS.has(n) || SECRET_NAME.test(n);
}

/**
 * Masks a credential, keeping the auth scheme and, for a long one, its first 4 characters (enough to
 * tell an `sk-ant` key from a local token): `Bearer sk-a…(redacted, 51 chars)`. Basic credentials
 * (base64 of `user:password`) keep no prefix.
 */
export function maskCredential(value: string): string {
  const scheme = AUTH_SCHEME.exec(value);
  const head = scheme === null ? '' : `${scheme[1]} `;
  const secret = scheme === null ? value.trim() : value.slice(scheme[0].length).trim();
  const basic = scheme !== null && scheme[1]!.toLowerCase() === 'basic';
  const prefix = !basic && secret.length >= PREFIX_MIN_CHARS ? secret.slice(0, PREFIX_CHARS) : '';
  return `${head}${prefix}…${MASK_MARK}${secret.length} chars)`;
}

/** The auth scheme a (masked) credential starts with, as sent (`Bearer`), or null. */
export function authScheme(value: string): string | null {
  return AUTH_SCHEME.exec(value)?.[1] ?? null;
}

/** UTF-8 length of `s`, without Buffer (this module also runs in the renderer). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}…(+${s.length - max} chars)`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replaceAll('+', ' '));
  } catch {
    return s;
  }
}

/**
 * The path and query as sent, with the value of every secret-looking query parameter (`key=` above
 * all: Gemini clients send their key there) replaced by `[redacted]`, anything shaped like a
 * credential elsewhere redacted too, and cut to MAX_TARGET_CHARS.
 */
export function redactTarget(target: string): string {
  const q = target.indexOf('?');
  const path = redactSecrets(q === -1 ? target : target.slice(0, q));
  if (q === -1) return cut(path, MAX_TARGET_CHARS);
  const params = target
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return redactSecrets(pair);
      const name = pair.slice(0, eq);
      return SECRET_NAME.test(safeDecode(name))
        ? `${name}=${REDACTED_MARK}`
        : `${name}=${redactSecrets(pair.slice(eq + 1))}`;
    });
  return cut(`${path}?${params.join('&')}`, MAX_TARGET_CHARS);
}

/** One header's recorded form: masked when its name says secret, else with credential shapes redacted. */
function recordOne(name: string, raw: string): RecordedHeader {
  if (isSecretHeaderName(name)) return { name, value: maskCredential(raw), redacted: true };
  const kept = cut(raw, MAX_HEADER_VALUE_CHARS);
  const value = redactSecrets(kept);
  return { name, value, redacted: value !== kept };
}

/**
 * What is recorded of an inbound request's line and headers: every credential masked, and bounded to
 * MAX_RECORDED_HEADERS headers and MAX_RECORDED_HEADER_BYTES bytes in arrival order (the rest counted
 * in `omitted`). Pure; the store calls it before holding anything, so no clear credential is ever
 * queued for the disk.
 */
export function recordRequestHeaders(
  method: string,
  target: string,
  headers: InboundHeaders,
): RecordedRequestHeaders {
  const out: RecordedHeader[] = [];
  let bytes = 0;
  let omitted = 0;
  for (const [rawName, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const values: readonly string[] = typeof v === 'string' ? [v] : v;
    for (const raw of values) {
      const name = cut(rawName.toLowerCase(), 256);
      const h = recordOne(name, raw);
      const size = utf8Length(h.name) + utf8Length(h.value);
      if (out.length >= MAX_RECORDED_HEADERS || bytes + size > MAX_RECORDED_HEADER_BYTES) {
        omitted++;
        continue;
      }
      bytes += size;
      out.push(h);
    }
  }
  const verb = /^[A-Za-z]{1,16}$/.test(method) ? method.toUpperCase() : 'OTHER';
  return { method: verb, target: redactTarget(target), headers: out, omitted };
}
