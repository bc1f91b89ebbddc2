import { literalValue, STRING_LITERAL } from '../common/lazy-json';
import { asArray, asNumber, asObject, asString, parseObject, type JsonObject } from '../common/json-read';
import {
  createStreamFacts,
  errorFromObject,
  errorFromText,
  findToolCall,
  nonEmpty,
  recordError,
  toolCallAt,
} from '../common/stream-facts';
import type { EventKind, PendingAtEnd, StreamFacts, StreamObserver, ToolCallFacts } from '../types';
import { normalizeAnthropicUsage } from '../common/usage-normalize';

/**
 * Anthropic Messages (`/v1/messages`). A stream is named events: message_start (id, model, input
 * usage), content_block_start/delta/stop per block, message_delta (stop reason, final usage),
 * message_stop, plus `ping` keep-alives and `error`. Usage is split: message_delta's non-null
 * fields are laid over message_start's.
 */

/** A `content_block_delta` carrying a `text_delta`, exactly as the API sends it. */
const TEXT_DELTA = new RegExp(
  `^\\{"type":"content_block_delta","index":\\d+,"delta":\\{"type":"text_delta","text":${STRING_LITERAL}\\} *\\} *$`,
);

/**
 * The text of a `content_block_delta` that is a plain `text_delta` (the bulk of every stream), read
 * without a full parse; null when the event may be anything else. The index does not matter for text.
 */
export function textDelta(data: string): string | null {
  const m = TEXT_DELTA.exec(data);
  return m === null ? null : literalValue(m[1]!);
}

class AnthropicObserver implements StreamObserver {
  readonly facts: StreamFacts = createStreamFacts();
  /**
   * @anthropic-ai/sdk drops an event the stream ends inside: `_iterSSEMessages` (src/core/streaming.ts,
   * 1.14.0) dispatches only at an empty line and reads the lines left at the end without one, as WHATWG
   * says. Its stream then ends without an error (see `observeEnd`).
   */
  readonly pendingAtEnd: PendingAtEnd = 'discard';
  /** message_start usage with every message_delta's non-null fields laid over it. */
  private usage: JsonObject | null = null;

  observeEvent(event: string | undefined, data: string): EventKind {
    this.facts.events++;
    // The commonest bodiless events are answered from their name alone.
    switch (event) {
      case 'ping':
      case 'content_block_stop':
        return 'other';
      case 'message_stop':
        return this.stop();
      case 'content_block_delta': {
        const text = textDelta(data);
        if (text !== null) return this.addText(text);
      }
    }
    const payload = parseObject(data);
    if (payload === null) {
      if (event !== 'error') return 'other';
      recordError(this.facts, errorFromText(data));
      this.settle();
      return 'error';
    }
    return this.read(event ?? asString(payload.type) ?? '', payload);
  }

  observeJson(value: unknown): EventKind {
    this.facts.events++;
    const payload = asObject(value);
    if (payload === null) return 'other';
    return this.read(asString(payload.type) ?? '', payload);
  }

  /**
   * A `message_delta` with a stop reason has told the client how the message ended; a stream that ends
   * after it without `message_stop` is a finished message (the SDK's stream ends without an error).
   */
  observeEnd(): EventKind {
    const facts = this.facts;
    if (facts.terminal || facts.finishReason === null || facts.error !== null) return 'other';
    return this.stop();
  }

  private read(type: string, payload: JsonObject): EventKind {
    const facts = this.facts;
    switch (type) {
      case 'message_start': {
        const message = asObject(payload.message);
        if (message === null) return 'other';
        this.identify(message);
        const usage = asObject(message.usage);
        if (usage !== null) this.layUsage(usage);
        return 'other';
      }
      case 'content_block_start':
        return this.blockStart(asNumber(payload.index) ?? 0, asObject(payload.content_block));
      case 'content_block_delta':
        return this.blockDelta(asNumber(payload.index) ?? 0, asObject(payload.delta));
      case 'message_delta': {
        const stop = asString(asObject(payload.delta)?.stop_reason);
        if (stop !== null) facts.finishReason = stop;
        const usage = asObject(payload.usage);
        if (usage !== null) this.layUsage(usage);
        return 'other';
      }
      case 'message_stop':
        return this.stop();
      case 'error':
        recordError(facts, errorFromObject(asObject(payload.error) ?? payload, ['type']));
        this.settle();
        return 'error';
      case 'message':
        return this.readMessage(payload);
    }
    return 'other';
  }

