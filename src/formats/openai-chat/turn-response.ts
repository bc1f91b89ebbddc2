import { asArray, asObject, asString, type JsonObject } from '../common/json-read';
import { normalizeOpenAiChatUsage } from '../common/usage-normalize';
import { fitToolId, OPENAI_TOOL_ID } from '../turn/ids';
import { stopFromChat, stopToChat, withToolStop } from '../turn/stop-reasons';
import { decodeAssistant } from './turn-request-decode';
import type { TurnRequest, TurnResponse } from '../turn/types';
import { toOpenAiChatUsage } from '../turn/usage';
import { EMPTY_USAGE } from '../../shared/usage';

/**
 * A whole `chat.completion` ↔ TurnResponse (choice 0). Reasoning goes to a Chat client as
 * `reasoning_content` (DeepSeek's field, which Chat clients that show reasoning read); signatures and
 * redacted reasoning have no place in Chat and are dropped. A refusal is shown as text.
 */

/** A `chat.completion` body → TurnResponse. */
export function decodeChatResponse(json: Readonly<JsonObject>): TurnResponse {
  const choices = asArray(json.choices) ?? [];
  const choice = asObject(choices[0]);
  const message = asObject(choice?.message) ?? {};
  const parts = decodeAssistant(message);
  const usage = asObject(json.usage);
  return {
    id: asString(json.id),
    model: asString(json.model),
    parts,
    stopReason: stopFromChat(asString(choice?.finish_reason)),
    stopSequence: null,
    usage: usage === null ? null : normalizeOpenAiChatUsage(usage),
  };
}

/** TurnResponse → a `chat.completion` body for a Chat client. */
export function encodeChatResponse(response: TurnResponse, request: TurnRequest): Record<string, unknown> {
  const texts: string[] = [];
  const reasoning: string[] = [];
  const calls: Record<string, unknown>[] = [];
  for (const part of response.parts) {
    if (part.type === 'text') texts.push(part.text);
    else if (part.type === 'thinking' && part.text.length > 0) reasoning.push(part.text);
    else if (part.type === 'tool_call') {
      calls.push({
        id: fitToolId(part.id, OPENAI_TOOL_ID),
        type: 'function',
        function: { name: part.name, arguments: part.arguments.length > 0 ? part.arguments : '{}' },
      });
    }
  }
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: texts.length > 0 ? texts.join('') : null,
    refusal: null,
  };
  if (reasoning.length > 0) message.reasoning_content = reasoning.join('');
  if (calls.length > 0) message.tool_calls = calls;
  return {
    id: chatCompletionId(response.id),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: response.model ?? request.model ?? '',
    choices: [
      {
        index: 0,
        message,
        logprobs: null,
        finish_reason: stopToChat(withToolStop(response.stopReason, calls.length > 0)),
      },
    ],
    usage: toOpenAiChatUsage(response.usage ?? EMPTY_USAGE),
  };
}

/** A completion id in Chat's `chatcmpl-` style (another vendor's id is kept inside it). */
export function chatCompletionId(id: string | null): string {
  if (id === null || id.length === 0) return 'chatcmpl-sluice';
  return id.startsWith('chatcmpl-') ? id : `chatcmpl-${id}`;
}
