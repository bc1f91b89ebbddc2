import type { InboundHeaders } from '../types';
import { asArray, asObject } from '../common/json-read';
import {
  conversationRef,
  hasRole,
  headerConversation,
  namedConversation,
  openingText,
  type ConversationRef,
} from '../common/conversation';

/** Codex and other OpenAI clients name their session in these headers. */
export const OPENAI_SESSION_HEADERS = ['session_id', 'conversation_id'] as const;

/** The system/developer messages before the first user message, and that message; null without one. */
function chatOpening(messages: unknown): string | null {
  const opening: unknown[] = [];
  for (const m of asArray(messages) ?? []) {
    const o = asObject(m);
    if (o === null) continue;
    if (o.role === 'system' || o.role === 'developer') opening.push(o.content);
    else if (o.role === 'user') {
      opening.push(o.content);
      return openingText(opening);
    }
  }
  return null;
}

/**
 * Which conversation a Chat Completions request belongs to: `prompt_cache_key`, else a session header
 * (`session_id`, `conversation_id`), else the system/developer messages and the first user message.
 */
export function chatConversation(
  json: Readonly<Record<string, unknown>> | null,
  headers: InboundHeaders,
): ConversationRef | null {
  return conversationRef(
    namedConversation(json?.prompt_cache_key) ?? headerConversation(headers, OPENAI_SESSION_HEADERS),
    () => (json === null ? null : chatOpening(json.messages)),
    () => hasRole(json?.messages, ['assistant', 'tool']),
  );
}
