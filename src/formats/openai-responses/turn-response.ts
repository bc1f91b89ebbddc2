import { asArray, asObject, asString, type JsonObject } from '../common/json-read';
import { normalizeResponsesUsage, toResponsesUsage } from '../turn/usage';
import type { Part, StopReason, TurnRequest, TurnResponse } from '../turn/types';
import { customInput, inputOfCustom, newId } from './turn-parts';

/*
 * Whole Responses (`object: "response"`) ↔ TurnResponse, and the status vocabulary both the
 * non-streaming and the streaming mappings use.
 */

/** A Response's status and `incomplete_details.reason` as a StopReason (a completed turn with a call: tool_use). */
export function stopFromResponses(
  status: string | null,
  reason: string | null,
  sawToolCall: boolean,
): StopReason {
  switch (status) {
    case 'incomplete':
      return reason === 'content_filter' ? 'refusal' : 'max_tokens';
    case 'failed':
    case 'cancelled':
      return 'error';
  }
  return sawToolCall ? 'tool_use' : 'end_turn';
}

/** A StopReason as a Response's `status` and `incomplete_details`. */
export function stopToResponses(reason: StopReason | null): {
  status: string;
  incomplete: JsonObject | null;
} {
  switch (reason) {
    case 'max_tokens':
    case 'context_window_exceeded':
      return { status: 'incomplete', incomplete: { reason: 'max_output_tokens' } };
    case 'refusal':
      return { status: 'incomplete', incomplete: { reason: 'content_filter' } };
    case 'error':
      return { status: 'failed', incomplete: null };
  }
  return { status: 'completed', incomplete: null };
}

/** The fields every Response object carries, around its output. */
export function responseShell(
  id: string,
  model: string | null,
  request: TurnRequest,
  createdAt: number,
): JsonObject {
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status: 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: request.system.length > 0 ? request.system.join('\n\n') : null,
    max_output_tokens: request.maxOutputTokens,
    model: model ?? request.model ?? '',
    output: [],
    parallel_tool_calls: request.parallelToolCalls ?? true,
    previous_response_id: null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: null },
    store: false,
    temperature: request.temperature,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: request.topP,
    truncation: 'disabled',
    usage: null,
    user: request.user,
    metadata: {},
  };
}

/** A whole Response body as a TurnResponse. */
export function decodeResponsesResponse(json: Readonly<JsonObject>): TurnResponse {
  const parts: Part[] = [];
  let sawCall = false;
  let refused = false;
  for (const raw of asArray(json.output) ?? []) {
    const item = asObject(raw);
    if (item === null) continue;
    switch (item.type) {
      case 'message':
        for (const c of asArray(item.content) ?? []) {
          const part = asObject(c);
          if (part?.type === 'output_text') parts.push({ type: 'text', text: asString(part.text) ?? '' });
          else if (part?.type === 'refusal') {
            refused = true;
            parts.push({ type: 'text', text: asString(part.refusal) ?? '' });
          }
        }
        break;
      case 'reasoning': {
        const text = (asArray(item.summary) ?? [])
          .map((s) => asString(asObject(s)?.text) ?? '')
          .filter((s) => s.length > 0)
          .join('\n\n');
        const encrypted = asString(item.encrypted_content);
        if (text.length > 0 || encrypted !== null)
          parts.push({
            type: 'thinking',
            text,
            signature: null,
            redacted: encrypted === null ? null : { vendor: 'openai', value: encrypted },
          });
        break;
      }
      case 'function_call':
      case 'custom_tool_call':
        sawCall = true;
        parts.push({
          type: 'tool_call',
          id: asString(item.call_id) ?? asString(item.id) ?? '',
          name: asString(item.name) ?? '',
          arguments:
            item.type === 'custom_tool_call'
              ? customInput(asString(item.input) ?? '')
              : asString(item.arguments) || '{}',
          signature: null,
        });
        break;
    }
  }
  const usage = asObject(json.usage);
  const status = asString(json.status);
  const stop = stopFromResponses(status, asString(asObject(json.incomplete_details)?.reason), sawCall);
  return {
    id: asString(json.id),
    model: asString(json.model),
    parts,
    stopReason: refused && stop === 'end_turn' ? 'refusal' : stop,
    stopSequence: null,
    usage: usage === null ? null : normalizeResponsesUsage(usage),
  };
}

/** The output items of a TurnResponse (reasoning, message, function calls in answer order). */
export function outputItems(parts: readonly Part[], request: TurnRequest): JsonObject[] {
  const custom = new Set(request.tools.filter((t) => t.kind === 'custom').map((t) => t.name));
  const items: JsonObject[] = [];
  let message: JsonObject[] | null = null;
  for (const part of parts) {
    switch (part.type) {
      case 'text':
        if (message === null) {
          message = [];
          items.push({
            id: newId('msg'),
            type: 'message',
            status: 'completed',
            role: 'assistant',
            content: message,
          });
        }
        message.push({ type: 'output_text', annotations: [], text: part.text });
        break;
      case 'thinking': {
        // A signature of another vendor means nothing to OpenAI: only the summary text goes.
        const encrypted = part.redacted?.vendor === 'openai' ? part.redacted.value : null;
        if (part.text.length === 0 && encrypted === null) break;
        const item: JsonObject = {
          id: newId('rs'),
          type: 'reasoning',
          summary: part.text.length > 0 ? [{ type: 'summary_text', text: part.text }] : [],
        };
        if (encrypted !== null) item.encrypted_content = encrypted;
        items.push(item);
        message = null;
        break;
      }
      case 'tool_call':
        items.push(
          custom.has(part.name)
            ? {
                id: newId('ctc'),
                type: 'custom_tool_call',
                status: 'completed',
                call_id: part.id,
                name: part.name,
                input: inputOfCustom(part.arguments),
              }
            : {
                id: newId('fc'),
                type: 'function_call',
                status: 'completed',
                arguments: part.arguments,
                call_id: part.id,
                name: part.name,
              },
        );
        message = null;
        break;
      // Media and tool results do not appear in an answer's output.
    }
  }
  return items;
}

/** A TurnResponse as a whole Response body. */
export function encodeResponsesResponse(response: TurnResponse, request: TurnRequest): JsonObject {
  const sawCall = response.parts.some((p) => p.type === 'tool_call');
  const { status, incomplete } = stopToResponses(
    sawCall && response.stopReason === 'end_turn' ? 'tool_use' : response.stopReason,
  );
  return {
    ...responseShell(response.id ?? newId('resp'), response.model, request, Math.floor(Date.now() / 1000)),
    status,
    incomplete_details: incomplete,
    error: status === 'failed' ? { code: 'server_error', message: 'The upstream turn failed.' } : null,
    output: outputItems(response.parts, request),
    usage: response.usage === null ? null : toResponsesUsage(response.usage),
  };
}
