import { request } from 'undici';
import type { ProviderConfig } from '../../shared/config';
import { baseUrlProblem } from '../../shared/base-url';
import { errorMessage } from '../../shared/errors';
import type { ProviderTestResult } from '../../shared/ipc-contract';
import { isSecretHeader, originOf } from '../../shared/provider-secrets';
import { redactSecrets } from '../../shared/redact';
import { resolveUserAgent } from '../../shared/user-agents';
import type { UpstreamHeaders } from './deps';

/** The whole test, connect to last byte, may take this long. */
export const PROVIDER_TEST_TIMEOUT_MS = 10_000;
/** Model lists past this size are not parsed (the test still passes on its status). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MESSAGE_CHARS = 300;

/** Where each vendor lists its models, under the provider's base URL (vendor SDK conventions). */
function modelsUrl(p: ProviderConfig): string {
  const base = p.baseUrl.replace(/\/+$/, '');
  switch (p.kind) {
    case 'openai':
      return `${base}/models`;
    case 'anthropic':
      return `${base}/v1/models`;
    case 'gemini':
      return `${base}/v1beta/models`;
  }
}

/**
 * The headers of Sluice's own request, built as the gateway builds a forwarded one with Sluice as the
 * client: the provider's User-Agent preset or custom UA, else an honest `Sluice/<version>`; the provider's
 * explicit headers over that; the key in the vendor's style.
 */
function testHeaders(
  p: ProviderConfig,
  version: string,
  upstreamHeaders: UpstreamHeaders,
): Record<string, string> {
  const headers = upstreamHeaders(resolveUserAgent(p, version), p);
  if (p.kind === 'anthropic') headers['anthropic-version'] ??= '2023-06-01';
  headers.accept = 'application/json';
  return headers;
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string | null> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      body.destroy();
      return null;
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8');
}

function modelCount(json: unknown): number | null {
  if (typeof json !== 'object' || json === null) return null;
  const list = (json as { data?: unknown; models?: unknown }).data ?? (json as { models?: unknown }).models;
  return Array.isArray(list) ? list.length : null;
}

/** The vendor's own error message (all three nest it as `error.message`), else the body's start. */
function errorText(text: string): string {
  try {
    const json = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof json.error?.message === 'string') return json.error.message;
  } catch {
    // not JSON: show the text itself
  }
  return text.trim();
}

function clip(text: string): string {
  return text.length > MESSAGE_CHARS ? `${text.slice(0, MESSAGE_CHARS)}…` : text;
}

/** The provider without its keys and secret headers. */
function withoutCredentials(p: ProviderConfig): ProviderConfig {
  const { apiKey: _key, apiKeys: _pool, ...rest } = p;
  return {
    ...rest,
    headers: Object.fromEntries(Object.entries(p.headers).filter(([name]) => !isSecretHeader(p, name))),
  };
}

/**
 * Asks the provider for its model list with its own credentials: whether it answers, how fast, and
 * what it said. The credentials go only to `boundOrigin`, the origin they were saved for (RuntimeConfig
 * drops them when the origin changes; this is the last check before they leave), and redirects are not
 * followed. Never throws; no message ever carries a credential.
 */
export async function testProvider(
  stored: ProviderConfig,
  boundOrigin: string | null,
  version: string,
  secrets: readonly string[],
  upstreamHeaders: UpstreamHeaders,
): Promise<ProviderTestResult> {
  // A base URL in the other vendor convention 404s every path: say what to change, send nothing.
  const problem = baseUrlProblem(stored.kind, stored.baseUrl);
  if (problem !== null) return { ok: false, status: null, latencyMs: 0, message: `base URL: ${problem}` };
  const foreign = boundOrigin !== null && boundOrigin !== originOf(stored.baseUrl);
  // A provider with only a pool is tested with the pool's first key (the one its first request gets).
  const keyed =
    stored.apiKey === undefined && stored.apiKeys !== undefined
      ? { ...stored, apiKey: stored.apiKeys[0] }
      : stored;
  const provider = foreign ? withoutCredentials(keyed) : keyed;
  const started = performance.now();
  const latency = (): number => Math.round(performance.now() - started);
  const safe = (text: string): string => clip(redactSecrets(text, secrets));
  try {
    const res = await request(modelsUrl(provider), {
      method: 'GET',
      headers: testHeaders(provider, version, upstreamHeaders),
      signal: AbortSignal.timeout(PROVIDER_TEST_TIMEOUT_MS),
      headersTimeout: PROVIDER_TEST_TIMEOUT_MS,
      bodyTimeout: PROVIDER_TEST_TIMEOUT_MS,
    });
    const text = await readCapped(res.body);
    const status = res.statusCode;
    if (status >= 200 && status < 300) {
      let count: number | null = null;
      try {
        count = text === null ? null : modelCount(JSON.parse(text));
      } catch {
        count = null;
      }
      const what = count === null ? 'it answered' : `${count} model${count === 1 ? '' : 's'} listed`;
      return { ok: true, status, latencyMs: latency(), message: `OK: ${what}` };
    }
    const refused = status === 401 || status === 403;
    const hint = !refused
      ? ''
      : foreign
        ? ` (the saved key belongs to ${boundOrigin}, so it was not sent here)`
        : provider.apiKey === undefined
          ? ' (no key saved here: clients send their own)'
          : ' (check the key)';
    const said = text === null ? '' : `: ${errorText(text)}`;
    return { ok: false, status, latencyMs: latency(), message: safe(`HTTP ${status}${hint}${said}`) };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const timedOut =
      (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) ||
      code === 'UND_ERR_HEADERS_TIMEOUT' ||
      code === 'UND_ERR_BODY_TIMEOUT';
    const message = timedOut
      ? `no answer within ${PROVIDER_TEST_TIMEOUT_MS / 1000} s`
      : `could not reach it: ${typeof code === 'string' ? `${code} ` : ''}${errorMessage(err)}`;
    return { ok: false, status: null, latencyMs: latency(), message: safe(message) };
  }
}
