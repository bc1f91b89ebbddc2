import type { TurnCodec } from '../turn/types';
import { decodeChatRequest } from './turn-request-decode';
import { encodeChatRequest } from './turn-request-encode';
import { decodeChatResponse, encodeChatResponse } from './turn-response';
import { createChatTurnDecoder } from './turn-stream-decode';
import { createChatTurnEncoder } from './turn-stream-encode';

/** OpenAI Chat Completions ↔ the turn hub: requests, whole responses and streams, both ways. */
export const openAiChatTurnCodec: TurnCodec = {
  format: 'openai-chat',
  decodeRequest: decodeChatRequest,
  encodeRequest: encodeChatRequest,
  decodeResponse: decodeChatResponse,
  encodeResponse: encodeChatResponse,
  createStreamDecoder: createChatTurnDecoder,
  createStreamEncoder: createChatTurnEncoder,
};
