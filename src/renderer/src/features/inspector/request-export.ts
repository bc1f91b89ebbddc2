import type { ApiFormat } from '../../../../shared/api-format';
import { redactSecrets } from '../../../../shared/redact';
import { formatPath } from '../../lib/labels';
import type { RawFrame } from './decode-message';

/** Quotes for a POSIX shell: `'…'` with every `'` as `'\''`. */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** The auth header each format's clients send, with the key left as an environment variable. */
function authHeaders(format: ApiFormat): string[] {
  switch (format) {
    case 'anthropic':
      return ['x-api-key: $ANTHROPIC_API_KEY', 'anthropic-version: 2023-06-01'];
    case 'gemini':
      return ['x-goog-api-key: $GEMINI_API_KEY'];
    default:
      return ['authorization: Bearer $OPENAI_API_KEY'];
  }
}

export interface CurlInput {
  gatewayUrl: string;
  format: ApiFormat;
  model: string | null;
  stream: boolean;
  /** The captured request body, or null when bodies are not captured. */
  body: string | null;
}

/**
 * The request again as a curl command against Sluice. The key is never in it (an environment
 * variable stands in, in double quotes so the shell expands it), and the body is redacted.
 */
export function curlCommand(c: CurlInput): string {
  const url = `${c.gatewayUrl.replace(/\/$/, '')}${formatPath(c.format, c.model, c.stream)}`;
  const lines = [`curl ${c.stream ? '-N ' : ''}${shellQuote(url)}`, `-H 'content-type: application/json'`];
  for (const h of authHeaders(c.format)) lines.push(`-H "${h}"`);
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
