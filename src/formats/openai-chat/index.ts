import type { RouteMatch } from '../../shared/api-format';
import { remapsModel } from '../common/body-model';
import { sseOrJson } from '../common/body-mode';
import { bodyStreams } from '../common/body-stream';
import { openAiErrorBody, openAiErrorObject, openAiStatusForErrorType } from '../common/openai-error';
import { openAiModelNotFound } from '../common/openai-model-not-found';
import { openAiQuotaExhausted } from '../common/openai-quota';
import type { FormatAdapter } from '../types';
import { createOpenAiChatObserver } from './observer';
import { createOpenAiChatSplitter } from './split';
import { openAiChatTurnCodec } from './turn';
import { chatConversation } from './conversation';

/**
 * OpenAI Chat Completions (`/v1/chat/completions`, and `/v1/models`), spoken by OpenAI and every
 * OpenAI-compatible provider. Paths upstream are under the base URL's `/v1` (the base URL holds it).
 */

function matchRoute(method: string, path: string): RouteMatch | null {
  if (method === 'POST' && path === '/v1/chat/completions') {
    return {
      format: 'openai-chat',
      op: 'generate',
      urlModel: null,
      upstreamPath: '/chat/completions',
      urlStreams: false,
    };
  }
  if (method === 'GET' && path === '/v1/models') {
    return {
      format: 'openai-chat',
      op: 'list-models',
      urlModel: null,
      upstreamPath: '/models',
      urlStreams: false,
    };
  }
  return null;
}

/** Whether Sluice should ask for usage the client did not: a stream without `stream_options.include_usage`. */
export function needsInjectedUsage(json: Readonly<Record<string, unknown>> | null): boolean {
  if (json === null || json.stream !== true) return false;
  const opts = json.stream_options;
  if (typeof opts !== 'object' || opts === null) return true;
  return (opts as Record<string, unknown>).include_usage !== true;
}

function rewriteBody(
  json: Readonly<Record<string, unknown>>,
  upstreamModel: string | null,
  injectUsage: boolean,
): string | null {
  const remapModel = remapsModel(json, upstreamModel);
  if (!remapModel && !injectUsage) return null;
  const out: Record<string, unknown> = { ...json };
  if (remapModel) out.model = upstreamModel;
  if (injectUsage) {
    const prev =
      typeof json.stream_options === 'object' && json.stream_options !== null ? json.stream_options : {};
    out.stream_options = { ...prev, include_usage: true };
  }
  return JSON.stringify(out);
}

/** The OpenAI Chat Completions adapter. */
export const openAiChatAdapter: FormatAdapter = {
  format: 'openai-chat',
  matchRoute,
  // The lingua franca: any caller no other format claims is answered in Chat's shape.
  claimsUnknown: () => true,
  authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
  requestStreams: bodyStreams,
  needsInjectedUsage,
  rewriteBody,
  bodyMode: sseOrJson,
  createObserver: createOpenAiChatObserver,
  createTextSplitter: createOpenAiChatSplitter,
  errorBody: openAiErrorBody,
  // The openai SDK throws APIError for any chunk with a truthy `error`.
  errorEvent: (status, code, message) =>
    `data: ${JSON.stringify({ error: openAiErrorObject(status, code, message) })}\n\n`,
  statusForErrorType: openAiStatusForErrorType,
  isModelNotFound: openAiModelNotFound,
  isQuotaExhausted: openAiQuotaExhausted,
  repairRequest: () => null,
  conversation: chatConversation,
  turn: openAiChatTurnCodec,
  generateRoute: () => ({
    route: {
      format: 'openai-chat',
      op: 'generate',
      urlModel: null,
      upstreamPath: '/chat/completions',
      urlStreams: false,
    },
    query: '',
  }),
  translatedHeaders: () => ({}),
  countTokensBody: (tokens) => JSON.stringify({ input_tokens: tokens }),
};
