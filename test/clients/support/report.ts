import type { ApiFormat } from '../../../src/shared/api-format';
import type { RecordedRequest } from '../../support/fake-upstream';
import { decodedBody, header, type Exchange, type WireMessage } from './tee';

/** Headers whose values say something about how a CLI talks; anything else is listed by name only. */
const SHOWN_HEADERS = new Set([
  'user-agent',
  'accept',
  'accept-encoding',
  'content-type',
  'content-encoding',
  'anthropic-version',
  'anthropic-beta',
  'x-app',
  'originator',
  'x-goog-api-client',
  'version',
  'session_id',
  'x-stainless-package-version',
]);
const AUTH_HEADERS = new Set(['authorization', 'x-api-key', 'x-goog-api-key', 'api-key']);

function jsonOf(m: WireMessage): unknown {
  const body = decodedBody(m);
  if (body === null || body.length === 0) return null;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
}

/** Model, stream flag, tool count and top-level keys of a request body, without the prompt. */
function bodyShape(json: unknown): Record<string, unknown> | null {
  if (json === null || typeof json !== 'object') return null;
  const b = json as Record<string, unknown>;
  return {
    keys: Object.keys(b).sort(),
    ...(b.model !== undefined ? { model: b.model } : {}),
    ...(b.stream !== undefined ? { stream: b.stream } : {}),
    ...(Array.isArray(b.tools) ? { tools: b.tools.length } : {}),
    ...(b.max_tokens !== undefined ? { max_tokens: b.max_tokens } : {}),
    ...(b.generationConfig !== undefined
      ? { generationConfig: Object.keys(b.generationConfig as object) }
      : {}),
  };
}

/** How many text deltas a response carries, in the format's own event shape. */
export function textDeltas(format: ApiFormat, body: string): number {
  const re =
    format === 'anthropic'
      ? /"type":\s*"text_delta"/g
      : format === 'openai-responses'
        ? /^event: response\.output_text\.delta\r?$/gm
        : format === 'openai-chat'
          ? /"delta":\s*\{[^}]*"content":\s*"/g
          : /"text":\s*"/g;
  return body.match(re)?.length ?? 0;
}

/** One request a CLI sent to Sluice and what Sluice answered, secrets left out. */
export function describeExchange(e: Exchange, format: ApiFormat): Record<string, unknown> {
  const [method = '', target = ''] = e.request.startLine.split(' ');
  const headers: Record<string, string> = {};
  for (const [name, value] of e.request.headers) {
    if (SHOWN_HEADERS.has(name)) headers[name] = value;
    else if (AUTH_HEADERS.has(name)) headers[name] = '<redacted>';
  }
  const res = e.response;
  const resBody = res === null ? null : decodedBody(res);
  return {
    request: `${method} ${target}`,
    headers,
    otherHeaders: e.request.headers
      .map(([n]) => n)
      .filter((n) => !SHOWN_HEADERS.has(n) && !AUTH_HEADERS.has(n)),
    bodyBytes: e.request.body.length,
    body: bodyShape(jsonOf(e.request)),
    response:
      res === null
        ? null
        : {
            status: res.startLine.split(' ')[1],
            contentType: header(res, 'content-type'),
            contentEncoding: header(res, 'content-encoding') ?? null,
            bytes: res.body.length,
            textDeltas: resBody === null ? null : textDeltas(format, resBody.toString('utf8')),
          },
  };
}

/** What Sluice forwarded to one fake upstream. */
export function describeUpstreamRequest(r: RecordedRequest): Record<string, unknown> {
  const auth = Object.keys(r.headers).filter((n) => AUTH_HEADERS.has(n));
  return {
    request: `${r.method} ${r.url}`,
    acceptEncoding: r.headers['accept-encoding'] ?? null,
    contentEncoding: r.headers['content-encoding'] ?? null,
    authHeaders: auth,
    body: bodyShape(r.json),
  };
}
