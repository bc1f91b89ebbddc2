import { asArray, asNumber, asObject, asString, parseObject, type JsonObject } from '../common/json-read';
import { literalValue, scalarMember, STRING_LITERAL } from '../common/lazy-json';
import { createStreamFacts, errorFromText, nonEmpty, recordError, toolCallAt } from '../common/stream-facts';
import type {
  EventKind,
  PendingAtEnd,
  StreamError,
  StreamFacts,
  StreamObserver,
  ToolCallFacts,
} from '../types';
import { normalizeResponsesUsage } from '../common/usage-normalize';

/**
 * OpenAI Responses (`/v1/responses`). A stream is named events (`response.created`,
 * `response.output_text.delta`, …) ending in `response.completed | incomplete | failed`; there is
 * no `[DONE]`. Failures arrive as an `error` event and/or `response.failed` with `response.error`.
 */

/** Events read for facts; every other named event is counted without parsing its (often large) data. */
const READ_EVENTS: ReadonlySet<string> = new Set([
  'response.created',
  'response.output_item.added',
  'response.output_item.done',
  'response.output_text.delta',
  'response.reasoning_summary_text.delta',
  'response.reasoning_text.delta',
  'response.refusal.delta',
  'response.function_call_arguments.delta',
  'response.function_call_arguments.done',
  'response.completed',
  'response.incomplete',
  'response.failed',
  'error',
]);

/** A `response.output_text.delta` event: scalar members, an empty `logprobs`, and its `delta` string. */
const TEXT_DELTA = new RegExp(
  `^\\{(?:${scalarMember(['delta'])},|"logprobs":\\[\\],)*"delta":${STRING_LITERAL}(?:,${scalarMember(['delta'])}|,"logprobs":\\[\\])*\\} *$`,
);

const FINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'incomplete', 'failed', 'cancelled']);

/** The error of a failed Response, or of an `error` event (flat `{code,message}` as documented, or nested under `error` as some servers send). */
function responsesError(obj: JsonObject): StreamError {
  const nested = asObject(obj.error);
  const source = nested ?? obj;
  const type = (nested !== null ? asString(nested.type) : null) ?? asString(source.code);
  return { type, message: asString(source.message) ?? JSON.stringify(source), status: null };
}

class ResponsesObserver implements StreamObserver {
  readonly facts: StreamFacts = createStreamFacts();
  /** openai-node reads an event the stream ends inside (openai/openai-node#2726; see the Chat observer). */
  readonly pendingAtEnd: PendingAtEnd = 'dispatch';
  /** Function calls by output item id: argument deltas name the item, not the position. */
  private readonly callsByItem = new Map<string, ToolCallFacts>();

  observeEvent(event: string | undefined, data: string): EventKind {
    this.facts.events++;
    if (event !== undefined && !READ_EVENTS.has(event)) return 'other';
    // Text deltas are the bulk of a stream and carry one fact, their `delta` string: read it without
    // a full parse when the event's data leaves no doubt (else the parse below decides).
    if (event === 'response.output_text.delta') {
      const m = TEXT_DELTA.exec(data);
      const delta = m === null ? null : literalValue(m[1]!);
      if (delta !== null) return this.add('text', delta);
    }
    const payload = parseObject(data);
    if (payload === null) {
      if (event !== 'error') return 'other';
      return this.fail(errorFromText(data));
    }
    return this.read(event ?? asString(payload.type) ?? '', payload);
  }

  /** Only `response.completed | incomplete | failed` ends a response; the stream's end adds nothing. */
  observeEnd(): EventKind {
    return 'other';
  }

  observeJson(value: unknown): EventKind {
    this.facts.events++;
    const payload = asObject(value);
    if (payload === null) return 'other';
    if (payload.object === 'response') {
      const output = asArray(payload.output);
      if (output !== null) this.readOutput(output);
      // A background (`queued` / `in_progress`) body is not an end.
      return this.readResponse(payload, FINAL_STATUSES.has(asString(payload.status) ?? ''));
    }
    const type = asString(payload.type);
    if (type !== null) return this.read(type, payload);
    if (asObject(payload.error) !== null) return this.fail(responsesError(payload));
    return 'other';
  }

