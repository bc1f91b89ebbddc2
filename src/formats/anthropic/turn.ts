import type { TurnCodec } from '../turn/types';
import { decodeAnthropicRequest } from './turn-request-decode';
import { encodeAnthropicRequest } from './turn-request-encode';
import { decodeAnthropicResponse, encodeAnthropicResponse } from './turn-response';
import { createAnthropicTurnDecoder } from './turn-stream-decode';
import { createAnthropicTurnEncoder } from './turn-stream-encode';

/** Anthropic Messages ↔ the turn hub: requests, whole responses and streams, both ways. */
export const anthropicTurnCodec: TurnCodec = {
  format: 'anthropic',
  decodeRequest: decodeAnthropicRequest,
  encodeRequest: encodeAnthropicRequest,
  decodeResponse: decodeAnthropicResponse,
  encodeResponse: encodeAnthropicResponse,
  createStreamDecoder: createAnthropicTurnDecoder,
  createStreamEncoder: createAnthropicTurnEncoder,
};
