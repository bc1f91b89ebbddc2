import type { RouteMatch } from '../../shared/api-format';
import { rewriteBodyModel } from '../common/body-model';
import { sseOrJson } from '../common/body-mode';
import { bodyStreams } from '../common/body-stream';
import type { FormatAdapter } from '../types';
import { anthropicError, anthropicStatusForErrorType } from './errors';
import { anthropicModelNotFound } from './model-not-found';
import { anthropicQuotaExhausted } from './quota';
import { createAnthropicObserver } from './observer';
import { createAnthropicSplitter } from './split';
import { repairThinking } from './thinking';
import { anthropicTurnCodec } from './turn';
import { anthropicConversation } from './conversation';

/** Anthropic Messages (`/v1/messages`, `/v1/messages/count_tokens`); the base URL is the API's root. */

function matchRoute(method: string, path: string): RouteMatch | null {
  if (method !== 'POST') return null;
  switch (path) {
    case '/v1/messages':
      return {
        format: 'anthropic',
        op: 'generate',
        urlModel: null,
        upstreamPath: '/v1/messages',
        urlStreams: false,
      };
    case '/v1/messages/count_tokens':
      return {
        format: 'anthropic',
        op: 'count-tokens',
        urlModel: null,
        upstreamPath: '/v1/messages/count_tokens',
        urlStreams: false,
      };
  }
  return null;
}

/** The Anthropic Messages adapter. */
export const anthropicAdapter: FormatAdapter = {
  format: 'anthropic',
  matchRoute,
  claimsUnknown: (path, headers) =>
    headers['anthropic-version'] !== undefined || path.startsWith('/v1/messages'),
  authHeaders: (apiKey) => ({ 'x-api-key': apiKey }),
  requestStreams: bodyStreams,
  needsInjectedUsage: () => false,
  rewriteBody: (json, upstreamModel) => rewriteBodyModel(json, upstreamModel),
  bodyMode: sseOrJson,
  createObserver: createAnthropicObserver,
  createTextSplitter: createAnthropicSplitter,
  errorBody: (status, _code, message) => anthropicError(status, message),
  // The Anthropic SDK throws APIError (typed by `error.type`) on an `error` event.
  errorEvent: (status, _code, message) => `event: error\ndata: ${anthropicError(status, message)}\n\n`,
  statusForErrorType: anthropicStatusForErrorType,
  isModelNotFound: anthropicModelNotFound,
  isQuotaExhausted: anthropicQuotaExhausted,
  // Thinking blocks another Anthropic provider signed (after a failover) are removed, once.
  repairRequest: repairThinking,
  conversation: (json) => anthropicConversation(json),
  turn: anthropicTurnCodec,
  generateRoute: () => ({
    route: {
      format: 'anthropic',
      op: 'generate',
      urlModel: null,
      upstreamPath: '/v1/messages',
      urlStreams: false,
    },
    query: '',
  }),
  translatedHeaders: () => ({ 'anthropic-version': '2023-06-01' }),
  countTokensBody: (tokens) => JSON.stringify({ input_tokens: tokens }),
};