  private read(type: string, payload: JsonObject): EventKind {
    switch (type) {
      case 'response.created':
      case 'response.in_progress':
        return this.readResponse(asObject(payload.response), false);
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        return this.readResponse(asObject(payload.response), true);
      case 'response.output_text.delta':
        return this.add('text', asString(payload.delta));
      case 'response.reasoning_summary_text.delta':
        return this.add('thinking', asString(payload.delta));
      case 'response.reasoning_text.delta':
        return this.add('reasoningText', asString(payload.delta));
      case 'response.refusal.delta':
        return this.add('refusal', asString(payload.delta));
      case 'response.output_item.added':
      case 'response.output_item.done': {
        const item = asObject(payload.item);
        if (item === null || item.type !== 'function_call') return 'other';
        const call = this.call(nonEmpty(item.id), asNumber(payload.output_index));
        call.id = nonEmpty(item.call_id) ?? call.id;
        call.name = nonEmpty(item.name) ?? call.name;
        return type === 'response.output_item.added'
          ? this.add(null, call.name)
          : this.fillArguments(call, item);
      }
      case 'response.function_call_arguments.delta': {
        const delta = asString(payload.delta);
        if (delta === null || delta.length === 0) return 'other';
        this.call(nonEmpty(payload.item_id), asNumber(payload.output_index)).arguments += delta;
        return this.add(null, delta);
      }
      case 'response.function_call_arguments.done':
        return this.fillArguments(
          this.call(nonEmpty(payload.item_id), asNumber(payload.output_index)),
          payload,
        );
      case 'error':
        return this.fail(responsesError(payload));
    }
    return 'other';
  }

  /** A Response object: from created/in_progress (ids only), a terminal event, or a whole non-streaming body. */
  private readResponse(response: JsonObject | null, terminal: boolean): EventKind {
    if (response === null) return 'other';
    const facts = this.facts;
    const id = nonEmpty(response.id);
    if (id !== null) facts.responseId = id;
    const model = nonEmpty(response.model);
    if (model !== null) facts.model = model;
    const usage = asObject(response.usage);
    if (usage !== null) {
      facts.rawUsage = usage;
      facts.usage = normalizeResponsesUsage(usage);
    }
    if (!terminal) return 'other';
    const status = asString(response.status);
    if (status !== null) facts.finishReason = status;
    facts.terminal = true;
    const error = asObject(response.error);
    if (error !== null) recordError(facts, responsesError(response));
    this.settle();
    return error !== null || status === 'failed' ? 'error' : 'terminal';
  }

  /** The output items of a whole (non-streaming) Response. */
  private readOutput(output: readonly unknown[]): void {
    const facts = this.facts;
    let content = false;
    for (let i = 0; i < output.length; i++) {
      const item = asObject(output[i]);
      if (item === null) continue;
      if (item.type === 'function_call') {
        const call = toolCallAt(facts, i);
        call.id = nonEmpty(item.call_id);
        call.name = nonEmpty(item.name);
        call.arguments = asString(item.arguments) ?? '';
        content = true;
        continue;
      }
      const isMessage = item.type === 'message';
      const parts = asArray(isMessage ? item.content : item.type === 'reasoning' ? item.summary : null) ?? [];
      for (const p of parts) {
        const part = asObject(p);
        if (part === null) continue;
        if (isMessage && part.type === 'refusal') {
          const refusal = asString(part.refusal);
          if (refusal !== null) facts.refusal += refusal;
        }
        const text = asString(part.text);
        if (text === null || text.length === 0) continue;
        if (!isMessage) facts.thinking += text;
        else if (part.type === 'output_text') facts.text += text;
        content = true;
      }
    }
    if (content) facts.contentEvents++;
  }

  /** The call for an output item, created on first sight (position from `output_index`, else next). */
  private call(itemId: string | null, index: number | null): ToolCallFacts {
    const key = itemId ?? `#${index ?? -1}`;
    let call = this.callsByItem.get(key);
    if (call === undefined) {
      call = toolCallAt(this.facts, index ?? this.facts.toolCalls.length);
      this.callsByItem.set(key, call);
    }
    return call;
  }

  /** Servers that skip the argument deltas still send the whole string in the `done` events. */
  private fillArguments(call: ToolCallFacts, source: JsonObject): EventKind {
    const args = asString(source.arguments);
    if (call.arguments.length === 0 && args !== null) call.arguments = args;
    return 'other';
  }

  /** Accumulates a delta into a text fact (or nowhere); content when non-empty. */
  private add(
    into: 'text' | 'thinking' | 'refusal' | 'reasoningText' | null,
    delta: string | null,
  ): EventKind {
    if (delta === null || delta.length === 0) return 'other';
    if (into !== null) this.facts[into] += delta;
    this.facts.contentEvents++;
    return 'content';
  }

  private fail(error: StreamError): EventKind {
    recordError(this.facts, error);
    this.settle();
    return 'error';
  }

  private settle(): void {
    const facts = this.facts;
    facts.completed = facts.terminal && facts.finishReason === 'completed' && facts.error === null;
  }
}

/** A fresh observer for one Responses response. */
export function createResponsesObserver(): StreamObserver {
  return new ResponsesObserver();
}