  private blockStart(index: number, block: JsonObject | null): EventKind {
    if (block === null) return 'other';
    switch (asString(block.type)) {
      case 'tool_use': {
        const call = toolCallAt(this.facts, index);
        call.id = nonEmpty(block.id);
        call.name = nonEmpty(block.name);
        return this.content();
      }
      case 'text':
        return this.addText(asString(block.text));
      case 'thinking':
        return this.addThinking(asString(block.thinking));
      case 'server_tool_use':
        this.serverCall(index, block);
        break;
    }
    // Any other block (server tool use and results, redacted thinking, compaction…) is the model at
    // work; counting it as content keeps the prefetch gate from timing out during a long server tool.
    return this.content();
  }

  private blockDelta(index: number, delta: JsonObject | null): EventKind {
    if (delta === null) return 'other';
    switch (asString(delta.type)) {
      case 'text_delta':
        return this.addText(asString(delta.text));
      case 'thinking_delta':
        return this.addThinking(asString(delta.thinking));
      case 'input_json_delta': {
        const json = asString(delta.partial_json);
        // Server tool blocks (web search…) also stream input_json_delta: kept apart from client tool calls.
        const call = findToolCall(this.facts, index) ?? this.findServerCall(index);
        if (json === null || json.length === 0) return 'other';
        if (call !== null) call.arguments += json;
        return this.content();
      }
      case 'compaction_delta':
        return this.content();
    }
    return 'other';
  }

  /** A whole non-streaming Message. */
  private readMessage(message: JsonObject): EventKind {
    const facts = this.facts;
    this.identify(message);
    const blocks = asArray(message.content) ?? [];
    let content = false;
    for (let i = 0; i < blocks.length; i++) {
      const block = asObject(blocks[i]);
      if (block === null) continue;
      const type = asString(block.type);
      if (type === 'text' || type === 'thinking') {
        const s = asString(type === 'text' ? block.text : block.thinking);
        if (s === null || s.length === 0) continue;
        if (type === 'text') facts.text += s;
        else facts.thinking += s;
        content = true;
      } else if (type === 'tool_use') {
        const call = toolCallAt(facts, i);
        call.id = nonEmpty(block.id);
        call.name = nonEmpty(block.name);
        call.arguments = JSON.stringify(block.input ?? {});
        content = true;
      } else if (type === 'redacted_thinking') {
        content = true;
      } else if (type === 'server_tool_use') {
        this.serverCall(i, block);
      }
    }
    if (content) facts.contentEvents++;
    facts.finishReason = asString(message.stop_reason) ?? facts.finishReason;
    const usage = asObject(message.usage);
    if (usage !== null) {
      facts.rawUsage = usage;
      facts.usage = normalizeAnthropicUsage(usage);
    }
    // A whole Message is a finished response.
    return this.stop();
  }

  /** Records a `server_tool_use` block: the provider runs it, so it is shown but never the client's call. */
  private serverCall(index: number, block: JsonObject): void {
    const input = asObject(block.input);
    this.facts.serverToolCalls.push({
      index,
      id: nonEmpty(block.id),
      name: nonEmpty(block.name),
      arguments: input !== null && Object.keys(input).length > 0 ? JSON.stringify(input) : '',
    });
  }

  private findServerCall(index: number): ToolCallFacts | null {
    const calls = this.facts.serverToolCalls;
    for (let i = calls.length - 1; i >= 0; i--) if (calls[i]!.index === index) return calls[i]!;
    return null;
  }

  private identify(message: JsonObject): void {
    const id = nonEmpty(message.id);
    if (id !== null) this.facts.responseId = id;
    const model = nonEmpty(message.model);
    if (model !== null) this.facts.model = model;
  }

  private layUsage(usage: JsonObject): void {
    const merged: JsonObject = this.usage === null ? {} : { ...this.usage };
    for (const key in usage) {
      const value = usage[key];
      if (value !== null && value !== undefined) merged[key] = value;
    }
    this.usage = merged;
    this.facts.rawUsage = merged;
    this.facts.usage = normalizeAnthropicUsage(merged);
  }

  private addText(text: string | null): EventKind {
    if (text === null || text.length === 0) return 'other';
    this.facts.text += text;
    return this.content();
  }

  private addThinking(text: string | null): EventKind {
    if (text === null || text.length === 0) return 'other';
    this.facts.thinking += text;
    return this.content();
  }

  private content(): EventKind {
    this.facts.contentEvents++;
    return 'content';
  }

  private stop(): EventKind {
    this.facts.terminal = true;
    this.settle();
    return 'terminal';
  }

  private settle(): void {
    this.facts.completed = this.facts.terminal && this.facts.error === null;
  }
}

/** A fresh observer for one Messages response. */
export function createAnthropicObserver(): StreamObserver {
  return new AnthropicObserver();
}
