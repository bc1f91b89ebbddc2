import { asArray, asNumber, asObject, asString, parseObject, type JsonObject } from '../common/json-read';
import { createStreamFacts, errorFromText, nonEmpty, recordError } from '../common/stream-facts';
import type { EventKind, PendingAtEnd, StreamFacts, StreamObserver } from '../types';
import { normalizeGeminiUsage } from '../common/usage-normalize';

/**
 * Google Gemini (`generateContent` / `streamGenerateContent`). Every SSE event (`alt=sse`) and every
 * element of the JSON-array stream is a whole GenerateContentResponse; only candidate 0 is observed.
 * A finishReason ends the response; a `promptFeedback.blockReason` ends it without content; an
 * `{"error":{code,message,status}}` object is an error.
 */

class GeminiObserver implements StreamObserver {
  readonly facts: StreamFacts = createStreamFacts();
  /**
   * @google/genai rejects a stream that ends inside an event: `processStreamResponse` throws "Incomplete
   * JSON segment at the end" when anything but whitespace follows the last blank line (2.32.0).
   */
  readonly pendingAtEnd: PendingAtEnd = 'reject';
  /** A candidate finishReason was seen (facts.finishReason may also hold a block reason). */
  private finished = false;
  private blocked = false;

  observeEvent(event: string | undefined, data: string): EventKind {
    this.facts.events++;
    const payload = parseObject(data);
    if (payload === null) {
      if (event !== 'error') return 'other';
      recordError(this.facts, errorFromText(data));
      this.settle();
      return 'error';
    }
    return this.read(payload);
  }

  observeJson(value: unknown): EventKind {
    this.facts.events++;
    const payload = asObject(value);
    return payload === null ? 'other' : this.read(payload);
  }

  /** A finishReason (or a block) is the end; the stream's end adds nothing to it. */
  observeEnd(): EventKind {
    return 'other';
  }

  private read(payload: JsonObject): EventKind {
    const facts = this.facts;
    const error = asObject(payload.error);
    if (error !== null) {
      recordError(facts, {
        type: asString(error.status),
        message: asString(error.message) ?? JSON.stringify(error),
        status: asNumber(error.code),
      });
      this.settle();
      return 'error';
    }
    const model = nonEmpty(payload.modelVersion);
    if (model !== null) facts.model = model;
    const id = nonEmpty(payload.responseId);
    if (id !== null) facts.responseId = id;
    const usage = asObject(payload.usageMetadata);
    if (usage !== null) {
      facts.rawUsage = usage;
      facts.usage = normalizeGeminiUsage(usage);
    }
    let ended = false;
    const block = asString(asObject(payload.promptFeedback)?.blockReason);
    if (block !== null) {
      this.blocked = true;
      facts.blockReason = block;
      facts.terminal = true;
      // No candidate will say why the response is empty; the block reason does.
      if (!this.finished) facts.finishReason = block;
      ended = true;
    }

    let content = false;
    const candidates = asArray(payload.candidates);
    if (candidates !== null) {
      for (let i = 0; i < candidates.length; i++) {
        const candidate = asObject(candidates[i]);
        if (candidate === null || (asNumber(candidate.index) ?? i) !== 0) continue;
        const parts = asArray(asObject(candidate.content)?.parts);
        if (parts !== null && this.readParts(parts)) content = true;
        const finish = asString(candidate.finishReason);
        if (finish !== null) {
          facts.finishReason = finish;
          this.finished = true;
          facts.terminal = true;
          ended = true;
        }
      }
    }
    if (content) facts.contentEvents++;
    this.settle();
    if (content) return 'content';
    return ended ? 'terminal' : 'other';
  }

  /** Accumulates candidate 0's parts; true when any carried content. */
  private readParts(parts: readonly unknown[]): boolean {
    const facts = this.facts;
    let content = false;
    for (const p of parts) {
      const part = asObject(p);
      if (part === null) continue;
      const text = asString(part.text);
      if (text !== null && text.length > 0) {
        if (part.thought === true) facts.thinking += text;
        else facts.text += text;
        content = true;
      }
      const call = asObject(part.functionCall);
      if (call !== null) {
        // Gemini sends each call whole, in part order; its arguments are an object, kept as JSON text.
        facts.toolCalls.push({
          index: facts.toolCalls.length,
          id: nonEmpty(call.id),
          name: nonEmpty(call.name),
          arguments: JSON.stringify(call.args ?? {}),
        });
        content = true;
      }
    }
    return content;
  }

  private settle(): void {
    this.facts.completed = this.finished && !this.blocked && this.facts.error === null;
  }
}

/** A fresh observer for one Gemini response. */
export function createGeminiObserver(): StreamObserver {
  return new GeminiObserver();
}
