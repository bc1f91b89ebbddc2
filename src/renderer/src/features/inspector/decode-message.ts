import type { ApiFormat } from '../../../../shared/api-format';
import {
  adapterFor,
  type EventKind,
  type StreamFacts,
  type StreamObserver,
  type ToolCallFacts,
} from '../../../../formats';
import { parseJson } from '../../../../formats/common/json-read';

/**
 * The inspector's view of a response, read by the same format observers the gateway's relay uses:
 * what the inspector shows is what Sluice learned (and counted) from the stream.
 */

/** A frame as captured or pushed: its SSE event name (if any) and its data. */
export interface RawFrame {
  event: string | null;
  data: string;
}

export interface DecodedToolCall {
  id: string | null;
  name: string;
  /** The arguments as sent (JSON text, possibly partial while streaming). */
  args: string;
}

/** The assistant's answer, put back together from a response's frames. */
export interface DecodedMessage {
  text: string;
  thinking: string;
  toolCalls: DecodedToolCall[];
  stopReason: string | null;
  error: string | null;
  model: string | null;
}

/**
 * Feeds one frame to an observer as the relay did: a named event as an SSE event; an unnamed one
 * (data-only SSE, a JSON-array element, a whole body) as JSON when it is JSON, else as an SSE event
 * (Chat's `[DONE]`).
 */
function observeFrame(observer: StreamObserver, frame: RawFrame): EventKind {
  if (frame.event !== null) return observer.observeEvent(frame.event, frame.data);
  const value = parseJson(frame.data);
  return value === undefined ? observer.observeEvent(undefined, frame.data) : observer.observeJson(value);
}

function toolCall(call: ToolCallFacts): DecodedToolCall {
  return { id: call.id, name: call.name ?? '', args: call.arguments };
}

/** The message shown for the facts an observer gathered. */
function messageOf(facts: StreamFacts): DecodedMessage {
  const calls =
    facts.serverToolCalls.length === 0
      ? facts.toolCalls
      : [...facts.toolCalls, ...facts.serverToolCalls].sort((a, b) => a.index - b.index);
  const blocked = facts.blockReason !== null && facts.finishReason === facts.blockReason;
  return {
    text: facts.text + facts.refusal,
    thinking: facts.thinking + facts.reasoningText,
    toolCalls: calls.map(toolCall),
    stopReason: blocked ? `blocked: ${facts.blockReason}` : facts.finishReason,
    error: facts.error?.message ?? null,
    model: facts.model,
  };
}

/** Rebuilds the message from a response's frames (SSE events, JSON-array elements or one JSON body). */
export function decodeMessage(format: ApiFormat, frames: readonly RawFrame[]): DecodedMessage {
  const observer = adapterFor(format).createObserver();
  for (const frame of frames) observeFrame(observer, frame);
  return messageOf(observer.facts);
}

/** The offset of the first frame with content (text, thinking or a tool call), or null. */
export function firstContentOffset(
  format: ApiFormat,
  frames: readonly (RawFrame & { offsetMs: number })[],
): number | null {
  const observer = adapterFor(format).createObserver();
  for (const frame of frames) if (observeFrame(observer, frame) === 'content') return frame.offsetMs;
  return null;
}
