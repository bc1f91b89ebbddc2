import type { RouteMatch } from '../../shared/api-format';
import { rewriteBodyModel } from '../common/body-model';
import { sseOrJson } from '../common/body-mode';
import { bodyStreams } from '../common/body-stream';
import { openAiErrorBody, openAiErrorObject, openAiStatusForErrorType } from '../common/openai-error';
import { openAiModelNotFound } from '../common/openai-model-not-found';
import { openAiQuotaExhausted } from '../common/openai-quota';
import type { FormatAdapter } from '../types';
import { createResponsesObserver } from './observer';
import { createOpenAiResponsesSplitter } from './split';
import { openAiResponsesTurnCodec } from './turn';
import { responsesConversation } from './conversation';

/** OpenAI Responses (`/v1/responses`), under the base URL's `/v1` like Chat. */

function matchRoute(method: string, path: string): RouteMatch | null {
  if (method !== 'POST' || path !== '/v1/responses') return null;
  return {
    format: 'openai-responses',
    op: 'generate',
    urlModel: null,
    upstreamPath: '/responses',
    urlStreams: false,
  };
}

/** The OpenAI Responses adapter. */
export const openAiResponsesAdapter: FormatAdapter = {
  format: 'openai-responses',
  matchRoute,
  claimsUnknown: (path) => path.startsWith('/v1/responses'),
  authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
  requestStreams: bodyStreams,
  needsInjectedUsage: () => false,
  rewriteBody: (json, upstreamModel) => rewriteBodyModel(json, upstreamModel),
  bodyMode: sseOrJson,
  createObserver: createResponsesObserver,
  createTextSplitter: createOpenAiResponsesSplitter,
  errorBody: openAiErrorBody,
  // The openai SDK yields this as a typed ResponseErrorEvent; clients (Codex…) treat it as fatal.
  // A Responses `error` event, plus an `error` object: the openai SDK raises APIError only for that.
  errorEvent: (status, code, message) =>
    `event: error\ndata: ${JSON.stringify({ type: 'error', code, message, param: null, sequence_number: 0, error: openAiErrorObject(status, code, message) })}\n\n`,
  statusForErrorType: openAiStatusForErrorType,
  isModelNotFound: openAiModelNotFound,
  isQuotaExhausted: openAiQuotaExhausted,
  repairRequest: () => null,
  conversation: responsesConversation,
  turn: openAiResponsesTurnCodec,
  generateRoute: () => ({
    route: {
      format: 'openai-responses',
      op: 'generate',
      urlModel: null,
      upstreamPath: '/responses',
      urlStreams: false,
    },
    query: '',
  }),
  translatedHeaders: () => ({}),
  countTokensBody: (tokens) => JSON.stringify({ object: 'response.input_tokens', input_tokens: tokens }),
};
