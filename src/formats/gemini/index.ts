import type { RouteMatch } from '../../shared/api-format';
import type { BodyMode } from '../../shared/usage-query';
import { keepBody } from '../common/body-model';
import type { FormatAdapter } from '../types';
import { geminiStatusForErrorType, googleError } from './errors';
import { geminiModelNotFound } from './model-not-found';
import { geminiQuotaExhausted } from './quota';
import { createGeminiObserver } from './observer';
import { createGeminiSplitter } from './split';
import { geminiTurnCodec } from './turn';
import { geminiConversation } from './conversation';

/**
 * Google Gemini (`/{version}/models/{model}:generateContent|streamGenerateContent|countTokens`, and
 * `GET /v1beta/models`). The model is in the URL, never the body; without `alt=sse` a stream is one
 * JSON array, sent element by element.
 */

const GENERATE_RE =
  /^\/(v1beta|v1|v1alpha)\/models\/([^/:]+):(streamGenerateContent|generateContent|countTokens)$/;

function matchRoute(method: string, path: string): RouteMatch | null {
  if (method === 'POST') {
    const m = GENERATE_RE.exec(path);
    if (m === null) return null;
    const [, version, model, method_] = m as unknown as [string, string, string, string];
    return {
      format: 'gemini',
      op: method_ === 'countTokens' ? 'count-tokens' : 'generate',
      urlModel: decodeURIComponent(model),
      upstreamPath: `/${version}/models/{model}:${method_}`,
      urlStreams: method_ === 'streamGenerateContent',
    };
  }
  if (method === 'GET' && path === '/v1beta/models') {
    return {
      format: 'gemini',
      op: 'list-models',
      urlModel: null,
      upstreamPath: '/v1beta/models',
      urlStreams: false,
    };
  }
  return null;
}

/** SSE when asked for (`alt=sse`); else a stream is a JSON array (an HTML error page stays one body). */
function bodyMode(stream: boolean, contentType: string | undefined): BodyMode {
  const ct = (contentType ?? '').toLowerCase();
  if (ct.includes('text/event-stream')) return 'sse';
  if (stream && !ct.includes('text/html')) return 'json-array';
  return 'json';
}

/** The Gemini adapter. */
export const geminiAdapter: FormatAdapter = {
  format: 'gemini',
  matchRoute,
  claimsUnknown: (path, headers) =>
    path.includes('/models/') || path.startsWith('/v1beta') || headers['x-goog-api-key'] !== undefined,
  authHeaders: (apiKey) => ({ 'x-goog-api-key': apiKey }),
  requestStreams: (route) => route.urlStreams,
  needsInjectedUsage: () => false,
  // The model is in the URL (the route's `{model}`), so the body never changes.
  rewriteBody: keepBody,
  bodyMode,
  createObserver: createGeminiObserver,
  createTextSplitter: createGeminiSplitter,
  errorBody: (status, _code, message) => googleError(status, message),
  // @google/genai raises ApiError for a data event whose `error.code` is 400–599, and ignores any
  // other code, so a mid-stream error outside that range is sent as 500.
  errorEvent: (status, _code, message) =>
    `data: ${googleError(status >= 400 && status <= 599 ? status : 500, message)}\n\n`,
  statusForErrorType: geminiStatusForErrorType,
  isModelNotFound: geminiModelNotFound,
  isQuotaExhausted: geminiQuotaExhausted,
  repairRequest: () => null,
  conversation: (json) => geminiConversation(json),
  turn: geminiTurnCodec,
  // A translated stream always asks for SSE: one framing to read, whatever the client wanted.
  generateRoute: (stream) => ({
    route: {
      format: 'gemini',
      op: 'generate',
      urlModel: null,
      upstreamPath: `/v1beta/models/{model}:${stream ? 'streamGenerateContent' : 'generateContent'}`,
      urlStreams: stream,
    },
    query: stream ? 'alt=sse' : '',
  }),
  translatedHeaders: () => ({}),
  countTokensBody: (tokens) => JSON.stringify({ totalTokens: tokens }),
};
