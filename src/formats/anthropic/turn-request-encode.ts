import { asObject, parseJson } from '../common/json-read';
import { BUDGET_FOR_EFFORT } from '../turn/effort';
import { ANTHROPIC_TOOL_ID, fitToolId } from '../turn/ids';
import type { EncodeOptions, MediaPart, Part, ToolChoice, TurnMessage, TurnRequest } from '../turn/types';

/**
 * TurnRequest → an Anthropic Messages request. Only Anthropic's own signed reasoning is replayed
 * (another vendor's would be rejected, and thinking is never sent as visible text); tool ids are fitted
 * to Anthropic's 64 characters; the system parts go as text blocks in order.
 */

/** Anthropic requires `max_tokens`; used when the client gave none and the provider sets no limit. */
const DEFAULT_MAX_TOKENS = 8192;
/** Anthropic's smallest thinking budget. */
const MIN_THINKING_BUDGET = 1024;
/** Output tokens kept for the answer beside a thinking budget (at most half of max_tokens). */
const ANSWER_ROOM = 4096;

/** TurnRequest → an Anthropic Messages body for an Anthropic provider. */
export function encodeAnthropicRequest(turn: TurnRequest, options: EncodeOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (turn.model !== null) body.model = turn.model;
  // Without the client's own limit, reasoning gets its budget on top of the room for the answer.
  const unlimited = DEFAULT_MAX_TOKENS + (turn.reasoning === null ? 0 : wantedBudget(turn.reasoning));
  let maxTokens = turn.maxOutputTokens ?? options.maxOutputTokens ?? unlimited;
  if (options.maxOutputTokens !== null) maxTokens = Math.min(maxTokens, options.maxOutputTokens);
  body.max_tokens = maxTokens;
  if (turn.system.length > 0) body.system = turn.system.map((text) => ({ type: 'text', text }));
  body.messages = encodeMessages(turn.messages);
  const thinking = thinkingConfig(turn, maxTokens);
  if (thinking !== null) body.thinking = thinking;
  if (turn.tools.length > 0) {
    body.tools = turn.tools.map((t) => ({
      name: t.name,
      ...(t.description === null ? {} : { description: t.description }),
      input_schema: { type: 'object', ...t.parameters },
    }));
    const choice = encodeToolChoice(turn.toolChoice, turn.parallelToolCalls === false);
    if (choice !== null) body.tool_choice = choice;
  }
  // Extended thinking accepts neither temperature nor top_k, and top_p only from 0.95; newer models
  // reject temperature together with top_p, so temperature wins.
  if (thinking === null) {
    if (turn.temperature !== null) body.temperature = turn.temperature;
    else if (turn.topP !== null) body.top_p = turn.topP;
    if (turn.topK !== null) body.top_k = turn.topK;
  }
  if (turn.stop.length > 0) body.stop_sequences = turn.stop;
  if (turn.user !== null) body.metadata = { user_id: turn.user };
  if (turn.stream) body.stream = true;
  return body;
}

/**
 * `thinking`, when reasoning was asked and Anthropic can take it: the budget must be ≥ 1024 and below
 * max_tokens, the tool choice must not force a call, and the last assistant turn, when it called
 * tools, must open with Anthropic's own signed thinking (a history from another vendor has none),
 * else Anthropic rejects the request: then no thinking is asked.
 */
function thinkingConfig(turn: TurnRequest, maxTokens: number): Record<string, unknown> | null {
  const r = turn.reasoning;
  if (r === null || maxTokens <= MIN_THINKING_BUDGET) return null;
  // Anthropic refuses thinking together with a forced tool choice.
  if (turn.tools.length > 0 && (turn.toolChoice?.type === 'any' || turn.toolChoice?.type === 'tool'))
    return null;
  const lastAssistant = turn.messages.findLast((m) => m.role === 'assistant');
  if (lastAssistant?.parts.some((p) => p.type === 'tool_call') === true) {
    const first = lastAssistant.parts[0];
    const signed =
      first?.type === 'thinking' &&
      (first.signature?.vendor === 'anthropic' || first.redacted?.vendor === 'anthropic');
    if (!signed) return null;
  }
  // Thinking counts against max_tokens: keep room for the answer (up to 4096 tokens, at most half).
  const answerRoom = Math.min(ANSWER_ROOM, Math.floor(maxTokens / 2));
  const budget = Math.min(wantedBudget(r), maxTokens - answerRoom);
  if (budget < MIN_THINKING_BUDGET) return null;
  return { type: 'enabled', budget_tokens: budget };
}

