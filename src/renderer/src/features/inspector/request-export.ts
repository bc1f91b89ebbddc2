import type { ApiFormat } from '../../../../shared/api-format';
import { authScheme, isSecretHeaderName, REDACTED_MARK } from '../../../../shared/header-redact';
import { redactSecrets } from '../../../../shared/redact';
import type { RecordedHeader, RecordedRequestHeaders } from '../../../../shared/usage-query';
import { formatPath } from '../../lib/labels';
import type { RawFrame } from './decode-message';

/** Quotes for a POSIX shell: `'…'` with every `'` as `'\''`. */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** The environment variable each format's clients keep their key in. */
function keyVar(format: ApiFormat): string {
  switch (format) {
    case 'anthropic':
      return '$ANTHROPIC_API_KEY';
    case 'gemini':
      return '$GEMINI_API_KEY';
    default:
      return '$OPENAI_API_KEY';
  }
}

/** The auth header each format's clients send, with the key left as an environment variable. */
function authHeaders(format: ApiFormat): string[] {
  const key = keyVar(format);
  switch (format) {
    case 'anthropic':
      return [`x-api-key: ${key}`, 'anthropic-version: 2023-06-01'];
    case 'gemini':
      return [`x-goog-api-key: ${key}`];
    default:
      return [`authorization: Bearer ${key}`];
  }
}

/**
 * Headers a replay must not copy: hop-by-hop ones (RFC 9110 §7.6.1), those curl computes itself
 * (host, content-length), and accept-encoding, so curl prints the answer instead of compressed bytes.
 */
const NOT_REPLAYED: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'http2-settings',
  'accept-encoding',
]);

/** Headers where a client puts the key Sluice swaps for the provider's; they get the environment variable. */
const KEY_HEADERS: ReadonlySet<string> = new Set(['authorization', 'x-api-key', 'x-goog-api-key']);

/** One recorded header as a curl `-H`: a masked key becomes the environment variable, any other secret `<redacted>`. */
function headerArg(h: RecordedHeader, format: ApiFormat): string {
  if (KEY_HEADERS.has(h.name) && h.redacted) {
    const scheme = authScheme(h.value);
    return `-H "${h.name}: ${scheme === null ? '' : `${scheme} `}${keyVar(format)}"`;
  }
  const value = isSecretHeaderName(h.name) && h.redacted ? '<redacted>' : h.value;
  return `-H ${shellQuote(`${h.name}: ${value}`)}`;
}

/** A redacted `?key=` / `&key=` value (REDACTED_MARK): where Gemini clients put their key. */
const KEY_PARAM = /(?<=[?&]key=)\[redacted\]/;

/** The URL, single-quoted, with a redacted `key=` as the environment variable (double-quoted so it expands). */
function urlArg(url: string, format: ApiFormat): string {
  return url
    .split(KEY_PARAM)
    .map((part) => shellQuote(part.replaceAll(REDACTED_MARK, '<redacted>')))
    .join(`"${keyVar(format)}"`);
}

export interface CurlInput {
  gatewayUrl: string;
  format: ApiFormat;
  model: string | null;
  stream: boolean;
  /** The captured request body, or null when bodies are not captured. */
  body: string | null;
  /** The recorded request line and headers (redacted); null or absent for requests recorded without them. */
  headers?: RecordedRequestHeaders | null;
}

/**
 * The request again as a curl command against Sluice: the recorded path, query and headers when there
 * are some, else the format's usual ones. The key is never in it (an environment variable stands in,
 * in double quotes so the shell expands it), other masked secrets read `<redacted>`, and the body is
 * redacted.
 */
export function curlCommand(c: CurlInput): string {
  const rec = c.headers ?? null;
  const path = rec?.target ?? formatPath(c.format, c.model, c.stream);
  const url = `${c.gatewayUrl.replace(/\/$/, '')}${path}`;
  const method = rec === null || rec.method === 'POST' || rec.method === 'GET' ? '' : `-X ${rec.method} `;
  const lines = [`curl ${c.stream ? '-N ' : ''}${method}${urlArg(url, c.format)}`];
  if (rec === null) {
    lines.push(`-H 'content-type: application/json'`);
    for (const h of authHeaders(c.format)) lines.push(`-H "${h}"`);
  } else {
    for (const h of rec.headers) if (!NOT_REPLAYED.has(h.name)) lines.push(headerArg(h, c.format));
  }
  if (rec?.method === 'GET') return lines.join(' \\\n  ');
  if (c.body === null)
    lines.push('--data-binary @body.json  # request body not captured (Settings → Captures)');
  else lines.push(`--data-binary ${shellQuote(redactSecrets(c.body))}`);
  return lines.join(' \\\n  ');
}

/** Frames as an `.sse` file: `event:` when named, one `data:` line per line of data, blank line between. */
export function framesToSse(frames: readonly RawFrame[]): string {
  let out = '';
  for (const f of frames) {
    if (f.event !== null) out += `event: ${f.event}\n`;
    for (const line of f.data.split(/\r?\n/)) out += `data: ${line}\n`;
    out += '\n';
  }
  return out;
}

/** A file name for a request's exports: `sluice-<time>-<id prefix>.<ext>`. */
export function exportName(requestId: string, startedAtMs: number, ext: 'sse' | 'json'): string {
  const d = new Date(startedAtMs);
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
  return `sluice-${stamp}-${requestId.slice(0, 8)}.${ext}`;
}
