import { frame } from '../common/sse-frame';
import { ANTHROPIC_TOOL_ID, fitToolId } from '../turn/ids';
import { stopToAnthropic, withToolStop } from '../turn/stop-reasons';
import type { StopReason, TurnEvent, TurnRequest, TurnStreamEncoder } from '../turn/types';
import { layUsage, toAnthropicUsage } from '../turn/usage';
import { EMPTY_USAGE, type NormalizedUsage } from '../../shared/usage';
import { anthropicError } from './errors';
import { anthropicMessageId } from './turn-response';
import { signatureToWire } from './turn-signature';

/**
 * TurnEvents → the Anthropic Messages stream grammar Claude Code's parser requires:
 *
 * - `message_start` (with `content: []`) first, sent at the first content, finish or end, so that
 *   the input usage of a `start` or any `usage` event before the first content is in it. An upstream
 *   that reports usage only at the end (Chat, Responses) cannot give it there: message_start then says
 *   0 input tokens and `message_delta` carries the whole usage (the SDK lays message_delta's
 *   input and cache numbers over message_start's).
 * - One block at a time: `content_block_start` before any delta, `content_block_stop` before the
 *   next block starts, indices 0, 1, 2… in order. Empty text never opens a block.
 * - Reasoning before text: once a text block has opened, later reasoning (thinking, signatures,
 *   redacted thinking) is dropped, because Claude Code drops a turn's text on thinking→text→thinking.
 * - A tool call's argument fragments stream as `input_json_delta` while its block is open; a
 *   fragment for a call whose block already closed cannot be placed and is dropped (decoders of
 *   every format give one call's fragments before the next call starts).
 * - `message_delta` with `stop_reason` (`tool_use` whenever a tool call was sent) and cumulative
 *   usage, then `message_stop`, at the end. The finish waits for the end because Chat sends its
 *   usage chunk after the finish chunk.
 * - An `error` event becomes `event: error` with the upstream's message as it was; nothing follows.
 */
class AnthropicTurnEncoder implements TurnStreamEncoder {
  private started = false;
  private done = false;
  private id: string | null = null;
  private model: string | null;
  private usage: NormalizedUsage | null = null;
  private open: { kind: 'text' | 'thinking' | 'tool'; src: number; out: number } | null = null;
  private nextIndex = 0;
  private textOpened = false;
  private sawTool = false;
  private finish: { reason: StopReason; stopSequence: string | null } | null = null;

  constructor(request: TurnRequest) {
    this.model = request.model;
  }

  push(events: readonly TurnEvent[]): string {
    let out = '';
    for (const ev of events) {
      if (this.done) break;
      out += this.one(ev);
    }
    return out;
  }

  end(): string {
    if (this.done) return '';
    this.done = true;
    const stop = withToolStop(this.finish?.reason ?? null, this.sawTool);
    return (
      this.ensureStarted() +
      this.close() +
      frame(
        {
          type: 'message_delta',
          delta: {
            stop_reason: stopToAnthropic(stop),
            stop_sequence: stop === 'stop_sequence' ? (this.finish?.stopSequence ?? null) : null,
          },
          usage: toAnthropicUsage(this.usage ?? EMPTY_USAGE),
        },
        'message_delta',
      ) +
      frame({ type: 'message_stop' }, 'message_stop')
    );
  }

