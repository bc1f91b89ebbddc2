import { asArray, asNumber, asObject, asString, parseObject, type JsonObject } from '../common/json-read';
import { normalizeGeminiUsage } from '../turn/usage';
import type { StopReason, TurnEvent, TurnStreamDecoder } from '../turn/types';
import { geminiStatusForErrorType } from './errors';
import { geminiSignature, newCallId, stopFromGemini } from './turn-parts';
import { firstCandidate } from './turn-response';

/*
 * Gemini stream chunks (SSE events or JSON-array elements, each a whole GenerateContentResponse) →
 * TurnEvents. Thought text and text each continue one block until the other kind comes; every
 * functionCall is a whole block of its own (start, its args as one delta, end). Gemini may repeat a
 * finishReason on several chunks (and send more after it), so the finish is given at `end()`, with
 * the last reason seen: a turn with a call ends as tool_use.
 */

class GeminiTurnDecoder implements TurnStreamDecoder {
  private started = false;
  private next = 0;
  private open: { index: number; kind: 'text' | 'thinking' } | null = null;
  private sawCall = false;
  private finishReason: string | null = null;
  private blocked = false;
  private failed = false;
  private lastUsage = '';

  event(_event: string | undefined, data: string): TurnEvent[] {
    if (this.failed) return [];
    const payload = parseObject(data);
    if (payload === null) return [];
    const out: TurnEvent[] = [];
    const error = asObject(payload.error);
    if (error !== null) {
      this.closeOpen(out);
      this.failed = true;
      const status = asNumber(error.code) ?? geminiStatusForErrorType(asString(error.status) ?? '') ?? null;
      out.push({
        type: 'error',
        status,
        errorType: asString(error.status),
        message: asString(error.message) ?? JSON.stringify(error),
      });
      return out;
    }
    if (!this.started) {
      this.started = true;
      const usage = asObject(payload.usageMetadata);
      out.push({
        type: 'start',
        id: asString(payload.responseId),
        model: asString(payload.modelVersion),
        usage: usage === null ? null : normalizeGeminiUsage(usage),
      });
    }
    if (asString(asObject(payload.promptFeedback)?.blockReason) !== null) this.blocked = true;

    const candidate = firstCandidate(payload);
    for (const p of asArray(asObject(candidate?.content)?.parts) ?? []) {
      const part = asObject(p);
      if (part !== null) this.part(out, part);
    }
    const reason = asString(candidate?.finishReason);
    if (reason !== null) this.finishReason = reason;

    const usage = asObject(payload.usageMetadata);
    if (usage !== null) {
      const key = JSON.stringify(usage);
      if (key !== this.lastUsage) {
        this.lastUsage = key;
        out.push({ type: 'usage', usage: normalizeGeminiUsage(usage) });
      }
    }
    return out;
  }

  end(): TurnEvent[] {
    if (this.failed) return [];
    const out: TurnEvent[] = [];
    this.closeOpen(out);
    let reason: StopReason | null = this.blocked
      ? 'refusal'
      : stopFromGemini(this.finishReason, this.sawCall);
    if (reason === 'error' && this.sawCall) reason = 'tool_use';
    if (reason !== null) out.push({ type: 'finish', reason, stopSequence: null });
    return out;
  }

  private part(out: TurnEvent[], part: JsonObject): void {
    const signature = geminiSignature(part);
    const call = asObject(part.functionCall);
    if (call !== null) {
      this.closeOpen(out);
      this.sawCall = true;
      const index = this.next++;
      out.push(
        {
          type: 'tool_call_start',
          index,
          id: asString(call.id) ?? newCallId(),
          name: asString(call.name) ?? '',
          signature,
        },
        { type: 'tool_call_delta', index, arguments: JSON.stringify(call.args ?? {}) },
        { type: 'block_end', index },
      );
      return;
    }
    const text = asString(part.text);
    if (text === null) return; // inlineData, executableCode, a server-made functionResponse: not the client's
    if (part.thought === true) {
      const index = this.block(out, 'thinking');
      if (text.length > 0) out.push({ type: 'thinking', index, text });
      if (signature !== null) out.push({ type: 'thinking_signature', index, signature });
      return;
    }
    if (signature !== null) {
      // A signed text part: the signature travels as a thinking block of its own, before the text.
      const index = this.block(out, 'thinking');
      out.push({ type: 'thinking_signature', index, signature });
    }
    if (text.length > 0) out.push({ type: 'text', index: this.block(out, 'text'), text });
  }

  private block(out: TurnEvent[], kind: 'text' | 'thinking'): number {
    if (this.open?.kind === kind) return this.open.index;
    this.closeOpen(out);
    this.open = { index: this.next++, kind };
    return this.open.index;
  }

  private closeOpen(out: TurnEvent[]): void {
    if (this.open === null) return;
    out.push({ type: 'block_end', index: this.open.index });
    this.open = null;
  }
}

/** A fresh decoder for one Gemini stream. */
export function createGeminiTurnDecoder(): TurnStreamDecoder {
  return new GeminiTurnDecoder();
}
