import type { RequestRepair } from '../types';

/**
 * Anthropic signs each thinking block; another provider (another key, another relay) rejects those it did
 * not issue with a 400 "messages.1.content.0: Invalid `signature` in `thinking` block". That happens
 * when a conversation fails over between Anthropic providers. Without the earlier turns' thinking
 * blocks the request is valid everywhere (the model just does not see its earlier reasoning).
 */

const BAD_SIGNATURE = /invalid\W+signature\W+in\W+thinking\W+block/i;
const THINKING_TYPES: ReadonlySet<unknown> = new Set(['thinking', 'redacted_thinking']);

/** Whether an answer is exactly Anthropic's "Invalid signature in thinking block" 400. */
export function isThinkingSignatureError(status: number, body: string): boolean {
  return status === 400 && BAD_SIGNATURE.test(body);
}

function isThinking(block: unknown): boolean {
  return (
    typeof block === 'object' && block !== null && THINKING_TYPES.has((block as { type?: unknown }).type)
  );
}

/**
 * The request without the thinking and redacted_thinking blocks of its assistant turns (a turn left
 * empty is dropped); null when there is none to remove. The client's JSON is not changed.
 */
export function withoutThinking(json: Readonly<Record<string, unknown>>): Record<string, unknown> | null {
  const messages = json.messages;
  if (!Array.isArray(messages)) return null;
  let removed = false;
  const kept: unknown[] = [];
  for (const m of messages as unknown[]) {
    const msg = m as { role?: unknown; content?: unknown };
    if (msg?.role !== 'assistant' || !Array.isArray(msg.content) || !msg.content.some(isThinking)) {
      kept.push(m);
      continue;
    }
    removed = true;
    const content = (msg.content as unknown[]).filter((b) => !isThinking(b));
    if (content.length > 0) kept.push({ ...msg, content });
  }
  return removed ? { ...json, messages: kept } : null;
}

/** After that 400: the request without earlier thinking blocks, once; null for any other answer. */
export function repairThinking(
  status: number,
  body: string,
  json: Readonly<Record<string, unknown>>,
): RequestRepair | null {
  if (!isThinkingSignatureError(status, body)) return null;
  const repaired = withoutThinking(json);
  return repaired === null ? null : { json: repaired, code: 'thinking_signature' };
}
