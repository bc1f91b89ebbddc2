import { asObject } from '../common/json-read';
import {
  conversationRef,
  firstWithRole,
  hasRole,
  namedConversation,
  openingText,
  type ConversationRef,
} from '../common/conversation';

/**
 * Which conversation a Messages request belongs to: `metadata.user_id` (Claude Code puts its session
 * there), else the system prompt and the first user message.
 */
export function anthropicConversation(
  json: Readonly<Record<string, unknown>> | null,
): ConversationRef | null {
  if (json === null) return null;
  return conversationRef(
    namedConversation(asObject(json.metadata)?.user_id),
    () => {
      const first = firstWithRole(json.messages, 'user');
      return first === undefined ? null : openingText([json.system ?? '', first.content]);
    },
    () => hasRole(json.messages, ['assistant']),
  );
}
