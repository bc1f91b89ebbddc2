import { EMPTY_USAGE } from '../../shared/usage';
import { asNumber, asString, type JsonObject } from './json-read';
import type { StreamError, StreamFacts, ToolCallFacts } from '../types';

/** Longest message kept from an error that is not JSON (the text may be a whole HTML page). */
const MAX_RAW_ERROR_MESSAGE_CHARS = 500;

/** Fresh, empty facts for one response. */
export function createStreamFacts(): StreamFacts {
  return {
    text: '',
    thinking: '',
    refusal: '',
    reasoningText: '',
    toolCalls: [],
    serverToolCalls: [],
    finishReason: null,
    blockReason: null,
    terminal: false,
    completed: false,
    error: null,
    rawUsage: null,
    usage: { ...EMPTY_USAGE },
    model: null,
    responseId: null,
    events: 0,
    contentEvents: 0,
    partialEvents: 0,
  };
}

/** The tool call at response position `index`, or null. Calls are few, so a scan beats a map. */
export function findToolCall(facts: StreamFacts, index: number): ToolCallFacts | null {
  const calls = facts.toolCalls;
  for (let i = calls.length - 1; i >= 0; i--) {
    const call = calls[i]!;
    if (call.index === index) return call;
  }
  return null;
}

/** The tool call at response position `index`, created empty when first seen. */
export function toolCallAt(facts: StreamFacts, index: number): ToolCallFacts {
  const found = findToolCall(facts, index);
  if (found !== null) return found;
  const call: ToolCallFacts = { index, id: null, name: null, arguments: '' };
  facts.toolCalls.push(call);
  return call;
}

/** A StreamError from an error object: `type` from the first of `typeKeys` that holds a string, `status` from a numeric `code`. */
export function errorFromObject(error: JsonObject, typeKeys: readonly string[]): StreamError {
  let type: string | null = null;
  for (const key of typeKeys) {
    type = asString(error[key]);
    if (type !== null) break;
  }
  const message = asString(error.message) ?? JSON.stringify(error);
  return { type, message, status: asNumber(error.code) };
}

/** A StreamError for an error event whose data is not the JSON the format promises. */
export function errorFromText(text: string): StreamError {
  return { type: null, message: text.slice(0, MAX_RAW_ERROR_MESSAGE_CHARS), status: null };
}

/** Records the first error of a response: later ones are usually echoes of it (Responses sends `error` then `response.failed`). */
export function recordError(facts: StreamFacts, error: StreamError): void {
  if (facts.error === null) facts.error = error;
}

/** A payload field as a fact: null when missing, not a string, or empty (Azure's first chunk has `"id":""`). */
export function nonEmpty(value: unknown): string | null {
  const s = asString(value);
  return s === null || s.length === 0 ? null : s;
}