  private one(ev: TurnEvent): string {
    switch (ev.type) {
      case 'start':
        if (ev.id !== null) this.id = ev.id;
        if (ev.model !== null) this.model = ev.model;
        if (ev.usage !== null) this.usage = layUsage(this.usage, ev.usage);
        return '';
      case 'usage':
        this.usage = layUsage(this.usage, ev.usage);
        return '';
      case 'finish':
        this.finish = { reason: ev.reason, stopSequence: ev.stopSequence };
        return this.ensureStarted();
      case 'text':
        if (ev.text.length === 0) return '';
        return (
          this.into('text', ev.index, { type: 'text', text: '' }) +
          this.delta({ type: 'text_delta', text: ev.text })
        );
      case 'thinking':
        if (this.textOpened || ev.text.length === 0) return '';
        return (
          this.into('thinking', ev.index, { type: 'thinking', thinking: '', signature: '' }) +
          this.delta({ type: 'thinking_delta', thinking: ev.text })
        );
      case 'thinking_signature':
        if (this.textOpened) return '';
        return (
          this.into('thinking', ev.index, { type: 'thinking', thinking: '', signature: '' }) +
          this.delta({ type: 'signature_delta', signature: signatureToWire(ev.signature) })
        );
      case 'redacted_thinking': {
        if (this.textOpened) return '';
        const out = this.ensureStarted() + this.close();
        const index = this.nextIndex++;
        return (
          out +
          frame(
            {
              type: 'content_block_start',
              index,
              content_block: { type: 'redacted_thinking', data: signatureToWire(ev.data) },
            },
            'content_block_start',
          ) +
          frame({ type: 'content_block_stop', index }, 'content_block_stop')
        );
      }
      case 'tool_call_start': {
        this.sawTool = true;
        const out = this.ensureStarted() + this.close();
        return (
          out +
          this.openBlock('tool', ev.index, {
            type: 'tool_use',
            id: fitToolId(ev.id, ANTHROPIC_TOOL_ID),
            name: ev.name,
            input: {},
          })
        );
      }
      case 'tool_call_delta':
        if (this.open?.kind !== 'tool' || this.open.src !== ev.index || ev.arguments.length === 0) return '';
        return this.delta({ type: 'input_json_delta', partial_json: ev.arguments });
      case 'block_end':
        return this.open?.src === ev.index ? this.close() : '';
      case 'error':
        this.done = true;
        // Anthropic's own error types name their status; another vendor's (e.g. Chat's) map by status.
        return `event: error\ndata: ${anthropicErrorBody(ev)}\n\n`;
    }
  }

  /** Makes a block of `kind` for source index `src` the open one (closing another first). */
  private into(kind: 'text' | 'thinking', src: number, block: Record<string, unknown>): string {
    if (this.open?.kind === kind && this.open.src === src) return '';
    return this.ensureStarted() + this.close() + this.openBlock(kind, src, block);
  }

  private openBlock(kind: 'text' | 'thinking' | 'tool', src: number, block: Record<string, unknown>): string {
    const out = this.nextIndex++;
    this.open = { kind, src, out };
    if (kind === 'text') this.textOpened = true;
    return frame({ type: 'content_block_start', index: out, content_block: block }, 'content_block_start');
  }

  private delta(delta: Record<string, unknown>): string {
    return frame({ type: 'content_block_delta', index: this.open!.out, delta }, 'content_block_delta');
  }

  private close(): string {
    if (this.open === null) return '';
    const index = this.open.out;
    this.open = null;
    return frame({ type: 'content_block_stop', index }, 'content_block_stop');
  }

  private ensureStarted(): string {
    if (this.started) return '';
    this.started = true;
    const usage = toAnthropicUsage(this.usage ?? EMPTY_USAGE);
    return frame(
      {
        type: 'message_start',
        message: {
          id: anthropicMessageId(this.id),
          type: 'message',
          role: 'assistant',
          model: this.model ?? '',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage,
        },
      },
      'message_start',
    );
  }
}

const ANTHROPIC_ERROR_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'billing_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'timeout_error',
  'overloaded_error',
]);

/** The error body: the upstream's message word for word, its type when Anthropic knows it. */
function anthropicErrorBody(ev: Extract<TurnEvent, { type: 'error' }>): string {
  if (ev.errorType !== null && ANTHROPIC_ERROR_TYPES.has(ev.errorType)) {
    return JSON.stringify({ type: 'error', error: { type: ev.errorType, message: ev.message } });
  }
  return anthropicError(ev.status ?? 500, ev.message);
}

/** A fresh encoder for one Anthropic Messages stream answering `request`. */
export function createAnthropicTurnEncoder(request: TurnRequest): TurnStreamEncoder {
  return new AnthropicTurnEncoder(request);
}
