import { asArray, asNumber, asObject, asString, parseObject, type JsonObject } from './json-read';
import { openAiErrorBody, openAiErrorObject } from './openai-error';
import {
  createStreamFacts,
  errorFromObject,
  errorFromText,
  nonEmpty,
  recordError,
  toolCallAt,
} from './stream-facts';
import type { EventKind, FormatAdapter, StreamFacts, StreamObserver } from './types';
import { normalizeOpenAiChatUsage } from './usage-normalize';

/**
 * OpenAI Chat Completions (`/v1/chat/completions`), including OpenAI-compatible providers
 * (OpenRouter, Groq, Azure, DeepSeek…). A stream is `data: <chunk>` events ending in `data: [DONE]`;
 * only choice 0 is observed. Compatible providers put reasoning in `delta.reasoning_content` or
 * `delta.reasoning`, and errors in a chunk's top-level `error` (sometimes under `event: error`).
 */

const DONE = '[DONE]';

class OpenAiChatObserver implements StreamObserver {
  readonly facts: StreamFacts = createStreamFacts();

  observeEvent(event: string | undefined, data: string): EventKind {
    this.facts.events++;
    // `[DONE]` carries nothing but the end; skip the parse. startsWith, like the openai SDK.
    if (data.charCodeAt(0) === 0x5b && data.startsWith(DONE)) {
      this.facts.terminal = true;
      return 'terminal';
    }
    const chunk = parseObject(data);
    if (chunk === null) {
      if (event !== 'error') return 'other';
      recordError(this.facts, errorFromText(data));
      this.settle();
      return 'error';
    }
    const kind = this.read(chunk);
    if (event === 'error' && kind !== 'error') {
      recordError(this.facts, errorFromObject(chunk, ['type', 'code']));
      this.settle();
      return 'error';
    }
    return kind;
  }

  observeJson(value: unknown): EventKind {
    this.facts.events++;
    const body = asObject(value);
    return body === null ? 'other' : this.read(body);
  }

  /** One `chat.completion.chunk` (choices carry `delta`) or a whole `chat.completion` (choices carry `message`). */
  private read(chunk: JsonObject): EventKind {
    const facts = this.facts;
    const id = nonEmpty(chunk.id);
    if (id !== null) facts.responseId = id;
    const model = nonEmpty(chunk.model);
    if (model !== null) facts.model = model;
    const usage = asObject(chunk.usage);
    if (usage !== null) {
      facts.rawUsage = usage;
      facts.usage = normalizeOpenAiChatUsage(usage);
    }
    // `"error": null` is an ordinary field of some providers' chunks, not an error.
    const error = asObject(chunk.error);
    if (error !== null) recordError(facts, errorFromObject(error, ['type']));

    let content = false;
    let finished = false;
    const choices = asArray(chunk.choices);
    if (choices !== null) {
      for (let i = 0; i < choices.length; i++) {
        const choice = asObject(choices[i]);
        if (choice === null || (asNumber(choice.index) ?? i) !== 0) continue;
        const delta = asObject(choice.delta) ?? asObject(choice.message);
        if (delta !== null && this.readDelta(delta)) content = true;
        const finish = asString(choice.finish_reason);
        if (finish !== null) {
          facts.finishReason = finish;
          facts.terminal = true;
          finished = true;
        }
      }
    }
    if (content) facts.contentEvents++;
    this.settle();
    if (error !== null) return 'error';
    if (content) return 'content';
    return finished ? 'terminal' : 'other';
  }

  /** Accumulates one delta (or message); true when it carried content. */
  private readDelta(delta: JsonObject): boolean {
    const facts = this.facts;
    let content = false;
    const text = asString(delta.content);
    if (text !== null && text.length > 0) {
      facts.text += text;
      content = true;
    }
    // Providers that send both fields send the same text twice; take one.
    const reasoning = asString(delta.reasoning_content) ?? asString(delta.reasoning);
    if (reasoning !== null && reasoning.length > 0) {
      facts.thinking += reasoning;
      content = true;
    }
    const refusal = asString(delta.refusal);
    if (refusal !== null && refusal.length > 0) content = true;
    const calls = asArray(delta.tool_calls);
    if (calls !== null) {
      for (let i = 0; i < calls.length; i++) {
        const call = asObject(calls[i]);
        if (call === null) continue;
        // A whole message's calls have no `index`: their position is it.
        const tool = toolCallAt(facts, asNumber(call.index) ?? i);
        const id = nonEmpty(call.id);
        if (id !== null) tool.id = id;
        const fn = asObject(call.function);
        if (fn !== null) {
          const name = nonEmpty(fn.name);
          if (name !== null) tool.name = name;
          const args = asString(fn.arguments);
          if (args !== null) tool.arguments += args;
        }
        content = true;
      }
    }
    return content;
  }

  private settle(): void {
    this.facts.completed = this.facts.finishReason !== null && this.facts.error === null;
  }
}

/** The OpenAI Chat Completions adapter. */
export const openAiChatAdapter: FormatAdapter = {
  format: 'openai-chat',
  createObserver: () => new OpenAiChatObserver(),
  errorBody: openAiErrorBody,
  // The openai SDK throws APIError for any chunk with a truthy `error`.
  errorEvent: (status, code, message) =>
    `data: ${JSON.stringify({ error: openAiErrorObject(status, code, message) })}\n\n`,
};
