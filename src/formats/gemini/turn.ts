import type { TurnCodec } from '../turn/types';
import { decodeGeminiRequest, encodeGeminiRequest } from './turn-request';
import { decodeGeminiResponse, encodeGeminiResponse } from './turn-response';
import { createGeminiTurnDecoder } from './turn-stream-decode';
import { createGeminiTurnEncoder } from './turn-stream-encode';

/**
 * Google Gemini ↔ the turn hub. The model and streaming are in the URL: decodeRequest takes the
 * URL's model and leaves `stream` false (the caller knows it from the route); encodeRequest writes
 * neither. The stream encoder writes SSE (`alt=sse`) unless asked for `framing: 'json-array'`.
 */
export const geminiTurnCodec: TurnCodec = {
  format: 'gemini',
  decodeRequest: decodeGeminiRequest,
  encodeRequest: encodeGeminiRequest,
  decodeResponse: decodeGeminiResponse,
  encodeResponse: encodeGeminiResponse,
  createStreamDecoder: createGeminiTurnDecoder,
  createStreamEncoder: createGeminiTurnEncoder,
};
