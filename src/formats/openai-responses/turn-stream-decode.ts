import { asNumber, asObject, asString, parseObject, type JsonObject } from '../common/json-read';
import { openAiStatusForErrorType } from '../common/openai-error';
import { normalizeResponsesUsage } from '../turn/usage';
import type { TurnEvent, TurnStreamDecoder } from '../turn/types';
import { customInput } from './turn-parts';
import { stopFromResponses } from './turn-response';

/*
 * Responses stream events → TurnEvents. Each output item (reasoning, message content part, function
 * call) is one block, numbered in the order it opened; argument deltas name their item by `item_id`.
 * `encrypted_content` is read from the reasoning item's `done` (the `added` one is not final).
 */

/** Most blocks one response may open (bounds the maps; a real answer has a handful). */
const MAX_BLOCKS = 10_000;

interface Block {
  index: number;
  kind: 'thinking' | 'text' | 'tool';
  /** Tool blocks: arguments were streamed (so `done` must not repeat them). */
  streamed: boolean;
  /** Thinking blocks: summary parts seen, joined by a blank line. */
  summaries: number;
  open: boolean;
}

class ResponsesTurnDecoder implements TurnStreamDecoder {
  private readonly blocks = new Map<string, Block>();
  private next = 0;
  private started = false;
  private finished = false;
  private sawCall = false;
  private refused = false;

  event(event: string | undefined, data: string): TurnEvent[] {
    if (this.finished) return [];
    const payload = parseObject(data);
    if (payload === null) {
      return event === 'error' ? this.fail({ message: data }) : [];
    }
    const type = event ?? asString(payload.type) ?? '';
    const out: TurnEvent[] = [];
    switch (type) {
      case 'response.created':
      case 'response.in_progress':
        this.start(out, asObject(payload.response));
        break;
      case 'response.output_item.added':
        this.added(out, payload);
        break;
      case 'response.output_item.done':
        this.done(out, payload);
        break;
      case 'response.reasoning_summary_part.added': {
        const block = this.block(out, String(payload.item_id), 'thinking');
        if (block.summaries++ > 0) out.push({ type: 'thinking', index: block.index, text: '\n\n' });
        break;
      }
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        this.delta(out, String(payload.item_id), 'thinking', asString(payload.delta));
        break;
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        if (type === 'response.refusal.delta') this.refused = true;
        this.delta(
          out,
          `${String(payload.item_id)}:${asNumber(payload.content_index) ?? 0}`,
          'text',
          asString(payload.delta),
        );
        break;
      case 'response.content_part.done': {
        const block = this.blocks.get(`${String(payload.item_id)}:${asNumber(payload.content_index) ?? 0}`);
        if (block !== undefined) this.close(out, block);
        break;
      }
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta': {
        const block = this.blocks.get(String(payload.item_id));
        const delta = asString(payload.delta);
        if (block === undefined || delta === null || delta.length === 0) break;
        if (type === 'response.custom_tool_call_input.delta') break; // sent whole, JSON-wrapped, at done
        block.streamed = true;
        out.push({ type: 'tool_call_delta', index: block.index, arguments: delta });
        break;
      }
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        this.terminal(out, asObject(payload.response));
        break;
      case 'error':
        return this.fail(asObject(payload.error) ?? payload);
    }
    return out;
  }

  end(): TurnEvent[] {
    return [];
  }

  private start(out: TurnEvent[], response: JsonObject | null): void {
    if (this.started) return;
    this.started = true;
    const usage = asObject(response?.usage);
    out.push({
      type: 'start',
      id: asString(response?.id),
      model: asString(response?.model),
      usage: usage === null ? null : normalizeResponsesUsage(usage),
    });
  }

  private block(out: TurnEvent[], key: string, kind: Block['kind']): Block {
    let block = this.blocks.get(key);
    if (block === undefined) {
      this.start(out, null);
      if (this.blocks.size >= MAX_BLOCKS) this.blocks.clear();
      block = { index: this.next++, kind, streamed: false, summaries: 0, open: true };
      this.blocks.set(key, block);
    }
    return block;
  }

  private delta(out: TurnEvent[], key: string, kind: 'thinking' | 'text', text: string | null): void {
    if (text === null || text.length === 0) return;
    const block = this.block(out, key, kind);
    out.push({ type: kind, index: block.index, text });
  }

  private close(out: TurnEvent[], block: Block): void {
    if (!block.open) return;
    block.open = false;
    out.push({ type: 'block_end', index: block.index });
  }

  private added(out: TurnEvent[], payload: JsonObject): void {
    const item = asObject(payload.item);
    const id = asString(item?.id);
    if (item === null || id === null) return;
    if (item.type === 'function_call' || item.type === 'custom_tool_call') {
      this.sawCall = true;
      const block = this.block(out, id, 'tool');
      out.push({
        type: 'tool_call_start',
        index: block.index,
        id: asString(item.call_id) ?? id,
        name: asString(item.name) ?? '',
        signature: null,
      });
    } else if (item.type === 'reasoning') this.block(out, id, 'thinking');
  }

  private done(out: TurnEvent[], payload: JsonObject): void {
    const item = asObject(payload.item);
    const id = asString(item?.id);
    if (item === null || id === null) return;
    if (item.type === 'function_call' || item.type === 'custom_tool_call') {
      if (!this.blocks.has(id)) this.added(out, payload);
      const block = this.blocks.get(id);
      if (block === undefined) return;
      // Servers that skip the deltas (and every custom tool call) send the whole input here.
      if (!block.streamed) {
        const args =
          item.type === 'custom_tool_call'
            ? customInput(asString(item.input) ?? '')
            : asString(item.arguments) || '{}';
        out.push({ type: 'tool_call_delta', index: block.index, arguments: args });
        block.streamed = true;
      }
      this.close(out, block);
    } else if (item.type === 'reasoning') {
      const block = this.block(out, id, 'thinking');
      const encrypted = asString(item.encrypted_content);
      if (encrypted !== null)
        out.push({
          type: 'redacted_thinking',
          index: block.index,
          data: { vendor: 'openai', value: encrypted },
        });
      this.close(out, block);
    } else if (item.type === 'message') {
      for (const [key, block] of this.blocks) if (key.startsWith(`${id}:`)) this.close(out, block);
    }
  }

  private terminal(out: TurnEvent[], response: JsonObject | null): void {
    this.start(out, response);
    for (const block of this.blocks.values()) this.close(out, block);
    const status = asString(response?.status);
    const error = asObject(response?.error);
    if (status === 'failed' || error !== null) {
      out.push(...this.fail(error ?? {}));
      return;
    }
    const usage = asObject(response?.usage);
    if (usage !== null) out.push({ type: 'usage', usage: normalizeResponsesUsage(usage) });
    const stop = stopFromResponses(
      status,
      asString(asObject(response?.incomplete_details)?.reason),
      this.sawCall,
    );
    out.push({
      type: 'finish',
      reason: this.refused && stop === 'end_turn' ? 'refusal' : stop,
      stopSequence: null,
    });
    this.finished = true;
  }

  private fail(error: JsonObject): TurnEvent[] {
    this.finished = true;
    const errorType = asString(error.code) ?? asString(error.type);
    return [
      {
        type: 'error',
        status: errorType === null ? null : (openAiStatusForErrorType(errorType) ?? null),
        errorType,
        message: asString(error.message) ?? JSON.stringify(error),
      },
    ];
  }
}

/** A fresh decoder for one Responses stream. */
export function createResponsesTurnDecoder(): TurnStreamDecoder {
  return new ResponsesTurnDecoder();
}
