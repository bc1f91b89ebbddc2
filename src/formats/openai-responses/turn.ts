import type { TurnCodec } from '../turn/types';
import { decodeResponsesRequest, encodeResponsesRequest } from './turn-request';
import { decodeResponsesResponse, encodeResponsesResponse } from './turn-response';
import { createResponsesTurnDecoder } from './turn-stream-decode';
import { createResponsesTurnEncoder } from './turn-stream-encode';

/**
 * OpenAI Responses ↔ the turn hub. Not translatable by a pure codec: `previous_response_id` and
 * `store` (surfaced on TurnRequest for the proxy to serve or refuse), hosted tools, `text.format`.
 */
export const openAiResponsesTurnCodec: TurnCodec = {
  format: 'openai-responses',
  decodeRequest: decodeResponsesRequest,
  encodeRequest: encodeResponsesRequest,
  decodeResponse: decodeResponsesResponse,
  encodeResponse: encodeResponsesResponse,
  createStreamDecoder: createResponsesTurnDecoder,
  createStreamEncoder: createResponsesTurnEncoder,
};