/** The thinking budget a request asks for: its own, or its effort's. */
function wantedBudget(r: NonNullable<TurnRequest['reasoning']>): number {
  return r.budgetTokens ?? BUDGET_FOR_EFFORT[r.effort ?? 'medium'];
}

function encodeToolChoice(choice: ToolChoice | null, noParallel: boolean): Record<string, unknown> | null {
  const extra = noParallel ? { disable_parallel_tool_use: true } : {};
  if (choice === null) return noParallel ? { type: 'auto', ...extra } : null;
  switch (choice.type) {
    case 'none':
      return { type: 'none' };
    case 'tool':
      return { type: 'tool', name: choice.name, ...extra };
    default:
      return { type: choice.type, ...extra };
  }
}

/**
 * Messages in Anthropic's shape: roles alternate (consecutive same-role messages merge), a user
 * message's tool results come first, and only Anthropic's own reasoning is replayed.
 */
function encodeMessages(messages: readonly TurnMessage[]): Record<string, unknown>[] {
  const out: { role: string; content: Record<string, unknown>[] }[] = [];
  for (const message of messages) {
    const blocks: Record<string, unknown>[] = [];
    for (const part of message.parts) {
      const block = encodePart(part);
      if (block !== null) blocks.push(block);
    }
    if (blocks.length === 0) continue;
    const prev = out.at(-1);
    if (prev !== undefined && prev.role === message.role) prev.content.push(...blocks);
    else out.push({ role: message.role, content: blocks });
  }
  for (const m of out) {
    if (m.role !== 'user') continue;
    const results = m.content.filter((b) => b.type === 'tool_result');
    if (results.length > 0) m.content = [...results, ...m.content.filter((b) => b.type !== 'tool_result')];
  }
  return out;
}

function encodePart(part: Part): Record<string, unknown> | null {
  switch (part.type) {
    case 'text':
      return part.text.length > 0 ? { type: 'text', text: part.text } : null;
    case 'image':
    case 'document':
      return encodeMedia(part);
    case 'thinking':
      if (part.redacted?.vendor === 'anthropic')
        return { type: 'redacted_thinking', data: part.redacted.value };
      if (part.signature?.vendor === 'anthropic') {
        return { type: 'thinking', thinking: part.text, signature: part.signature.value };
      }
      return null; // another vendor's reasoning: Anthropic would reject it unsigned
    case 'tool_call': {
      const input = asObject(parseJson(part.arguments.length > 0 ? part.arguments : '{}')) ?? {};
      return { type: 'tool_use', id: fitToolId(part.id, ANTHROPIC_TOOL_ID), name: part.name, input };
    }
    case 'tool_result': {
      const content: Record<string, unknown>[] = [];
      for (const inner of part.content) {
        const block = inner.type === 'text' ? encodePart(inner) : encodeMedia(inner);
        if (block !== null) content.push(block);
      }
      return {
        type: 'tool_result',
        tool_use_id: fitToolId(part.callId, ANTHROPIC_TOOL_ID),
        content,
        ...(part.isError ? { is_error: true } : {}),
      };
    }
  }
}

function encodeMedia(part: MediaPart): Record<string, unknown> | null {
  const source =
    part.data !== null
      ? { type: 'base64', media_type: part.mediaType ?? defaultMediaType(part.type), data: part.data }
      : part.url !== null
        ? { type: 'url', url: part.url }
        : null;
  if (source === null) return null;
  if (part.type === 'image') return { type: 'image', source };
  return { type: 'document', source, ...(part.name === undefined ? {} : { title: part.name }) };
}

function defaultMediaType(kind: MediaPart['type']): string {
  return kind === 'image' ? 'image/png' : 'application/pdf';
}
