import type { InboundHeaders } from '../types';
import { asArray, asObject, asString, type JsonObject } from './json-read';

/**
 * Session affinity reads a conversation's name from what its client already sends. Each format says
 * where (its `conversation` member); what it returns is the material the proxy hashes into the key
 * (`proxy/affinity.ts`): a name the client gave (`id:…`), or, failing one, the text that starts the
 * conversation (`text:…`: system prompt + first user message), which stays the same on every turn.
 */

/**
 * A request's conversation: the material of its key, and whether the request follows an earlier turn
 * of it. A named conversation always does; one known only by its opening does once it holds an answer
 * (an assistant turn) — a first turn with the same opening as another conversation is not a
 * continuation of it, so it is not held to where that one went.
 */
export interface ConversationRef {
  material: string;
  follows: boolean;
}

/** Characters of a conversation's opening text read at most: the work per request is bounded. */
export const CONVERSATION_TEXT_MAX_CHARS = 16 * 1024;

/** A name the client gave its conversation, as the key material; null when empty or not a string. */
export function namedConversation(value: unknown): string | null {
  const name = asString(value);
  return name === null || name === '' ? null : `id:${name.slice(0, 1024)}`;
}

/** A named conversation (`material` from namedConversation), or the opening-text one when there is no name. */
export function conversationRef(
  named: string | null,
  opening: () => string | null,
  follows: () => boolean,
): ConversationRef | null {
  if (named !== null) return { material: named, follows: true };
  const material = opening();
  return material === null ? null : { material, follows: follows() };
}

/** Whether a message list holds an element with one of these roles (an earlier answer). */
export function hasRole(list: unknown, roles: readonly string[]): boolean {
  return (asArray(list) ?? []).some((m) => roles.includes(String(asObject(m)?.role)));
}

/** The first of these headers that is present and not empty, as a conversation name. */
export function headerConversation(headers: InboundHeaders, names: readonly string[]): string | null {
  for (const name of names) {
    const v = headers[name];
    const found = namedConversation(Array.isArray(v) ? v[0] : v);
    if (found !== null) return found;
  }
  return null;
}

/**
 * The strings inside `values`, depth first, joined by a separator, cut at CONVERSATION_TEXT_MAX_CHARS:
 * the walk stops as soon as it has read that much, however large the values. Null when none is found.
 */
export function openingText(values: readonly unknown[]): string | null {
  let out = '';
  const stack: unknown[] = [...values].reverse();
  let visited = 0;
  while (stack.length > 0 && out.length < CONVERSATION_TEXT_MAX_CHARS && visited < 100_000) {
    visited++;
    const v = stack.pop();
    if (typeof v === 'string') out += `${v.slice(0, CONVERSATION_TEXT_MAX_CHARS - out.length)}\u0000`;
    else if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    else {
      const o = asObject(v);
      if (o !== null) {
        const keys = Object.keys(o).sort().reverse();
        for (const k of keys) stack.push(o[k]);
      }
    }
  }
  return out === '' ? null : `text:${out.slice(0, CONVERSATION_TEXT_MAX_CHARS)}`;
}

/** The first element of a message list whose `role` is `role`, or undefined. */
export function firstWithRole(list: unknown, role: string): JsonObject | undefined {
  for (const m of asArray(list) ?? []) {
    const o = asObject(m);
    if (o !== null && o.role === role) return o;
  }
  return undefined;
}
