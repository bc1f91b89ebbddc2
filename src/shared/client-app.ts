import type { ClientApp } from './usage';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

function header(headers: Headers, name: string): string {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
}

/** Recognises the calling tool from its User-Agent and its own headers. */
export function detectClient(headers: Headers): ClientApp {
  const ua = header(headers, 'user-agent').toLowerCase();
  if (ua.startsWith('claude-cli') || ua.includes('claude-code') || header(headers, 'x-app') === 'cli')
    return 'claude-code';
  if (ua.startsWith('codex') || header(headers, 'originator').startsWith('codex')) return 'codex';
  if (ua.startsWith('geminicli') || ua.includes('gemini-cli')) return 'gemini-cli';
  if (ua.startsWith('curl/')) return 'curl';
  if (header(headers, 'x-stainless-lang') !== '' || ua.startsWith('openai/') || ua.startsWith('anthropic/')) {
    if (ua.startsWith('anthropic/') || headers['anthropic-version'] !== undefined) return 'anthropic-sdk';
    return 'openai-sdk';
  }
  if (ua.includes('google-genai-sdk') || header(headers, 'x-goog-api-client').includes('genai-js'))
    return 'google-sdk';
  return 'other';
}
