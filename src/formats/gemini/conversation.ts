import { asArray, asObject } from '../common/json-read';
import { conversationRef, hasRole, openingText, type ConversationRef } from '../common/conversation';

/** Which conversation a Gemini request belongs to: its system instruction and first user content. */
export function geminiConversation(json: Readonly<Record<string, unknown>> | null): ConversationRef | null {
  if (json === null) return null;
  return conversationRef(
    null,
    () => {
      // A content without a role is the user's.
      const first = (asArray(json.contents) ?? [])
        .map(asObject)
        .find((c) => c !== null && (c.role ?? 'user') === 'user');
      return first == null ? null : openingText([json.systemInstruction ?? '', first.parts]);
    },
    () => hasRole(json.contents, ['model']),
  );
}
