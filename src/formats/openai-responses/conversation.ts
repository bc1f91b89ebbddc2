import type { InboundHeaders } from '../types';
import { asArray, asObject } from '../common/json-read';
import {
  conversationRef,
  headerConversation,
  namedConversation,
  openingText,
  type ConversationRef,
} from '../common/conversation';
import { OPENAI_SESSION_HEADERS } from '../openai-chat/conversation';

/** `instructions` and the first user input; null without one. */
function responsesOpening(json: Readonly<Record<string, unknown>>): string | null {
  if (typeof json.input === 'string') return openingText([json.instructions ?? '', json.input]);
  const opening: unknown[] = [json.instructions ?? ''];
  for (const item of asArray(json.input) ?? []) {
    const o = asObject(item);
    if (o === null) continue;
    if (o.role === 'system' || o.role === 'developer') opening.push(o.content);
    else if (o.role === 'user') {
      opening.push(o.content);
      return openingText(opening);
    }
  }
  return null;
}

/** An earlier answer in the input (an assistant message, a tool call or its output), or a previous response. */
function followsEarlierTurn(json: Readonly<Record<string, unknown>> | null): boolean {
  if (json === null) return false;
  if (typeof json.previous_response_id === 'string') return true;
  return (asArray(json.input) ?? []).some((item) => {
    const o = asObject(item);
    return o !== null && (o.role === 'assistant' || (typeof o.type === 'string' && o.type !== 'message'));
  });
}

/**
 * Which conversation a Responses request belongs to: `prompt_cache_key`, else Codex's `session_id` /
 * `conversation_id` header, else `instructions` and the first user input.
 */
export function responsesConversation(
  json: Readonly<Record<string, unknown>> | null,
  headers: InboundHeaders,
): ConversationRef | null {
  return conversationRef(
    namedConversation(json?.prompt_cache_key) ?? headerConversation(headers, OPENAI_SESSION_HEADERS),
    () => (json === null ? null : responsesOpening(json)),
    () => followsEarlierTurn(json),
  );
}
