import { asArray, asNumber, asObject, asString, parseObject, type JsonObject } from '../common/json-read';
import { literalValue, scalarMember, STRING_LITERAL } from '../common/lazy-json';
import {
  createStreamFacts,
  errorFromObject,
  errorFromText,
  nonEmpty,
  recordError,
  toolCallAt,
} from '../common/stream-facts';
import type { EventKind, PendingAtEnd, StreamFacts, StreamObserver } from '../types';
import { normalizeOpenAiChatUsage } from '../common/usage-normalize';

/**
 * OpenAI Chat Completions (`/v1/chat/completions`), including OpenAI-compatible providers
 * (OpenRouter, Groq, Azure, DeepSeek…). A stream is `data: <chunk>` events ending in `data: [DONE]`;
 * only choice 0 is observed. Compatible providers put reasoning in `delta.reasoning_content` or
 * `delta.reasoning`, and errors in a chunk's top-level `error` (sometimes under `event: error`).
 */

const DONE = '[DONE]';

/** A chunk that is nothing but choice 0's text delta, read without a full parse. */
export interface PlainDelta {
  id: string | null;
  model: string | null;
  text: string;
}

/** A scalar JSON value without escapes: what the filter verdicts hold. */
const SCALAR = '(?:null|true|false|-?\\d+(?:\\.\\d+)?|"[^"\\\\]*")';
/** An object of scalars (`{"filtered":false,"severity":"safe"}`), possibly empty. */
const FLAT_OBJECT = `\\{(?:"[A-Za-z0-9_]+":${SCALAR}(?:,"[A-Za-z0-9_]+":${SCALAR})*)?\\}`;
/** Azure's `content_filter_results`: an object of such verdict objects. It carries no fact the adapter reads. */
const FILTER_RESULTS = `"content_filter_results":\\{(?:"[A-Za-z0-9_]+":${FLAT_OBJECT}(?:,"[A-Za-z0-9_]+":${FLAT_OBJECT})*)?\\}`;
const OTHER_MEMBER = scalarMember(['id', 'model', 'choices', 'usage', 'error']);

/**
 * A plain text-delta chunk, in OpenAI's member order (`id`, `object`, `created`, `model` first) or
 * Azure's (alphabetical: `choices` first, then `created`, `id`, `model`), with other scalar members
 * (`usage: null`, `obfuscation`, `system_fingerprint`…) around them. Its one choice's delta holds only
 * `content` (beside `role: "assistant"` and `refusal: null`); the choice's other members are `index: 0`,
 * nulls and Azure's filter verdicts. Usage, an error, a finish, a tool call or another choice cannot
 * match. Groups: 1 id, 2 model (OpenAI's place), 3 content, 4 id, 5 model (Azure's place).
 */
const PLAIN_CHUNK = new RegExp(
  [
    '^\\{',
    `(?:"id":${STRING_LITERAL},)?`,
    '(?:"object":"chat\\.completion\\.chunk",)?(?:"created":\\d+,)?',
    `(?:"model":${STRING_LITERAL},)?`,
    `(?:${OTHER_MEMBER},|"(?:usage|error)":null,)*`,
    `"choices":\\[\\{(?:"index":0,)?(?:${FILTER_RESULTS},)?`,
    `"delta":\\{(?:"role":"assistant",)?"content":${STRING_LITERAL}(?:,"refusal":null)?\\}`,
    `(?:,"(?:index":0|logprobs":null|finish_reason":null)|,${FILTER_RESULTS})*`,
    '\\}\\]',
    `(?:,"created":\\d+)?(?:,"id":${STRING_LITERAL})?(?:,"model":${STRING_LITERAL})?`,
    `(?:,${OTHER_MEMBER}|,"(?:usage|error)":null)*`,
    '\\} *$',
  ].join(''),
);

/** A captured literal's value: null when absent or invalid (`bad` is then set when it was present). */
function optionalLiteral(literal: string | undefined): { value: string | null; bad: boolean } {
  if (literal === undefined) return { value: null, bad: false };
  const value = literalValue(literal);
  return { value, bad: value === null };
}

/**
 * The facts of a plain text-delta chunk, or null when the chunk may say more (which then gets the
 * full parse). Exactly what `read` would learn from the same chunk. A member given twice counts as
 * JSON.parse counts it: the later one.
 */
export function plainDelta(data: string): PlainDelta | null {
  const m = PLAIN_CHUNK.exec(data);
  if (m === null) return null;
  const text = literalValue(m[3]!);
  const id = optionalLiteral(m[4] ?? m[1]);
  const model = optionalLiteral(m[5] ?? m[2]);
  if (text === null || id.bad || model.bad) return null;
  return { id: id.value, model: model.value, text };
}

class OpenAiChatObserver implements StreamObserver {
  readonly facts: StreamFacts = createStreamFacts();
  /**
   * openai-node reads an event the stream ends inside: its SSE decoder is flushed at the end of the body
   * (openai/openai-node#2726, "emit terminal SSE events missing a trailing blank line", fixing #2725).
   * Before that it dropped the event, and took the stream as complete all the same.
   */
  readonly pendingAtEnd: PendingAtEnd = 'dispatch';

  observeEvent(event: string | undefined, data: string): EventKind {
    this.facts.events++;
    // `[DONE]` carries nothing but the end; skip the parse. startsWith, like the openai SDK.
    if (data.charCodeAt(0) === 0x5b && data.startsWith(DONE)) {
      this.facts.terminal = true;
      return 'terminal';
    }
    if (event !== 'error') {
      const plain = plainDelta(data);
      if (plain !== null) return this.readPlain(plain);
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

  /** A finish reason is the end; the stream's end adds nothing to it. */
  observeEnd(): EventKind {
    return 'other';
  }

  /** What `read` does with a chunk that `plainDelta` could read. */
  private readPlain(plain: PlainDelta): EventKind {
    const facts = this.facts;
    if (plain.id !== null && plain.id.length > 0) facts.responseId = plain.id;
    if (plain.model !== null && plain.model.length > 0) facts.model = plain.model;
    this.settle();
    if (plain.text.length === 0) return 'other';
    facts.text += plain.text;
    facts.contentEvents++;
    return 'content';
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
    if (refusal !== null && refusal.length > 0) {
      facts.refusal += refusal;
      content = true;
    }
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

/** A fresh observer for one Chat Completions response. */
export function createOpenAiChatObserver(): StreamObserver {
  return new OpenAiChatObserver();
}
