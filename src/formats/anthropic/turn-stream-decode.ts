import { asNumber, asObject, asString, parseObject, type JsonObject } from '../common/json-read';
import { normalizeAnthropicUsage } from '../common/usage-normalize';
import { restoreToolId } from '../turn/ids';
import { stopFromAnthropic } from '../turn/stop-reasons';
import type { TurnEvent, TurnStreamDecoder } from '../turn/types';
import { anthropicStatusForErrorType } from './errors';
import { signatureFromWire } from './turn-signature';

/**
 * Anthropic Messages stream events → TurnEvents. Indices are Anthropic's block indices. Blocks the
 * hub has no word for (server tool use and results, compaction) are skipped with their deltas.
 * Usage is cumulative: message_delta's non-null fields are laid over message_start's, and each
 * `usage` event carries the whole merged picture.
 */
class AnthropicTurnDecoder implements TurnStreamDecoder {
  /** Block indices passed on (text, thinking, redacted thinking, tool use). */
  private readonly carried = new Set<number>();
  private usage: JsonObject | null = null;

  event(event: string | undefined, data: string): TurnEvent[] {
    if (event === 'ping') return [];
    const payload = parseObject(data);
    if (payload === null) {
      return event === 'error' ? [{ type: 'error', status: null, errorType: null, message: data }] : [];
    }
    const type = asString(payload.type) ?? event ?? '';
    switch (type) {
      case 'message_start': {
        const message = asObject(payload.message) ?? {};
        const usage = asObject(message.usage);
        if (usage !== null) this.lay(usage);
        return [
          {
            type: 'start',
            id: asString(message.id),
            model: asString(message.model),
            usage: usage === null ? null : normalizeAnthropicUsage(this.usage ?? usage),
          },
        ];
      }
      case 'content_block_start':
        return this.blockStart(asNumber(payload.index) ?? 0, asObject(payload.content_block));
      case 'content_block_delta':
        return this.blockDelta(asNumber(payload.index) ?? 0, asObject(payload.delta));
      case 'content_block_stop': {
        const index = asNumber(payload.index) ?? 0;
        return this.carried.has(index) ? [{ type: 'block_end', index }] : [];
      }
      case 'message_delta': {
        const out: TurnEvent[] = [];
        const usage = asObject(payload.usage);
        if (usage !== null) {
          this.lay(usage);
          out.push({ type: 'usage', usage: normalizeAnthropicUsage(this.usage ?? usage) });
        }
        const delta = asObject(payload.delta);
        const reason = stopFromAnthropic(asString(delta?.stop_reason));
        if (reason !== null)
          out.push({ type: 'finish', reason, stopSequence: asString(delta?.stop_sequence) });
        return out;
      }
      case 'error': {
        const error = asObject(payload.error) ?? payload;
        const errorType = asString(error.type);
        return [
          {
            type: 'error',
            status: errorType === null ? null : (anthropicStatusForErrorType(errorType) ?? null),
            errorType,
            message: asString(error.message) ?? data,
          },
        ];
      }
    }
    return []; // message_stop, ping and unknown events
  }

  end(): TurnEvent[] {
    return [];
  }

  private blockStart(index: number, block: JsonObject | null): TurnEvent[] {
    switch (block?.type) {
      case 'text': {
        this.carried.add(index);
        const text = asString(block.text) ?? '';
        return text.length > 0 ? [{ type: 'text', index, text }] : [];
      }
      case 'thinking': {
        this.carried.add(index);
        const out: TurnEvent[] = [];
        const text = asString(block.thinking) ?? '';
        if (text.length > 0) out.push({ type: 'thinking', index, text });
        const signature = signatureFromWire(asString(block.signature));
        if (signature !== null) out.push({ type: 'thinking_signature', index, signature });
        return out;
      }
      case 'redacted_thinking': {
        this.carried.add(index);
        const data = signatureFromWire(asString(block.data));
        return data === null ? [] : [{ type: 'redacted_thinking', index, data }];
      }
      case 'tool_use': {
        this.carried.add(index);
        const out: TurnEvent[] = [
          {
            type: 'tool_call_start',
            index,
            id: restoreToolId(asString(block.id) ?? ''),
            name: asString(block.name) ?? '',
            signature: null,
          },
        ];
        // The API starts a call with `input: {}` and streams it; a non-empty one came whole.
        const input = asObject(block.input);
        if (input !== null && Object.keys(input).length > 0) {
          out.push({ type: 'tool_call_delta', index, arguments: JSON.stringify(input) });
        }
        return out;
      }
    }
    return [];
  }

  private blockDelta(index: number, delta: JsonObject | null): TurnEvent[] {
    if (delta === null || !this.carried.has(index)) return [];
    switch (delta.type) {
      case 'text_delta': {
        const text = asString(delta.text) ?? '';
        return text.length > 0 ? [{ type: 'text', index, text }] : [];
      }
      case 'thinking_delta': {
        const text = asString(delta.thinking) ?? '';
        return text.length > 0 ? [{ type: 'thinking', index, text }] : [];
      }
      case 'signature_delta': {
        const signature = signatureFromWire(asString(delta.signature));
        return signature === null ? [] : [{ type: 'thinking_signature', index, signature }];
      }
      case 'input_json_delta': {
        const json = asString(delta.partial_json) ?? '';
        return json.length > 0 ? [{ type: 'tool_call_delta', index, arguments: json }] : [];
      }
    }
    return [];
  }

  private lay(usage: JsonObject): void {
    const merged: JsonObject = this.usage === null ? {} : { ...this.usage };
    for (const key in usage) {
      const value = usage[key];
      if (value !== null && value !== undefined) merged[key] = value;
    }
    this.usage = merged;
  }
}

/** A fresh decoder for one Anthropic Messages stream. */
export function createAnthropicTurnDecoder(): TurnStreamDecoder {
  return new AnthropicTurnDecoder();
}
