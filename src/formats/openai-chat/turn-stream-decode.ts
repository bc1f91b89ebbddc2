import { asArray, asNumber, asObject, asString, parseObject, type JsonObject } from '../common/json-read';
import { openAiStatusForErrorType } from '../common/openai-error';
import { normalizeOpenAiChatUsage } from '../common/usage-normalize';
import { restoreToolId } from '../turn/ids';
import { stopFromChat } from '../turn/stop-reasons';
import type { TurnEvent, TurnStreamDecoder } from '../turn/types';

/**
 * Chat Completions chunks → TurnEvents (choice 0 only). Indices: reasoning 0, text 1, tool call
 * `i` at 2 + i. Handles what OpenAI-compatible servers send: reasoning in `reasoning_content` or
 * `reasoning` (both present = the same text), several tool calls or text and tool calls in one
 * chunk, an id repeated on every fragment, a usage-only chunk (`choices: []`), `[DONE]`, and an
 * error as a chunk's top-level `error` (after a finish, or under `event: error`).
 */

const THINKING_INDEX = 0;
const TEXT_INDEX = 1;
const FIRST_TOOL_INDEX = 2;
/** Tool calls kept per response: more is a broken upstream, not a model. */
const MAX_TOOL_CALLS = 1024;

interface ToolState {
  started: boolean;
  id: string | null;
  name: string | null;
  /** Arguments that came before the call's name (sent when it starts). */
  pending: string;
}

class ChatTurnDecoder implements TurnStreamDecoder {
  private started = false;
  private readonly tools = new Map<number, ToolState>();

  event(event: string | undefined, data: string): TurnEvent[] {
    if (data.startsWith('[DONE]')) return [];
    const chunk = parseObject(data);
    if (chunk === null) {
      return event === 'error' ? [{ type: 'error', status: null, errorType: null, message: data }] : [];
    }
    const out: TurnEvent[] = [];
    const error = asObject(chunk.error) ?? (event === 'error' ? chunk : null);
    const choices = asArray(chunk.choices) ?? [];
    const choice = asObject(choices.find((c) => (asNumber(asObject(c)?.index) ?? 0) === 0));
    const id = asString(chunk.id);
    if (!this.started && ((id !== null && id.length > 0) || choice !== null)) {
      this.started = true;
      out.push({ type: 'start', id: id === '' ? null : id, model: nonEmpty(chunk.model), usage: null });
    }
    if (choice !== null) this.readChoice(choice, out);
    const usage = asObject(chunk.usage);
    if (usage !== null) out.push({ type: 'usage', usage: normalizeOpenAiChatUsage(usage) });
    if (error !== null) out.push(errorEvent(error, data));
    return out;
  }

  end(): TurnEvent[] {
    return [];
  }

  private readChoice(choice: JsonObject, out: TurnEvent[]): void {
    const delta = asObject(choice.delta) ?? asObject(choice.message);
    if (delta !== null) {
      const reasoning = asString(delta.reasoning_content) ?? asString(delta.reasoning);
      if (reasoning !== null && reasoning.length > 0)
        out.push({ type: 'thinking', index: THINKING_INDEX, text: reasoning });
      const text = asString(delta.content);
      if (text !== null && text.length > 0) out.push({ type: 'text', index: TEXT_INDEX, text });
      const refusal = asString(delta.refusal);
      if (refusal !== null && refusal.length > 0)
        out.push({ type: 'text', index: TEXT_INDEX, text: refusal });
      const calls = asArray(delta.tool_calls) ?? [];
      for (let i = 0; i < calls.length; i++) {
        const call = asObject(calls[i]);
        if (call !== null) this.readCall(asNumber(call.index) ?? i, call, out);
      }
    }
    const finish = stopFromChat(asString(choice.finish_reason));
    if (finish !== null) {
      // A call whose name never came still gets its block, so its arguments are not lost.
      for (const [i, tool] of this.tools) if (!tool.started) this.startCall(i, tool, out);
      out.push({ type: 'finish', reason: finish, stopSequence: null });
    }
  }

  private readCall(i: number, call: JsonObject, out: TurnEvent[]): void {
    let tool = this.tools.get(i);
    if (tool === undefined) {
      if (this.tools.size >= MAX_TOOL_CALLS) return;
      tool = { started: false, id: null, name: null, pending: '' };
      this.tools.set(i, tool);
    }
    const fn = asObject(call.function);
    if (!tool.started) {
      tool.id ??= nonEmpty(call.id);
      tool.name ??= nonEmpty(fn?.name);
      if (tool.name !== null) this.startCall(i, tool, out);
    }
    const args = asString(fn?.arguments) ?? '';
    if (args.length === 0) return;
    if (tool.started) out.push({ type: 'tool_call_delta', index: FIRST_TOOL_INDEX + i, arguments: args });
    else tool.pending += args;
  }

  private startCall(i: number, tool: ToolState, out: TurnEvent[]): void {
    tool.started = true;
    const index = FIRST_TOOL_INDEX + i;
    out.push({
      type: 'tool_call_start',
      index,
      id: restoreToolId(tool.id ?? `call_${i}`),
      name: tool.name ?? '',
      signature: null,
    });
    if (tool.pending.length > 0) out.push({ type: 'tool_call_delta', index, arguments: tool.pending });
    tool.pending = '';
  }
}

function nonEmpty(value: unknown): string | null {
  const s = asString(value);
  return s === null || s.length === 0 ? null : s;
}

/** An `error` object → an error event; the message stays word for word. */
function errorEvent(error: JsonObject, data: string): TurnEvent {
  const type = asString(error.type);
  const code = error.code;
  const numeric = asNumber(error.status_code) ?? asNumber(code) ?? asNumber(error.status);
  const status =
    numeric !== null && numeric >= 100 && numeric <= 599
      ? numeric
      : ((type === null ? undefined : openAiStatusForErrorType(type)) ??
        (typeof code === 'string' ? openAiStatusForErrorType(code) : undefined) ??
        null);
  return {
    type: 'error',
    status,
    errorType: type ?? (typeof code === 'string' ? code : null),
    message: asString(error.message) ?? data,
  };
}

/** A fresh decoder for one Chat Completions stream. */
export function createChatTurnDecoder(): TurnStreamDecoder {
  return new ChatTurnDecoder();
}
